"""`keras_i3d.flow.video.video_flow`: flow of the frames `read_video` resizes."""

import numpy as np

from keras_i3d.flow import farneback_flow
from keras_i3d.flow.video import video_flow
from keras_i3d.video import read_video
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video


def test_flow_is_computed_on_the_decoder_resized_frames(tmp_path):
    path = write_video(tmp_path / "moving.mp4", moving_frames(5, 64, 80))
    result = video_flow(path, flow_method="farneback", short_side=32)
    frames = read_video(path, short_side=32).frames
    np.testing.assert_array_equal(result.frames, frames)
    np.testing.assert_allclose(result.flow, farneback_flow(frames))
    assert result.flow.shape == (5, 32, 40, 2)
    assert result.metadata()["short_side"] == 32
