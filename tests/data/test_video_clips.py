"""`keras_i3d.data.video_clips`: a video file to the cropped stream inputs."""

import numpy as np
import pytest

from keras_i3d.data.transforms import center_crop
from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.flow import FlowError
from keras_i3d.flow import tvl1_flow
from keras_i3d.video import VideoReadError
from keras_i3d.video import read_video
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video

SMALL = dict(short_side=48, crop_size=32)


@pytest.fixture(scope="module")
def moving_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "moving.mp4"
    return write_video(path, moving_frames(10, height=64, width=80))


def test_both_streams_share_the_resize_and_the_central_crop(moving_video):
    clips = load_video_clips(moving_video, num_frames=6, **SMALL)
    assert clips.rgb.shape == (6, 32, 32, 3) and clips.rgb.dtype == np.uint8
    assert clips.flow.shape == (6, 32, 32, 2)
    assert clips.num_frames == 6 and clips.fps == 25.0
    resized = read_video(moving_video, short_side=48).frames
    np.testing.assert_array_equal(clips.rgb, np.asarray(center_crop(resized[:6], 32)))
    # Flow is computed on the whole resized frame, then cropped.
    np.testing.assert_allclose(clips.flow, np.asarray(center_crop(tvl1_flow(resized[:7])[:6], 32)))


def test_flow_of_the_last_clip_frame_looks_one_frame_ahead(moving_video):
    clip = load_video_clips(moving_video, stream="flow", num_frames=6, **SMALL)
    whole = load_video_clips(moving_video, stream="flow", **SMALL)
    assert clip.rgb is None
    np.testing.assert_allclose(clip.flow, whole.flow[:6])
    # Only the video's own last field is a repeat.
    np.testing.assert_array_equal(whole.flow[-1], whole.flow[-2])
    assert not np.array_equal(clip.flow[-1], clip.flow[-2])


def test_rgb_only_computes_no_flow(moving_video):
    clips = load_video_clips(moving_video, stream="rgb", **SMALL)
    assert clips.flow is None and clips.rgb.shape == (10, 32, 32, 3)


def test_bad_videos_raise_value_errors_naming_the_file(tmp_path, moving_video):
    single = write_video(tmp_path / "single.mp4", moving_frames(1))
    with pytest.raises(FlowError, match="single.mp4.*at least 2 frames"):
        load_video_clips(single, **SMALL)
    with pytest.raises(VideoReadError, match="missing.mp4"):
        load_video_clips(tmp_path / "missing.mp4", **SMALL)
    with pytest.raises(ValueError, match="moving.mp4.*smaller than"):
        load_video_clips(moving_video, short_side=None, crop_size=72)
    with pytest.raises(ValueError, match="short_side"):
        load_video_clips(moving_video, short_side=24, crop_size=32)
    with pytest.raises(ValueError, match="stream"):
        load_video_clips(moving_video, stream="depth", **SMALL)


def test_model_input_scales_one_stream_to_a_batch_of_one(moving_video):
    clips = load_video_clips(moving_video, stream="rgb", num_frames=4, **SMALL)
    rgb = clips.model_input("rgb")
    assert rgb.shape == (1, 4, 32, 32, 3) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb[0], clips.rgb / 127.5 - 1, atol=1e-6)
    with pytest.raises(ValueError, match="flow stream was not loaded"):
        clips.model_input("flow")
