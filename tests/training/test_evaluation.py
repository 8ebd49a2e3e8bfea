import keras
import numpy as np
import pytest

from keras_i3d.training.evaluation import VideoTooSmallError
from keras_i3d.training.evaluation import classification_metrics
from keras_i3d.training.evaluation import evaluate_videos
from keras_i3d.training.evaluation import predict_video
from keras_i3d.training.evaluation import spatial_crops
from keras_i3d.training.evaluation import temporal_windows
from keras_i3d.training.evaluation import video_views


def test_temporal_windows():
    assert temporal_windows(5).tolist() == [[0, 1, 2, 3, 4]]
    assert temporal_windows(10, 4, 3).tolist() == [
        [0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    # A short video is looped.
    assert temporal_windows(3, 5, 1).tolist() == [[0, 1, 2, 0, 1]]
    with pytest.raises(ValueError, match="no frames"):
        temporal_windows(0)


def test_spatial_crops():
    assert spatial_crops(10, 10, 4, 1) == [(3, 3)]
    assert spatial_crops(10, 16, 4, 3) == [(3, 0), (3, 6), (3, 12)]
    assert spatial_crops(10, 10, 4, 5)[:4] == [(0, 0), (0, 6), (6, 0),
                                               (6, 6)]
    with pytest.raises(VideoTooSmallError, match="8x8"):
        spatial_crops(8, 8, 10)
    with pytest.raises(ValueError, match="num_crops"):
        spatial_crops(10, 10, 4, 2)


def test_views_flip_negates_horizontal_flow():
    flow = np.zeros((2, 4, 4, 2), np.float32)
    flow[..., 0] = np.arange(4)[None, None, :] + 1.0
    flow[..., 1] = 0.5
    views = video_views(flow, crop_size=4, flip=True, flow=True)
    assert views.shape == (2, 2, 4, 4, 2)
    np.testing.assert_array_equal(views[1, ..., 0], -views[0, :, :, ::-1, 0])
    np.testing.assert_array_equal(views[1, ..., 1], views[0, ..., 1])


def test_metrics_on_known_predictions():
    probabilities = np.array([
        [0.7, 0.2, 0.1],  # true 0, right
        [0.5, 0.4, 0.1],  # true 1, wrong (second)
        [0.1, 0.2, 0.7],  # true 2, right
        [0.6, 0.1, 0.3],  # true 2, wrong (second)
    ])
    metrics = classification_metrics(probabilities, [0, 1, 2, 2], 3)
    assert metrics["top1"] == 0.5
    assert metrics["top5"] == 1.0
    np.testing.assert_allclose(metrics["per_class_accuracy"], [1, 0, 0.5])
    assert metrics["mean_class_accuracy"] == pytest.approx(0.5)
    assert metrics["confusion_matrix"].tolist() == [[1, 0, 0], [1, 0, 0],
                                                    [1, 0, 1]]
    with pytest.raises(ValueError, match="Labels"):
        classification_metrics(probabilities, [0, 1, 2, 3], 3)


def _temporal_mean_model(classes=3):
    # Logits = a dense layer on the mean over time and space: an I3D-like
    # model that accepts clips of any length.
    inputs = keras.Input((None, None, None, 3))
    pooled = keras.layers.GlobalAveragePooling3D()(inputs)
    logits = keras.layers.Dense(classes, use_bias=False)(pooled)
    model = keras.Model(inputs, logits)
    model.layers[-1].kernel.assign(np.eye(3, classes, dtype="float32") * 10)
    return model


def test_predict_video_averages_softmax_over_views():
    model = _temporal_mean_model()
    video = np.zeros((6, 8, 8, 3), np.float32)
    video[:3, ..., 0] = 1.0  # first half says class 0
    video[3:, ..., 1] = 1.0  # second half says class 1
    whole = predict_video(model, video, crop_size=8)
    clips = predict_video(model, video, crop_size=8, clip_frames=3,
                          num_clips=2)
    assert whole.shape == (3,) and np.isclose(whole.sum(), 1)
    assert whole[0] == pytest.approx(whole[1])
    # Each clip is confident; their average splits between the two classes.
    assert clips[0] == pytest.approx(0.5, abs=1e-3)
    assert clips[1] == pytest.approx(0.5, abs=1e-3)


def test_evaluate_videos_skips_bad_items_and_saves_plots(tmp_path):
    model = _temporal_mean_model()

    def video_of(label):
        video = np.zeros((4, 8, 8, 3), np.float32)
        video[..., label] = 1.0
        return lambda: (video, label)

    def unreadable():
        raise OSError("cannot decode broken.mp4")

    items = [("a.mp4", video_of(0)), ("b.mp4", video_of(2)),
             ("broken.mp4", unreadable),
             ("tiny.mp4", lambda: (np.zeros((4, 2, 2, 3)), 1))]
    result = evaluate_videos(model, items, ["x", "y", "z"], crop_size=8)
    assert result.metrics["top1"] == 1.0
    assert [name for name, _ in result.skipped] == ["broken.mp4", "tiny.mp4"]
    assert "smaller than the 8x8 crop" in result.skipped[1][1]
    summary = result.summary()
    assert summary["per_class_accuracy"] == {"x": 1.0, "y": None, "z": 1.0}
    paths = result.save_plots(tmp_path)
    for path in paths:
        with open(path, "rb") as file:
            assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="No video"):
        evaluate_videos(model, [("broken.mp4", unreadable)], ["x", "y", "z"],
                        crop_size=8)
