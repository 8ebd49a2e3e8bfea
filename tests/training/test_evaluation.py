import keras
import numpy as np
import pytest

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.data import VideoSample
from keras_i3d.data.synthetic_motion import write_motion_videos
from keras_i3d.training.evaluation import VideoTooSmallError
from keras_i3d.training.evaluation import classification_metrics
from keras_i3d.training.evaluation import evaluate_videos
from keras_i3d.training.evaluation import load_test_clips
from keras_i3d.training.evaluation import predict_video
from keras_i3d.training.evaluation import spatial_crops
from keras_i3d.training.evaluation import video_views


def test_spatial_crops():
    assert spatial_crops(10, 10, 4, 1) == [(3, 3)]
    assert spatial_crops(10, 16, 4, 3) == [(3, 0), (3, 6), (3, 12)]
    assert spatial_crops(16, 10, 4, 3) == [(0, 3), (6, 3), (12, 3)]
    assert spatial_crops(10, 10, 4, 5)[:4] == [(0, 0), (0, 6), (6, 0), (6, 6)]
    with pytest.raises(VideoTooSmallError, match="8x8"):
        spatial_crops(8, 8, 10)
    with pytest.raises(ValueError, match="num_crops"):
        spatial_crops(10, 10, 4, 2)


def test_centre_view_is_the_pipelines_centre_crop():
    from keras_i3d.data import center_crop

    clips = np.random.default_rng(0).integers(0, 256, (2, 3, 9, 13, 3), dtype=np.uint8)
    views = video_views(clips, crop_size=5)
    assert views.shape == (2, 3, 5, 5, 3) and views.dtype == np.uint8
    for view, clip in zip(views, clips):
        np.testing.assert_array_equal(view, np.asarray(center_crop(clip, 5)))


def test_views_flip_negates_horizontal_flow():
    flow = np.zeros((1, 2, 4, 4, 2), np.float32)
    flow[..., 0] = np.arange(4)[None, None, :] + 1.0
    flow[..., 1] = 0.5
    views = video_views(flow, crop_size=4, flip=True, is_flow=True)
    assert views.shape == (2, 2, 4, 4, 2)
    np.testing.assert_array_equal(views[1, ..., 0], -views[0, :, :, ::-1, 0])
    np.testing.assert_array_equal(views[1, ..., 1], views[0, ..., 1])
    rgb_views = video_views(flow[..., :1], crop_size=4, flip=True)
    np.testing.assert_array_equal(rgb_views[1], rgb_views[0][:, :, ::-1])


def test_views_count_clips_crops_and_flips():
    clips = np.zeros((3, 2, 8, 12, 3), np.uint8)
    assert video_views(clips, 6, num_crops=5, flip=True).shape == (30, 2, 6, 6, 3)
    with pytest.raises(ValueError, match="clips, frames"):
        video_views(clips[0], 6)


def test_metrics_on_known_predictions():
    probabilities = np.array(
        [
            [0.7, 0.2, 0.1],  # true 0, right
            [0.5, 0.4, 0.1],  # true 1, wrong (second)
            [0.1, 0.2, 0.7],  # true 2, right
            [0.6, 0.1, 0.3],  # true 2, wrong (second)
        ]
    )
    metrics = classification_metrics(probabilities, [0, 1, 2, 2], 3)
    assert metrics["top1"] == 0.5
    assert metrics["top5"] == 1.0
    np.testing.assert_allclose(metrics["per_class_accuracy"], [1, 0, 0.5])
    assert metrics["mean_class_accuracy"] == pytest.approx(0.5)
    assert metrics["confusion_matrix"].tolist() == [[1, 0, 0], [1, 0, 0], [1, 0, 1]]
    with pytest.raises(ValueError, match="Labels"):
        classification_metrics(probabilities, [0, 1, 2, 3], 3)


def _channel_mean_model(classes=3):
    # Logits = the mean of each input channel over time and space, times 10:
    # a model that accepts clips of any size, class c wins where channel c
    # is brightest.
    inputs = keras.Input((None, None, None, 3))
    pooled = keras.layers.GlobalAveragePooling3D()(inputs)
    logits = keras.layers.Dense(classes, use_bias=False)(pooled)
    model = keras.Model(inputs, logits)
    model.layers[-1].kernel.assign(np.eye(3, classes, dtype="float32") * 10)
    return model


def test_predict_video_scales_and_averages_softmax_over_views():
    model = _channel_mean_model()
    clips = np.zeros((2, 3, 8, 8, 3), np.uint8)
    clips[0, ..., 0] = 255  # first clip says class 0
    clips[1, ..., 1] = 255  # second clip says class 1
    scores = predict_video(model, clips, crop_size=8)
    assert scores.shape == (3,) and np.isclose(scores.sum(), 1)
    # Each clip is confident; their average splits between the two classes.
    assert scores[0] == pytest.approx(0.5, abs=1e-3)
    assert scores[1] == pytest.approx(0.5, abs=1e-3)
    alone = predict_video(model, {"rgb": clips[:1]}, crop_size=8)
    # uint8 255 is scaled to 1.0 and 0 to -1.0: logits (10, -10, -10).
    expected = np.exp([10, -10, -10]) / np.exp([10, -10, -10]).sum()
    np.testing.assert_allclose(alone, expected, rtol=1e-5)


def test_predict_video_tells_probabilities_from_logits():
    clips = np.zeros((2, 1, 4, 4, 3), np.uint8)
    probabilities = np.array([[0.7, 0.2, 0.1]], np.float32)
    logits = np.array([[2.0, -1.0, 0.5]], np.float32)

    def returning(values):
        return lambda inputs, training=False: np.repeat(values, len(inputs), axis=0)

    np.testing.assert_allclose(
        predict_video(returning(probabilities), clips, crop_size=4, from_logits=None),
        probabilities[0],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        predict_video(returning(logits), clips, crop_size=4, from_logits=None),
        np.exp(logits[0]) / np.exp(logits[0]).sum(),
        rtol=1e-6,
    )
    # Forced: the probabilities treated as logits get a softmax.
    forced = predict_video(returning(probabilities), clips, crop_size=4, from_logits=True)
    assert not np.allclose(forced, probabilities[0])


def test_predict_video_two_streams_get_the_same_views():
    seen = []

    def recorder(inputs, training=False):
        assert not training
        seen.append([np.asarray(x) for x in inputs])
        return {"predictions": np.ones((len(inputs[0]), 2), np.float32)}

    rgb = np.random.default_rng(0).integers(0, 256, (1, 2, 6, 10, 3), dtype=np.uint8)
    flow = np.zeros((1, 2, 6, 10, 2), np.float32)
    flow[..., 0] = 40.0  # clipped to 20 px, scaled to 1
    scores = predict_video(
        recorder, {"rgb": rgb, "flow": flow}, crop_size=4, num_crops=3, flip=True, from_logits=False
    )
    np.testing.assert_allclose(scores, [1, 1])
    rgb_views, flow_views = seen[0]
    assert rgb_views.shape == (6, 2, 4, 4, 3)
    assert flow_views.shape == (6, 2, 4, 4, 2)
    # Unflipped views move right along the long side; flipped ones negate x.
    np.testing.assert_allclose(flow_views[0::2, ..., 0], 1.0)
    np.testing.assert_allclose(flow_views[1::2, ..., 0], -1.0)
    np.testing.assert_allclose(rgb_views[0], rgb[0, :, 1:5, 0:4] / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(rgb_views[4], rgb[0, :, 1:5, 6:10] / 127.5 - 1, atol=1e-6)


def test_load_test_clips_whole_video_and_uniform_clips(tmp_path):
    ((path, label),) = write_motion_videos(tmp_path, 1, num_frames=6, size=32, classes=2)[:1]
    sample = VideoSample(path, label, "right")
    whole = load_test_clips(sample, short_side=16)["rgb"]
    # Six frames are looped up to the shortest clip the I3D head accepts.
    assert whole.shape == (1, MIN_FRAMES_FOR_LOGITS, 16, 16, 3)
    np.testing.assert_array_equal(whole[0, 6], whole[0, 0])
    clips = load_test_clips(sample, clip_length=4, num_clips=3, short_side=None)
    assert clips["rgb"].shape == (3, 4, 32, 32, 3)
    np.testing.assert_array_equal(clips["rgb"][0, 2], clips["rgb"][2, 0])


def test_load_test_clips_resize_rgb_while_decoding_and_flow_after(tmp_path):
    from keras_i3d.data import load_clips
    from keras_i3d.data import resize_flow_short_side
    from keras_i3d.data import resize_short_side
    from keras_i3d.flow import write_flow

    ((path, label),) = write_motion_videos(tmp_path, 1, num_frames=12, size=32, classes=2)[:1]
    flow = np.random.default_rng(0).normal(0, 3, (12, 32, 32, 2))
    flow_path = write_flow(flow.astype(np.float32), tmp_path / "flow" / "v", "png")
    sample = VideoSample(path, label, flow_path=str(flow_path))
    clips = load_test_clips(sample, "two_stream", clip_length=4, num_clips=2, short_side=24)
    # The same numbers as decoding at full size and resizing afterwards.
    raw = load_clips(path, "two_stream", 4, "uniform", 2, flow_path=str(flow_path), short_side=24)
    for name, resize_fn in (("rgb", resize_short_side), ("flow", resize_flow_short_side)):
        expected = np.stack([np.asarray(resize_fn(clip, 24)) for clip in raw[name]])
        assert clips[name].shape == expected.shape == (2, 4, 24, 24, 3 if name == "rgb" else 2)
        np.testing.assert_array_equal(clips[name], expected)


def test_a_baselines_test_view_with_stacked_flow(tmp_path):
    from keras_i3d.data import InputView
    from keras_i3d.flow import write_flow

    ((path, label),) = write_motion_videos(tmp_path, 1, num_frames=24, size=16, classes=2)[:1]
    flow = np.zeros((24, 16, 16, 2), np.float32)
    flow[..., 0] = np.arange(24)[:, None, None] / 2  # x = frame / 2 px
    flow_path = write_flow(flow, tmp_path / "flow" / "video", "png")
    sample = VideoSample(path, label, flow_path=str(flow_path))
    # Two-Stream 2D's test view, small: 3 snapshots 5 frames apart, each
    # with 2 stacked flow frames; 2 windows per video.
    view = InputView(3, spacing=5, flow_stack=2)
    clips = load_test_clips(sample, num_clips=2, short_side=None, view=view)
    assert clips["rgb"].shape == (2, 3, 16, 16, 3)
    assert clips["flow"].shape == (2, 6, 16, 16, 2)
    with pytest.raises(ValueError, match="either `view` or `clip_length`"):
        load_test_clips(sample, clip_length=4, view=view)

    seen = []

    def recorder(inputs, training=False):
        seen.append([np.asarray(x) for x in inputs])
        return np.ones((len(inputs[0]), 2), np.float32)

    predict_video(recorder, clips, crop_size=16, flip=True, from_logits=False, flow_stack=2)
    rgb_views, flow_views = seen[0]
    assert rgb_views.shape == (4, 3, 16, 16, 3)
    assert flow_views.shape == (4, 3, 16, 16, 4)
    # Window 0 starts at frame 0 (window 1 ends at the last frame): snapshot
    # k stacks flow frames 5k and 5k + 1; x scaled by 1/20, negated when
    # the view is flipped, y untouched.
    first = flow_views[0, :, 0, 0]
    expected = np.array([[5 * k / 2, 0, (5 * k + 1) / 2, 0] for k in range(3)]) / 20
    np.testing.assert_allclose(first, expected, atol=0.01)
    np.testing.assert_allclose(flow_views[1, :, 0, 0], expected * [-1, 1, -1, 1], atol=0.01)

    from keras_i3d.models import TwoStream2D

    model = TwoStream2D(input_shape=(None, 16, 16, 3), classes=2, flow_stack=2)
    scores = predict_video(model, clips, crop_size=16, from_logits=False, flow_stack=2)
    assert scores.shape == (2,) and abs(scores.sum() - 1) < 1e-5


def test_evaluate_videos_skips_bad_items_and_saves_plots(tmp_path):
    from keras_i3d.data import SkippedVideos

    model = _channel_mean_model()

    def video_of(label):
        clips = np.zeros((1, 4, 8, 8, 3), np.uint8)
        clips[..., label] = 255
        return lambda: (clips, label)

    def unreadable():
        raise OSError("cannot decode broken.mp4")

    items = [
        ("a.mp4", video_of(0)),
        ("b.mp4", video_of(2)),
        ("broken.mp4", unreadable),
        ("tiny.mp4", lambda: (np.zeros((1, 4, 2, 2, 3)), 1)),
    ]
    skipped = SkippedVideos()
    result = evaluate_videos(model, items, ["x", "y", "z"], crop_size=8, skipped=skipped)
    assert result.metrics["top1"] == 1.0
    assert result.skipped is skipped and len(skipped) == 2
    assert skipped.paths == ["broken.mp4", "tiny.mp4"]
    assert "smaller than the 8x8 crop" in skipped.items[1].reason
    summary = result.summary()
    assert summary["per_class_accuracy"] == {"x": 1.0, "z": 1.0}
    assert summary["predictions"][1] == {
        "video": "b.mp4",
        "label": "z",
        "predicted": "z",
        "probability": pytest.approx(1.0),
    }
    assert result.plotted_classes().tolist() == [0, 2]
    paths = result.save_plots(tmp_path)
    for path in paths:
        with open(path, "rb") as file:
            assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="No video.*broken.mp4"):
        evaluate_videos(model, [("broken.mp4", unreadable)], ["x", "y", "z"], crop_size=8)
