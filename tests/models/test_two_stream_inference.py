"""The two-stream inference graph: each stream fused, exact in float32."""

import keras
import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d import TwoStreamI3D
from keras_i3d.models.fused import NotAnI3DError
from keras_i3d.models.two_stream_inference import TWO_STREAM_OUTPUTS
from keras_i3d.models.two_stream_inference import is_two_stream_i3d
from keras_i3d.models.two_stream_inference import join_streams
from keras_i3d.models.two_stream_inference import two_stream_inference_graph
from keras_i3d.models.two_stream_inference import two_stream_inference_model
from keras_i3d.preprocessing import preprocess_input
from tests.models.stream_weights import spread_batch_norm_statistics
from tests.models.stream_weights import write_flow_weights_like_rgb

# What "exact" means for the fused default (issue 12): float32 logits
# within this of the reference graph's.
EXACT_LOGITS = 1e-4
# bfloat16 on request: logits within this of float32's (the RGB stream's
# bound, docs/inference.md, doubled for the sum of two streams).
BFLOAT16_LOGITS = 0.5


def _clips(frames=16, size=224, seed=0):
    """A preprocessed `[rgb, flow]` pair: the sample video and smooth flow."""
    from keras_i3d.export.check_clip import load_check_clip

    rgb = preprocess_input(load_check_clip("rgb", clip_length=frames)[None], stream="rgb")
    rgb = rgb[:, :, :size, :size]
    rng = np.random.default_rng(seed)
    # Flow in pixels, smooth in space like real flow, then scaled to [-1, 1].
    coarse = rng.normal(0, 4, (1, frames, -(-size // 16), -(-size // 16), 2))
    flow = np.repeat(np.repeat(coarse, 16, axis=2), 16, axis=3)[:, :, :size, :size]
    flow = flow.astype("float32")
    return [np.asarray(rgb, "float32"), preprocess_input(flow, stream="flow")]


@pytest.fixture(scope="module")
def flow_file(installed_kinetics400, tmp_path_factory):
    """A flow `.weights.h5` with the Kinetics-400 RGB stream's weights."""
    return write_flow_weights_like_rgb(tmp_path_factory.mktemp("flow") / "flow.weights.h5")


@pytest.fixture(scope="module")
def reference_outputs(flow_file):
    """The clips and the outputs of the reference `TwoStreamI3D` on them."""
    clips = _clips()
    reference = TwoStreamI3D(
        weights=None,
        rgb_weights="kinetics400",
        flow_weights=flow_file,
        classifier_activation=None,
    )
    return clips, reference.predict_on_batch(clips)


def test_the_fused_default_is_exact_with_pretrained_streams(flow_file, reference_outputs):
    clips, expected = reference_outputs
    fused = two_stream_inference_model("kinetics400", flow_file)
    assert fused.name == "two_stream_i3d_fused"
    assert {layer.name for layer in fused.layers} >= {"i3d_rgb_fused", "i3d_flow_fused"}
    outputs = fused.predict_on_batch(clips)
    assert set(outputs) == set(TWO_STREAM_OUTPUTS)
    for name in TWO_STREAM_OUTPUTS:
        assert outputs[name].dtype == np.float32
        assert np.abs(outputs[name] - expected[name]).max() < EXACT_LOGITS, name
    # Real magnitudes: the bound is demanding, and the sample is arm wrestling.
    assert np.abs(expected["rgb_logits"]).max() > 5
    assert int(outputs["rgb_logits"].argmax()) == 6


@pytest.mark.slow
def test_the_reference_and_bfloat16_on_request_with_pretrained_streams(
    flow_file, reference_outputs
):
    clips, expected = reference_outputs
    unfused = two_stream_inference_model("kinetics400", flow_file, fused=False)
    assert unfused.name == "two_stream_i3d"
    assert {layer.name for layer in unfused.layers} >= {"i3d_rgb", "i3d_flow"}
    for name, array in unfused.predict_on_batch(clips).items():
        np.testing.assert_allclose(array, expected[name], atol=1e-5)
    bfloat16 = two_stream_inference_model("kinetics400", flow_file, precision="mixed_bfloat16")
    stream = bfloat16.get_layer("i3d_flow_fused")
    assert stream.get_layer("Mixed_3b").dtype_policy.compute_dtype == "bfloat16"
    logits = bfloat16.predict_on_batch(clips)
    for name in TWO_STREAM_OUTPUTS:
        assert logits[name].dtype == np.float32
        assert np.abs(logits[name] - expected[name]).max() < BFLOAT16_LOGITS, name
    assert int(logits["predictions"].argmax()) == int(expected["predictions"].argmax())


def test_a_trained_two_stream_model_is_fused_with_its_head():
    model = TwoStreamI3D(weights=None, classes=5, input_shape=(None, None, None, 3))
    spread_batch_norm_statistics(model)
    assert is_two_stream_i3d(model)
    fused = two_stream_inference_graph(model)
    assert fused.name == "two_stream_i3d_fused"
    assert fused.get_layer("i3d_rgb_fused").get_layer("Mixed_4b").__class__.__name__ == (
        "FusedInceptionBlock3D"
    )
    clips = _clips(frames=9, size=193)
    expected = model.predict_on_batch(clips)
    outputs = fused.predict_on_batch(clips)
    for name in TWO_STREAM_OUTPUTS:
        np.testing.assert_allclose(outputs[name], expected[name], atol=EXACT_LOGITS)
    # The model's softmax is kept.
    np.testing.assert_allclose(outputs["predictions"].sum(), 1.0, rtol=1e-5)
    assert two_stream_inference_graph(model, fused=False) is model
    bfloat16 = two_stream_inference_graph(model, precision="mixed_bfloat16")
    assert bfloat16.get_layer("i3d_rgb_fused").get_layer("Mixed_3b").dtype_policy.name == (
        "mixed_bfloat16"
    )
    for name, array in bfloat16.predict_on_batch(clips).items():
        np.testing.assert_allclose(array, expected[name], atol=BFLOAT16_LOGITS)
    with pytest.raises(ValueError, match="float32 only"):
        two_stream_inference_graph(model, fused=False, precision="mixed_bfloat16")


def test_only_a_two_stream_i3d_with_its_head_is_fused():
    features = TwoStreamI3D(weights=None, include_top=False, clip_length=9)
    assert not is_two_stream_i3d(features)
    assert not is_two_stream_i3d(I3D(weights=None))
    with pytest.raises(NotAnI3DError, match="Received: 'two_stream_i3d'"):
        two_stream_inference_graph(features)
    assert two_stream_inference_graph(features, fused=False) is features


def test_the_streams_must_have_as_many_classes():
    rgb = keras.Sequential([keras.Input((None, 8, 8, 3)), keras.layers.Dense(4)])
    flow = keras.Sequential([keras.Input((None, 8, 8, 2)), keras.layers.Dense(5)])
    with pytest.raises(ValueError, match="rgb classes=4, flow classes=5"):
        join_streams(rgb, flow)


def test_a_flow_alias_without_weights_fails_before_building():
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        two_stream_inference_model(None, "kinetics400")
