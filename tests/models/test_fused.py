"""Tests for `keras_i3d.models.fused` and `keras_i3d.layers.fused`: the
inference-only, BN-folded I3D."""

import keras
import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.layers import FusedInceptionBlock3D
from keras_i3d.layers import SpaceToDepthConv3D
from keras_i3d.models import fused as fused_module
from keras_i3d.models.fused import NotAnI3DError
from keras_i3d.models.fused import cpu_has_amx
from keras_i3d.models.fused import fold_batch_norm
from keras_i3d.models.fused import fuse_for_inference
from keras_i3d.models.i3d import I3D_BODY
from tests.backends import last_json_line
from tests.backends import run_on_backend

LOGITS_TOLERANCE = 1e-4


def randomise_batch_norm(model, seed=0):
    """Gives every batch norm non-trivial statistics and offsets."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        if variable.path.endswith(("moving_mean", "beta")):
            variable.assign(rng.normal(0, 0.5, variable.shape))
        elif variable.path.endswith("moving_variance"):
            variable.assign(rng.uniform(0.3, 3.0, variable.shape))
    return model


def random_clip(shape, seed=1):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def top5(logits):
    return np.argsort(-np.asarray(logits), axis=-1)[..., :5]


@pytest.fixture(scope="module")
def reference():
    keras.utils.set_random_seed(0)
    model = I3D(weights=None, input_shape=(None, None, None, 3), classifier_activation=None)
    return randomise_batch_norm(model)


@pytest.mark.parametrize(
    "shape, options",
    [
        ((1, 9, 193, 193, 3), {}),
        ((2, 12, 200, 224, 3), {"merge_reduce": False}),
        ((1, 11, 197, 203, 3), {"merge_reduce": True}),
    ],
)
def test_logits_match_the_reference(reference, shape, options):
    clip = random_clip(shape)
    expected = np.asarray(reference(clip, training=False))
    fused = fuse_for_inference(reference, **options)
    logits = np.asarray(fused(clip))
    assert logits.shape == expected.shape
    assert np.abs(logits - expected).max() <= LOGITS_TOLERANCE
    np.testing.assert_array_equal(top5(logits), top5(expected))


@pytest.mark.parametrize("shape", [(10, 194, 196, 3), (9, 193, 195, 3)])
def test_space_to_depth_stem_matches_the_reference(reference, shape):
    model = I3D(weights=None, input_shape=shape, classifier_activation=None)
    model.set_weights(reference.get_weights())
    fused = fuse_for_inference(model, space_to_depth_stem=True)
    assert isinstance(fused.get_layer("Conv3d_1a_7x7"), SpaceToDepthConv3D)
    clip = random_clip((1,) + shape)
    expected = np.asarray(model(clip, training=False))
    logits = np.asarray(fused(clip))
    assert np.abs(logits - expected).max() <= LOGITS_TOLERANCE
    np.testing.assert_array_equal(top5(logits), top5(expected))


@pytest.mark.parametrize("size", [(8, 8, 8), (9, 10, 11), (5, 7, 6)])
def test_space_to_depth_conv_equals_strided_same_conv(size):
    rng = np.random.default_rng(2)
    kernel = rng.normal(size=(7, 7, 7, 3, 5)).astype("float32")
    bias = rng.normal(size=(5,)).astype("float32")
    clip = random_clip((2,) + size + (3,))
    conv = keras.layers.Conv3D(5, 7, strides=2, padding="same")
    conv.build(clip.shape)
    conv.set_weights([kernel, bias])
    blocked = SpaceToDepthConv3D(5, 7, activation=None)
    blocked.build(clip.shape)
    blocked.set_weights([SpaceToDepthConv3D.blocked_kernel(kernel), bias])
    expected = np.asarray(conv(clip))
    result = np.asarray(blocked(clip))
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-4)


def test_fold_batch_norm_is_the_unit_at_inference(reference):
    unit = reference.get_layer("Conv3d_2b_1x1")
    kernel, bias = fold_batch_norm(unit)
    clip = random_clip((1, 2, 3, 3, 64))
    expected = np.asarray(unit(clip, training=False))
    folded = np.maximum(np.einsum("bthwc,cf->bthwf", clip, kernel[0, 0, 0]) + bias, 0)
    np.testing.assert_allclose(folded, expected, atol=1e-4)


def test_keeps_endpoint_names_and_drops_batch_norm(reference):
    fused = fuse_for_inference(reference)
    names = [layer.name for layer in fused.layers]
    for endpoint, _, _ in I3D_BODY:
        assert endpoint in names
    assert names[-1] == "Logits"
    assert not any(
        isinstance(layer, keras.layers.BatchNormalization) for layer in fused._flatten_layers()
    )
    assert "Logits_Dropout" not in names
    assert fused.output.dtype == "float32"


def test_features_models_and_truncated_endpoints():
    keras.utils.set_random_seed(3)
    model = randomise_batch_norm(
        I3D(weights=None, include_top=False, pooling="avg", input_shape=(8, 64, 64, 3))
    )
    truncated = randomise_batch_norm(
        I3D(weights=None, include_top=False, final_endpoint="Mixed_3c", input_shape=(8, 64, 64, 3))
    )
    clip = random_clip((1, 8, 64, 64, 3))
    for source in (model, truncated):
        fused = fuse_for_inference(source)
        assert fused.output_shape == source.output_shape
        np.testing.assert_allclose(
            np.asarray(fused(clip)), np.asarray(source(clip, training=False)), atol=1e-4
        )
    assert "Mixed_4b" not in [layer.name for layer in fuse_for_inference(truncated).layers]


def test_softmax_head_is_kept():
    keras.utils.set_random_seed(4)
    model = I3D(weights=None, input_shape=(9, 193, 193, 3))
    fused = fuse_for_inference(model)
    probabilities = np.asarray(fused(random_clip((1, 9, 193, 193, 3))))
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)


def test_bfloat16_model_stays_close_with_float32_logits(reference):
    model = I3D(weights=None, input_shape=(9, 193, 193, 3), classifier_activation=None)
    model.set_weights(reference.get_weights())
    fused = fuse_for_inference(model, space_to_depth_stem=True, dtype="mixed_bfloat16")
    assert isinstance(fused.get_layer("Conv3d_1a_7x7"), SpaceToDepthConv3D)
    assert fused.get_layer("Mixed_3b").compute_dtype == "bfloat16"
    clip = random_clip((1, 9, 193, 193, 3))
    logits = np.asarray(fused(clip))
    expected = np.asarray(model(clip, training=False))
    assert logits.dtype == np.float32
    correlation = np.corrcoef(logits.ravel(), expected.ravel())[0, 1]
    assert correlation > 0.99


@pytest.mark.parametrize("amx", [True, False])
def test_space_to_depth_stem_by_default_only_in_bfloat16_with_amx(monkeypatch, amx):
    # Measured on an AMD EPYC (AVX-512 BF16, no AMX): the space-to-depth
    # stem made a bfloat16 64-frame clip 5% slower; with AMX, 2x faster.
    monkeypatch.setattr(fused_module, "cpu_has_amx", lambda: amx)
    model = I3D(weights=None, include_top=False, input_shape=(8, 32, 32, 3))
    stems = {
        dtype: fuse_for_inference(model, dtype=dtype).get_layer("Conv3d_1a_7x7")
        for dtype in ("mixed_bfloat16", "float32")
    }
    assert isinstance(stems["mixed_bfloat16"], SpaceToDepthConv3D) == amx
    assert not isinstance(stems["float32"], SpaceToDepthConv3D)


@pytest.mark.parametrize(
    "flags, expected",
    [
        ("fpu avx512f avx512_bf16 amx_bf16 amx_tile amx_int8", True),
        ("fpu avx512f avx512_bf16 avx512_vnni", False),
        ("fpu amx_tile", False),
    ],
)
def test_cpu_has_amx_reads_the_flags(tmp_path, flags, expected):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: a CPU\nflags\t\t: {flags}\n\n")
    assert cpu_has_amx(str(cpuinfo)) is expected
    assert cpu_has_amx(str(tmp_path / "missing")) is False


def test_saved_and_loaded(tmp_path):
    keras.utils.set_random_seed(5)
    model = randomise_batch_norm(I3D(weights=None, include_top=False, input_shape=(8, 32, 32, 3)))
    fused = fuse_for_inference(model, space_to_depth_stem=True)
    path = tmp_path / "fused.keras"
    fused.save(path)
    loaded = keras.saving.load_model(path)
    clip = random_clip((1, 8, 32, 32, 3))
    np.testing.assert_allclose(np.asarray(loaded(clip)), np.asarray(fused(clip)), atol=1e-6)
    block = loaded.get_layer("Mixed_3b")
    assert isinstance(block, FusedInceptionBlock3D)
    assert block.get_config()["filters"] == (64, 96, 128, 16, 32, 32)


def test_rejects_other_models():
    inputs = keras.Input((8, 32, 32, 3))
    other = keras.Model(inputs, keras.layers.Conv3D(4, 3)(inputs))
    with pytest.raises(NotAnI3DError, match="keras_i3d.I3D"):
        fuse_for_inference(other)


def test_space_to_depth_stem_needs_a_fixed_shape(reference):
    with pytest.raises(ValueError, match="fixed input shape"):
        fuse_for_inference(reference, space_to_depth_stem=True)


def test_bad_block_filters():
    with pytest.raises(ValueError, match="6 ints"):
        FusedInceptionBlock3D((1, 2, 3))
    with pytest.raises(ValueError, match="odd"):
        SpaceToDepthConv3D(4, kernel_size=(7, 6, 7))


JAX_SCRIPT = """
import json, sys
import numpy as np, keras
from keras_i3d import I3D
from keras_i3d.models.fused import fuse_for_inference
keras.utils.set_random_seed(0)
model = I3D(weights=None, include_top=False, final_endpoint="Mixed_3c",
            input_shape=(8, 32, 32, 3))
rng = np.random.default_rng(0)
for variable in model.weights:
    if variable.path.endswith(("moving_mean", "beta")):
        variable.assign(rng.normal(0, 0.5, variable.shape))
    elif variable.path.endswith("moving_variance"):
        variable.assign(rng.uniform(0.3, 3.0, variable.shape))
clip = rng.uniform(-1, 1, (1, 8, 32, 32, 3)).astype("float32")
expected = np.asarray(model(clip, training=False))
differences = {}
for stem in (False, True):
    fused = fuse_for_inference(model, space_to_depth_stem=stem)
    logits = np.asarray(fused(clip))
    differences[str(stem)] = float(np.abs(logits - expected).max())
print(json.dumps({"backend": keras.backend.backend(),
                  "differences": differences}))
"""


@pytest.mark.slow
def test_runs_on_the_jax_backend():
    pytest.importorskip("jax")
    result = last_json_line(run_on_backend(JAX_SCRIPT, "jax", timeout=600))
    assert result["backend"] == "jax"
    for difference in result["differences"].values():
        assert difference <= 1e-4


def test_real_weights_on_a_real_clip(installed_kinetics400, project_root):
    from keras_i3d.data.video_clips import load_video_clips
    from keras_i3d.labels import load_labels

    clip = load_video_clips(
        project_root / "examples" / "data" / "arm_wrestling.mp4", stream="rgb", num_frames=64
    ).model_input("rgb")
    model = I3D(weights="kinetics400", input_shape=clip.shape[1:], classifier_activation=None)
    expected = np.asarray(model(clip, training=False))
    logits = np.asarray(fuse_for_inference(model)(clip))
    assert np.abs(logits - expected).max() <= LOGITS_TOLERANCE
    np.testing.assert_array_equal(top5(logits), top5(expected))
    assert load_labels()[int(top5(logits)[0, 0])] == "arm wrestling"
    bfloat16 = np.asarray(fuse_for_inference(model, dtype="mixed_bfloat16")(clip))
    assert int(np.argmax(bfloat16)) == int(np.argmax(expected))
