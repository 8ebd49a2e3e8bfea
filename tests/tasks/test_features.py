import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.tasks.features import extract_features
from keras_i3d.tasks.features import feature_model
from keras_i3d.tasks.features import feature_size
from keras_i3d.tasks.features import sliding_window_starts
from keras_i3d.tasks.features import window_frame_indices


@pytest.fixture(scope="module")
def rgb_model():
    return feature_model("rgb", weights=None, window=8, crop_size=32, fused=False)


def test_window_starts_cover_the_video_every_stride():
    assert sliding_window_starts(100, window=64, stride=16) == [0, 16, 32]
    assert sliding_window_starts(64, window=64, stride=16) == [0]
    assert sliding_window_starts(5, window=8, stride=2) == [0]
    assert sliding_window_starts(12, window=8, stride=2) == [0, 2, 4]
    with pytest.raises(ValueError, match="stride"):
        sliding_window_starts(12, window=8, stride=0)
    with pytest.raises(ValueError, match="at least one frame"):
        sliding_window_starts(0, window=8, stride=2)


def test_short_videos_are_looped_to_fill_a_window():
    np.testing.assert_array_equal(window_frame_indices(0, 8, 3), [0, 1, 2, 0, 1, 2, 0, 1])
    np.testing.assert_array_equal(window_frame_indices(2, 4, 10), [2, 3, 4, 5])


def test_mixed_5c_features_are_the_pooled_endpoint_of_each_window(rgb_model):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (14, 32, 32, 3), dtype=np.uint8)
    finished = []
    features = extract_features(
        frames,
        rgb_model,
        "rgb",
        window=8,
        stride=3,
        batch_size=2,
        progress=finished.append,
    )
    assert features.shape == (3, 1024) == (3, feature_size("Mixed_5c"))
    assert features.dtype == np.float32
    assert finished == [2, 1]
    # Batching must not change a window's features.
    expected = rgb_model.predict_on_batch(preprocess_input(frames[None, 3:11], stream="rgb"))
    np.testing.assert_allclose(features[1], expected[0], rtol=1e-4, atol=1e-5)
    assert not np.allclose(features[0], features[1])


def test_flow_features_take_flow_in_pixels():
    model = feature_model("flow", weights=None, window=8, crop_size=32)
    flow = np.random.default_rng(1).normal(0, 5, (8, 32, 32, 2))
    features = extract_features(flow.astype(np.float16), model, "flow", window=8)
    assert features.shape == (1, 1024)


def test_an_earlier_endpoint_is_average_pooled():
    model = feature_model("rgb", endpoint="Mixed_4f", weights=None, window=8, crop_size=32)
    assert model.output_shape == (None, feature_size("Mixed_4f")) == (None, 832)


def test_logits_features_are_pre_softmax_class_scores():
    model = feature_model("rgb", endpoint="Logits", weights=None, window=9, crop_size=193)
    assert model.output_shape == (None, 400)
    assert model.layers[-1].name == "Logits"  # no softmax after it


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(endpoint="Logits", window=8, crop_size=224), "at least 9"),
        (dict(endpoint="Logits", window=9, crop_size=64), "at least 193"),
        (dict(endpoint="Mixed_9z"), "Unknown endpoint"),
        (dict(window=0), "window"),
    ],
)
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        feature_model("rgb", weights=None, **arguments)


def test_feature_model_matches_i3d_without_top(rgb_model):
    reference = I3D(
        weights=None,
        include_top=False,
        pooling="avg",
        input_shape=(8, 32, 32, 3),
    )
    assert reference.count_params() == rgb_model.count_params()
