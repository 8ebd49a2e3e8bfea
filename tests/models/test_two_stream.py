import keras
import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d import TwoStreamI3D
from keras_i3d.models.two_stream import SAME_AS_WEIGHTS


@pytest.fixture(scope="module")
def two_stream():
    return TwoStreamI3D(weights=None, clip_length=9, height=193, width=193, classes=6)


def test_joint_prediction_is_softmax_of_summed_logits(two_stream):
    rng = np.random.default_rng(0)
    rgb = rng.uniform(-1, 1, (2, 9, 193, 193, 3)).astype("float32")
    flow = rng.uniform(-1, 1, (2, 9, 193, 193, 2)).astype("float32")
    out = two_stream.predict([rgb, flow], verbose=0)
    assert set(out) == {"predictions", "rgb_logits", "flow_logits"}
    joint = out["rgb_logits"] + out["flow_logits"]
    expected = np.exp(joint - joint.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(out["predictions"], expected, atol=1e-5)


def test_per_stream_logits_equal_the_stream_models(two_stream):
    rng = np.random.default_rng(1)
    rgb = rng.uniform(-1, 1, (1, 9, 193, 193, 3)).astype("float32")
    flow = rng.uniform(-1, 1, (1, 9, 193, 193, 2)).astype("float32")
    out = two_stream.predict([rgb, flow], verbose=0)
    rgb_model = two_stream.get_layer("i3d_rgb")
    np.testing.assert_allclose(out["rgb_logits"], rgb_model.predict(rgb, verbose=0), atol=1e-5)


def test_flow_stream_without_pretrained_weights_says_why():
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        TwoStreamI3D(weights="kinetics400", clip_length=9)


def test_pretrained_rgb_with_a_new_flow_stream(installed_kinetics400):
    model = TwoStreamI3D(
        rgb_weights="kinetics400", flow_weights=None, input_shape=(9, 193, 193, 3), classes=400
    )
    reference = I3D(weights="kinetics400", input_shape=(9, 193, 193, 3))
    np.testing.assert_array_equal(
        model.get_layer("i3d_rgb").get_layer("Mixed_5c").get_weights()[0],
        reference.get_layer("Mixed_5c").get_weights()[0],
    )
    flow = model.get_layer("i3d_flow")
    assert flow.input_shape == (None, 9, 193, 193, 2)
    assert not np.array_equal(
        flow.get_layer("Mixed_5c").get_weights()[0][..., 0, :],
        reference.get_layer("Mixed_5c").get_weights()[0][..., 0, :],
    )


def test_default_stream_weights_follow_weights():
    assert repr(SAME_AS_WEIGHTS) == "SAME_AS_WEIGHTS"
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        TwoStreamI3D(weights="kinetics400", rgb_weights=None, clip_length=9)


def test_features_without_top_and_input_tensors():
    rgb = keras.Input((9, 193, 193, 3), name="my_rgb")
    flow = keras.Input((9, 193, 193, 2), name="my_flow")
    model = TwoStreamI3D(weights=None, include_top=False, pooling="avg", input_tensor=(rgb, flow))
    assert model.inputs[0] is rgb and model.inputs[1] is flow
    assert set(model.output) == {"rgb_features", "flow_features"}
    assert model.output["flow_features"].shape == (None, 1024)


def test_input_shape_replaces_frames_height_width():
    model = TwoStreamI3D(weights=None, input_shape=(9, 193, 193, 3))
    assert [tuple(x.shape) for x in model.inputs] == [
        (None, 9, 193, 193, 3),
        (None, 9, 193, 193, 2),
    ]
    with pytest.raises(ValueError, match="either as `input_shape`"):
        TwoStreamI3D(weights=None, input_shape=(9, 193, 193, 3), clip_length=9)
    with pytest.raises(ValueError, match="only with `include_top=False`"):
        TwoStreamI3D(weights=None, pooling="avg")


def test_too_short_clips_get_a_short_value_error(two_stream):
    rgb = np.zeros((1, 8, 193, 193, 3), "float32")
    flow = np.zeros((1, 8, 193, 193, 2), "float32")
    with pytest.raises(ValueError, match="at least 9 frames") as caught:
        two_stream.predict([rgb, flow], verbose=0)
    assert len(str(caught.value).splitlines()) <= 8
