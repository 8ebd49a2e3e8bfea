"""`keras_i3d.tasks.classify`: one result for the RGB and two-stream I3D."""

import time

import numpy as np
import pytest

from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.labels import softmax
from keras_i3d.tasks import ClipTooShortError
from keras_i3d.tasks import RankedClass
from keras_i3d.tasks import VideoPrediction
from keras_i3d.tasks import classify_video
from keras_i3d.tasks import rgb_logits_model
from keras_i3d.tasks import two_stream_logits_model
from keras_i3d.tasks.classify import InferenceProfile
from keras_i3d.tasks.classify import VideoTooLongError
from keras_i3d.tasks.classify import stream_clips
from tests.video.corpus import COUNT_STEP
from tests.video.corpus import counting_frames
from tests.video.corpus import frame_index
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "clip.mp4"
    return write_video(path, moving_frames(12, 64, 80))


def _expected_top(logits, top):
    """`(index, probability, logit)` of the best `top` classes."""
    best = np.argsort(-logits, kind="stable")[:top]
    probabilities = softmax(logits)
    return [(int(i), probabilities[i], logits[i]) for i in best]


def _check_top(result, logits, top):
    assert len(result.top) == top
    for ranked, (index, probability, logit) in zip(
        result.top, _expected_top(np.asarray(logits, np.float64), top)
    ):
        assert ranked.index == index
        assert ranked.probability == pytest.approx(probability, rel=1e-6)
        assert ranked.logit == pytest.approx(logit, rel=1e-6)


def test_rgb_ranks_the_logits_of_the_decoded_clip(video):
    model = rgb_logits_model(weights=None)
    result = classify_video(video, model=model, num_frames=9, top=3)
    assert (result.num_frames, result.fps, result.stream) == (9, 25.0, "rgb")
    clip = load_video_clips(video, stream="rgb", num_frames=9)
    logits = np.asarray(model.predict(clip.model_input("rgb"), verbose=0))[0]
    _check_top(result, logits, 3)


def test_two_stream_adds_the_streams_logits(video):
    model = two_stream_logits_model(weights=None, flow_weights=None)
    result = classify_video(
        video, stream="two_stream", model=model, num_frames=9, top=4, flow_method="farneback"
    )
    assert (result.num_frames, result.stream) == (9, "two_stream")
    clips = load_video_clips(video, num_frames=9, flow_method="farneback")
    outputs = model.predict_on_batch([clips.model_input("rgb"), clips.model_input("flow")])
    joint = np.asarray(outputs["rgb_logits"]) + np.asarray(outputs["flow_logits"])
    _check_top(result, joint[0], 4)
    assert "two_stream" in result.format_table().splitlines()[0]


def test_two_stream_runs_fused_by_default(video, monkeypatch, tmp_path):
    from keras_i3d.tasks import classify
    from tests.models.stream_weights import write_random_stream_weights

    built = []

    def recording(*args, **kwargs):
        built.append(two_stream_logits_model(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(classify, "two_stream_logits_model", recording)
    arguments = dict(
        stream="two_stream",
        weights=write_random_stream_weights(tmp_path / "rgb.weights.h5", "rgb", seed=1),
        flow_weights=write_random_stream_weights(tmp_path / "flow.weights.h5", "flow", seed=2),
        num_frames=9,
        top=3,
        flow_method="farneback",
    )
    results = {
        "fused": classify_video(video, **arguments),
        "reference": classify_video(video, fused=False, **arguments),
    }
    fused, reference = built
    assert fused.name == "two_stream_i3d_fused"
    assert {"i3d_rgb_fused", "i3d_flow_fused"} <= {layer.name for layer in fused.layers}
    assert {"i3d_rgb", "i3d_flow"} <= {layer.name for layer in reference.layers}
    # Random streams (the same in both models): the same classes, float32
    # logits within 1e-4 of the reference graph's. (bfloat16 two streams:
    # tests/cli/test_predict.py and tests/models/test_two_stream_inference.py.)
    assert [c.index for c in results["fused"].top] == [c.index for c in results["reference"].top]
    for ranked, expected in zip(results["fused"].top, results["reference"].top):
        assert ranked.logit == pytest.approx(expected.logit, abs=1e-4)


@pytest.mark.parametrize("stream", ["rgb", "two_stream"])
def test_too_short_a_clip_is_refused_before_the_network(tmp_path, stream):
    short = write_video(tmp_path / "short.mp4", moving_frames(5, 64, 80))
    unusable_model = object()  # any call on it would fail differently
    with pytest.raises(ClipTooShortError, match="short.mp4: 5 frame.*at least 9 frames"):
        classify_video(short, stream=stream, model=unusable_model, flow_method="farneback")


def test_argument_errors(video):
    with pytest.raises(ValueError, match="stream.*Received: stream='flow'"):
        classify_video(video, stream="flow")
    with pytest.raises(ValueError, match="reference graph runs in float32 only"):
        classify_video(video, stream="two_stream", fused=False, precision="mixed_bfloat16")
    with pytest.raises(ValueError, match="reference graph runs in float32 only"):
        classify_video(video, fused=False, precision="mixed_bfloat16")
    with pytest.raises(ValueError, match="Received: precision='float16'"):
        classify_video(video, precision="float16")
    with pytest.raises(ValueError, match="Received: top=0"):
        classify_video(video, top=0)
    with pytest.raises(ValueError, match="at least 9.*Received: clip_length=8"):
        classify_video(video, clip_length=8)


def test_two_stream_without_flow_weights_fails_before_decoding(tmp_path):
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        classify_video(tmp_path / "never_read.mp4", stream="two_stream", weights=None)


def test_prediction_table_and_json():
    prediction = VideoPrediction(
        video="v.mp4",
        num_frames=600,
        fps=25.0,
        stream="rgb",
        top=(RankedClass(6, "arm wrestling", 0.75, 12.5), RankedClass(0, "abseiling", 0.25, 11.4)),
        mode="clips",
        num_clips=3,
        clip_length=250,
    )
    lines = prediction.format_table().splitlines()
    assert lines[0] == "v.mp4: 600 frames at 25 fps; 3 clips of 250 frames, logits averaged"
    assert lines[2].split() == ["1", "0.750000", "12.500", "arm", "wrestling"]
    assert prediction.to_json() == {
        "video": "v.mp4",
        "num_frames": 600,
        "fps": 25.0,
        "stream": "rgb",
        "mode": "clips",
        "num_clips": 3,
        "clip_length": 250,
        "top": [
            {"index": 6, "label": "arm wrestling", "probability": 0.75, "logit": 12.5},
            {"index": 0, "label": "abseiling", "probability": 0.25, "logit": 11.4},
        ],
    }


class FrameIndexModel:
    """Stands in for the RGB logits model: logit 0 is the mean index of the
    clip's `counting_frames`; it records every clip's frame indices and how
    many frames had been decoded when it ran."""

    def __init__(self, decoded):
        self.decoded = decoded
        self.clips = []
        self.decoded_when_called = []

    def __call__(self, clip, training=False):
        assert training is False
        # Time for a decoder that ran ahead without bound to show it.
        time.sleep(2.0 if not self.clips else 0.01)
        levels = (np.asarray(clip[0]) + 1.0) * 127.5
        self.clips.append(frame_index(levels))
        self.decoded_when_called.append(self.decoded[0])
        logits = np.zeros((1, 400))
        logits[0, 0] = self.clips[-1].mean()
        return logits


@pytest.fixture
def counted_decoding(monkeypatch):
    """`[frames decoded so far]`, counted as `VideoStream` emits them."""
    from keras_i3d.video.decode import VideoStream

    decoded = [0]
    finish = VideoStream._finish

    def counting_finish(self, frames):
        decoded[0] += len(frames)
        return finish(self, frames)

    monkeypatch.setattr(VideoStream, "_finish", counting_finish)
    return decoded


def test_a_long_video_runs_in_clips_decoded_as_the_model_goes(tmp_path, counted_decoding):
    total, clip_length = 300, 20
    path = write_video(tmp_path / "long.mp4", counting_frames(total, 32, 40))
    model = FrameIndexModel(counted_decoding)
    result = classify_video(path, model=model, clip_length=clip_length, top=1)
    # 15 consecutive clips of 20 frames.
    expected = [
        np.arange(start, start + clip_length) % (256 // COUNT_STEP)
        for start in range(0, total, clip_length)
    ]
    assert len(model.clips) == 15
    for clip, frames in zip(model.clips, expected):
        np.testing.assert_array_equal(clip, frames)
    assert (result.mode, result.num_clips, result.clip_length) == ("clips", 15, 20)
    assert result.num_frames == total
    # The logits are averaged over the clips.
    assert result.top[0].logit == pytest.approx(np.mean([c.mean() for c in model.clips]))
    # Frames are decoded as the model goes, never all at once: when the
    # model ran on its n-th clip, at most n + 3 clips had been decoded (one
    # queued, one being decoded, one held for the overlapping last clip).
    for number, decoded in enumerate(model.decoded_when_called, start=1):
        assert decoded <= (number + 3) * clip_length


def test_the_last_clip_ends_at_the_last_frame(tmp_path):
    path = write_video(tmp_path / "video.mp4", counting_frames(50, 32, 40))
    model = FrameIndexModel([0])
    result = classify_video(path, model=model, clip_length=20)
    levels = 256 // COUNT_STEP
    np.testing.assert_array_equal(model.clips[1], np.arange(20, 40) % levels)
    np.testing.assert_array_equal(model.clips[2], np.arange(30, 50) % levels)
    assert (result.num_clips, result.num_frames) == (3, 50)
    assert "3 clips of 20 frames, logits averaged" in result.format_table().splitlines()[0]


def test_a_video_shorter_than_a_clip_is_one_clip_of_all_its_frames(tmp_path):
    path = write_video(tmp_path / "video.mp4", counting_frames(30, 32, 40))
    model = FrameIndexModel([0])
    result = classify_video(path, model=model)
    np.testing.assert_array_equal(model.clips[0], np.arange(30) % (256 // COUNT_STEP))
    assert (result.mode, result.num_clips, result.num_frames) == ("clips", 1, 30)
    assert result.to_json()["clip_length"] == 30


def test_whole_video_mode_is_refused_beyond_its_limit(tmp_path, monkeypatch):
    import keras_i3d.tasks.classify as classify

    monkeypatch.setattr(classify, "MAX_WHOLE_VIDEO_FRAMES", 24)
    path = write_video(tmp_path / "video.mp4", counting_frames(30, 32, 40))
    with pytest.raises(VideoTooLongError, match="video.mp4: has more than 24 frames.*clips"):
        classify_video(path, model=FrameIndexModel([0]), clip_length=None)
    model = FrameIndexModel([0])
    result = classify_video(path, model=model, clip_length=None, num_frames=24)
    assert (result.mode, result.num_clips, result.num_frames) == ("whole_video", 1, 24)
    np.testing.assert_array_equal(model.clips[0], np.arange(24))
    assert "whole video in one pass" in result.format_table()


def test_two_stream_clips_have_the_flow_of_the_whole_video(video):
    clips = list(stream_clips(video, "two_stream", 5, flow_method="farneback"))
    whole = load_video_clips(video, flow_method="farneback")
    assert [new_frames for _, _, new_frames in clips] == [5, 5, 2]
    flow = np.concatenate([clips[0][1], clips[1][1], clips[2][1][-2:]])
    rgb = np.concatenate([clips[0][0], clips[1][0], clips[2][0][-2:]])
    np.testing.assert_array_equal(rgb, whole.rgb)
    np.testing.assert_allclose(flow, whole.flow, atol=1e-5)


def test_the_profile_times_each_phase(video):
    profile = InferenceProfile()
    classify_video(video, model=FrameIndexModel([0]), profile=profile)
    assert {"wait for frames", "decode", "model", "rank"} <= set(profile.seconds)
    assert all(seconds >= 0 for seconds in profile.seconds.values())
    assert (
        profile.format_lines()[0].strip().startswith("decode") or len(profile.format_lines()) == 4
    )


def test_the_decoding_thread_stops_when_the_model_cannot_be_built(video):
    import threading

    with pytest.raises(ValueError, match="kinetics-9000"):
        classify_video(video, weights="kinetics-9000")
    assert not [t for t in threading.enumerate() if t.name == "keras-i3d-decode"]
