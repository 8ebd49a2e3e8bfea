import numpy as np
import pytest

from keras_i3d import TwoStreamI3D


@pytest.fixture(scope="module")
def two_stream():
    return TwoStreamI3D(weights=None, frames=9, height=193, width=193,
                        classes=6)


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
    np.testing.assert_allclose(out["rgb_logits"],
                               rgb_model.predict(rgb, verbose=0), atol=1e-5)


def test_flow_stream_without_pretrained_weights_says_why():
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        TwoStreamI3D(weights="kinetics400", frames=9)
