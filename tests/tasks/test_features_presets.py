"""Presets, pooling, crops and the fused graph of window features."""

import numpy as np
import pytest

from keras_i3d.preprocessing import preprocess_input
from keras_i3d.tasks.features.crops import take_crops
from keras_i3d.tasks.features.extract import batched_features
from keras_i3d.tasks.features.extract import window_inputs
from keras_i3d.tasks.features.frames import pil_resize_short_side
from keras_i3d.tasks.features.models import feature_model
from keras_i3d.tasks.features.presets import PRESETS
from keras_i3d.tasks.features.presets import TWO_STREAM_PRESETS
from keras_i3d.tasks.features.presets import preset_fields
from keras_i3d.tasks.features.settings import FeatureSettings
from keras_i3d.tasks.features.windows import SlidingWindows


def test_every_preset_is_valid_settings():
    for name in PRESETS:
        settings = FeatureSettings(**preset_fields(name))
        assert settings.describe()["window"] == PRESETS[name]["window"]
    assert TWO_STREAM_PRESETS == ("thumos14",)
    with pytest.raises(ValueError, match="Unknown preset"):
        preset_fields("kinetics")


@pytest.mark.parametrize(
    "name, window, stride, fps, output_shape",
    [
        ("activitynet", 16, 16, 25.0, (None, 1024)),
        ("thumos14", 16, 4, None, (None, 1024)),  # x2 streams, concatenated
        ("video_features", 64, 64, None, (None, 1024)),
        ("piergiaj", 64, 64, None, (None, 7, 1024)),
    ],
)
def test_presets_give_their_documented_shapes(name, window, stride, fps, output_shape):
    settings = FeatureSettings(**preset_fields(name))
    assert (settings.window, settings.stride, settings.fps) == (window, stride, fps)
    model = feature_model(
        "rgb", weights=None, window=settings.window, pooling=settings.pooling, fused=True
    )
    assert model.output_shape == output_shape


def test_video_features_pooling_is_avgpool_2x7x7_then_the_time_mean():
    from keras_i3d import I3D

    rng = np.random.default_rng(0)
    clip = rng.uniform(-1, 1, (1, 32, 224, 224, 3)).astype("float32")
    body = I3D(weights=None, include_top=False, input_shape=clip.shape[1:])
    for variable in body.weights:
        variable.assign(rng.normal(0, 0.05, variable.shape).astype("float32"))
    mixed_5c = np.asarray(body.predict_on_batch(clip))[0]  # (4, 7, 7, 1024)
    pooled = feature_model("rgb", weights=None, window=32, pooling="avgpool_2x7x7", fused=False)
    steps = feature_model(
        "rgb", weights=None, window=32, pooling="avgpool_2x7x7_steps", fused=False
    )
    for model in (pooled, steps):  # the same body, then the pools
        model.set_weights(body.get_weights())
    # AvgPool3d((2, 7, 7), stride 1): step t averages time steps t and t+1.
    expected_steps = (mixed_5c[:-1] + mixed_5c[1:]).mean(axis=(1, 2)) / 2
    np.testing.assert_allclose(steps.predict_on_batch(clip)[0], expected_steps, atol=1e-5)
    np.testing.assert_allclose(
        pooled.predict_on_batch(clip)[0], expected_steps.mean(axis=0), atol=1e-5
    )


def test_pil_resize_truncates_the_long_side_as_video_features_does():
    frames = np.random.default_rng(0).integers(0, 256, (2, 240, 427, 3), dtype=np.uint8)
    resized = pil_resize_short_side(frames, 256)
    assert resized.shape == (2, 256, int(256 * 427 / 240), 3) == (2, 256, 455, 3)
    portrait = pil_resize_short_side(frames.transpose(0, 2, 1, 3), 256)
    assert portrait.shape == (2, 455, 256, 3)
    assert pil_resize_short_side(resized, 256) is resized  # already 256: untouched


def test_ten_crops_are_the_corners_the_centre_and_their_flips():
    frames = np.random.default_rng(1).integers(0, 256, (3, 40, 50, 3), dtype=np.uint8)
    crops = take_crops(frames, 32, crops=10)
    assert crops.shape == (3, 10, 32, 32, 3)
    corners = [(0, 0), (0, 18), (8, 0), (8, 18), (4, 9)]
    for index, (top, left) in enumerate(corners):
        view = frames[:, top : top + 32, left : left + 32]
        np.testing.assert_array_equal(crops[:, index], view)
        np.testing.assert_array_equal(crops[:, index + 5], view[:, :, ::-1])
    flow = np.random.default_rng(2).normal(0, 3, (3, 40, 50, 2)).astype("float32")
    flipped = take_crops(flow, 32, crops=10, stream="flow")[:, 5]
    np.testing.assert_array_equal(flipped[..., 0], -flow[:, 0:32, 0:32][:, :, ::-1, 0])
    np.testing.assert_array_equal(flipped[..., 1], flow[:, 0:32, 0:32][:, :, ::-1, 1])


@pytest.fixture(scope="module")
def small_model():
    return feature_model("rgb", weights=None, window=8, crop_size=32)


def test_ten_crop_mean_equals_the_mean_of_the_ten_explicit_crops(small_model):
    frames = np.random.default_rng(3).integers(0, 256, (12, 40, 48, 3), dtype=np.uint8)
    chunks = [{"rgb": take_crops(frames, 32, crops=10)}]
    windows = window_inputs(chunks, SlidingWindows(8, 4), 8)
    (result,) = batched_features([(0, windows)], {"rgb": small_model}, batch_size=7)
    features = result.features["rgb"]
    assert features.shape == (2, 10, 1024)
    crops = take_crops(frames, 32, crops=10)
    for row, start in enumerate((0, 4)):
        explicit = [
            small_model.predict_on_batch(preprocess_input(crops[None, start : start + 8, crop]))[0]
            for crop in range(10)
        ]
        np.testing.assert_allclose(features[row], explicit, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(
            features[row].mean(axis=0), np.mean(explicit, axis=0), rtol=1e-4, atol=1e-5
        )


@pytest.mark.parametrize("endpoint", ["Mixed_4f", "Mixed_5c"])
def test_the_fused_graph_gives_the_reference_features(endpoint):
    import keras

    keras.utils.set_random_seed(4)
    reference = feature_model(
        "rgb", endpoint=endpoint, weights=None, window=8, crop_size=64, fused=False
    )
    rng = np.random.default_rng(4)
    for variable in reference.weights:  # batch norm statistics that matter
        if "moving_variance" in variable.path:
            variable.assign(rng.uniform(0.5, 2.0, variable.shape).astype("float32"))
        elif "moving_mean" in variable.path:
            variable.assign(rng.normal(0, 0.1, variable.shape).astype("float32"))
    from keras_i3d.models.fused import fuse_for_inference

    fused = fuse_for_inference(reference)
    clip = rng.uniform(-1, 1, (2, 8, 64, 64, 3)).astype("float32")
    expected = np.asarray(reference.predict_on_batch(clip))
    np.testing.assert_allclose(fused.predict_on_batch(clip), expected, atol=1e-4)
    # feature_model(fused=True) is that same fused graph.
    built = feature_model(
        "rgb", endpoint=endpoint, weights=None, window=8, crop_size=64, fused=True
    )
    assert [layer.name for layer in built.layers] == [layer.name for layer in fused.layers]


def test_bfloat16_needs_the_fused_graph():
    with pytest.raises(ValueError, match="runs the fused graph"):
        feature_model(
            "rgb", weights=None, window=8, crop_size=32, fused=False, precision="mixed_bfloat16"
        )
    model = feature_model(
        "rgb", weights=None, window=8, crop_size=32, fused=True, precision="mixed_bfloat16"
    )
    clip = np.zeros((1, 8, 32, 32, 3), "float32")
    assert model.predict_on_batch(clip).shape == (1, 1024)


@pytest.mark.parametrize(
    "endpoint, pooling, window, crop_size",
    [
        ("Mixed_5c", "avgpool_2x7x7", 16, 64),
        ("Mixed_5c", "avgpool_2x7x7_steps", 16, 64),
        ("Logits", "avg", 9, 193),
    ],
)
def test_every_head_runs_through_inference_model(endpoint, pooling, window, crop_size):
    # The pooled heads sit on the graph `inference_model` picks, fused or
    # not, and give the same features either way.
    import keras

    arguments = dict(endpoint=endpoint, window=window, crop_size=crop_size, pooling=pooling)
    keras.utils.set_random_seed(5)
    reference = feature_model("rgb", weights=None, fused=False, **arguments)
    keras.utils.set_random_seed(5)
    fused = feature_model("rgb", weights=None, fused=True, **arguments)
    from keras_i3d.layers import Unit3D

    assert any(isinstance(layer, Unit3D) for layer in reference.layers)
    assert not any(isinstance(layer, Unit3D) for layer in fused.layers)  # batch norm folded
    clip = np.random.default_rng(5).uniform(-1, 1, (1, window, crop_size, crop_size, 3))
    clip = clip.astype("float32")
    np.testing.assert_allclose(
        fused.predict_on_batch(clip), reference.predict_on_batch(clip), atol=1e-4
    )
