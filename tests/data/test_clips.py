"""`keras_i3d.data.clips.load_clips`: the frames of sampled clips, as a whole read has them."""

import numpy as np
import pytest

from keras_i3d.data.clips import load_clips
from keras_i3d.data.sampling import sample_clip_indices
from keras_i3d.video import read_video


@pytest.fixture(scope="module")
def whole_video(arm_wrestling_mp4):
    return read_video(arm_wrestling_mp4).frames


@pytest.mark.parametrize("seed", range(10))
def test_random_clip_is_the_window_of_the_whole_read(arm_wrestling_mp4, whole_video, seed):
    clips = load_clips(arm_wrestling_mp4, "rgb", 32, "random", seed=seed)
    indices = sample_clip_indices(len(whole_video), 32, "random", seed=np.random.default_rng(seed))
    assert clips["rgb"].shape == (1, 32) + whole_video.shape[1:]
    np.testing.assert_array_equal(clips["rgb"], whole_video[indices])


def test_uniform_clips_are_the_windows_of_the_whole_read(arm_wrestling_mp4, whole_video):
    clips = load_clips(arm_wrestling_mp4, "rgb", 32, "uniform", num_clips=3)
    indices = sample_clip_indices(len(whole_video), 32, "uniform", num_clips=3)
    np.testing.assert_array_equal(clips["rgb"], whole_video[indices])
