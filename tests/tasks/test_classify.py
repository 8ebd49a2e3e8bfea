"""`keras_i3d.tasks.classify`: one result for the RGB and two-stream I3D."""

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


@pytest.mark.parametrize("stream", ["rgb", "two_stream"])
def test_too_short_a_clip_is_refused_before_the_network(tmp_path, stream):
    short = write_video(tmp_path / "short.mp4", moving_frames(5, 64, 80))
    unusable_model = object()  # any call on it would fail differently
    with pytest.raises(ClipTooShortError, match="short.mp4: 5 frame.*at least 9 frames"):
        classify_video(short, stream=stream, model=unusable_model, flow_method="farneback")


def test_argument_errors(video):
    with pytest.raises(ValueError, match="stream.*Received: stream='flow'"):
        classify_video(video, stream="flow")
    with pytest.raises(ValueError, match="RGB model only"):
        classify_video(video, stream="two_stream", fast=True)
    with pytest.raises(ValueError, match="Received: top=0"):
        classify_video(video, top=0)


def test_two_stream_without_flow_weights_fails_before_decoding(tmp_path):
    with pytest.raises(ValueError, match="No pretrained flow-stream weights"):
        classify_video(tmp_path / "never_read.mp4", stream="two_stream", weights=None)


def test_prediction_table_and_json():
    prediction = VideoPrediction(
        video="v.mp4",
        num_frames=64,
        fps=25.0,
        stream="rgb",
        top=(RankedClass(6, "arm wrestling", 0.75, 12.5), RankedClass(0, "abseiling", 0.25, 11.4)),
    )
    lines = prediction.format_table().splitlines()
    assert lines[0] == "v.mp4: 64 frames at 25 fps"
    assert lines[2].split() == ["1", "0.750000", "12.500", "arm", "wrestling"]
    assert prediction.to_json() == {
        "video": "v.mp4",
        "num_frames": 64,
        "fps": 25.0,
        "stream": "rgb",
        "top": [
            {"index": 6, "label": "arm wrestling", "probability": 0.75, "logit": 12.5},
            {"index": 0, "label": "abseiling", "probability": 0.25, "logit": 11.4},
        ],
    }
