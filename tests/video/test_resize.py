"""`read_video(..., short_side=...)`: the decoder's resize is the transforms' resize."""

import numpy as np
import pytest

from keras_i3d.data import transforms
from keras_i3d.video import read_video
from keras_i3d.video.resize import resize_short_side
from keras_i3d.video.resize import short_side_shape
from tests.video import corpus


@pytest.fixture(scope="module")
def moving_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "moving.mp4"
    return corpus.write_video(path, corpus.moving_frames(6, height=64, width=80))


def test_short_side_resizes_exactly_as_resize_short_side(moving_video):
    raw = read_video(moving_video).frames
    resized = read_video(moving_video, short_side=48)
    assert resized.frames.shape == (6, 48, 60, 3)
    assert resized.frames.dtype == np.uint8
    np.testing.assert_array_equal(resized.frames, np.asarray(resize_short_side(raw, 48)))
    window = read_video(moving_video, start_time=0.08, num_frames=3, short_side=48)
    np.testing.assert_array_equal(window.frames, resized.frames[2:5])


def test_short_side_none_keeps_the_size(moving_video):
    assert read_video(moving_video, short_side=None).frames.shape == (6, 64, 80, 3)
    assert read_video(moving_video, short_side=64).frames.shape == (6, 64, 80, 3)


def test_bad_short_side_is_refused(moving_video):
    for bad in (0, -3, 25.5, "256"):
        with pytest.raises(ValueError, match="short_side"):
            read_video(moving_video, short_side=bad)


def test_transforms_reexport_the_one_resize():
    assert transforms.resize_short_side is resize_short_side
    assert transforms.short_side_shape is short_side_shape
    assert short_side_shape(240, 320, 256) == (256, 341)
