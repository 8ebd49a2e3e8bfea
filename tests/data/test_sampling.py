import numpy as np
import pytest

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.data import sampling


def test_random_clip_is_consecutive_inside_the_video_and_seeded():
    clips = [sampling.random_clip_indices(100, 16, seed=s) for s in range(30)]
    for indices in clips:
        assert indices.shape == (16,)
        assert indices[0] + 15 == indices[-1] and indices[-1] < 100
        np.testing.assert_array_equal(np.diff(indices), 1)
    assert len({int(indices[0]) for indices in clips}) > 10
    np.testing.assert_array_equal(
        sampling.random_clip_indices(100, 16, seed=7),
        sampling.random_clip_indices(100, 16, seed=7),
    )


def test_short_videos_are_looped():
    np.testing.assert_array_equal(sampling.random_clip_indices(3, 7, seed=0), [0, 1, 2, 0, 1, 2, 0])
    np.testing.assert_array_equal(
        sampling.uniform_clip_indices(2, 5, num_clips=2), [[0, 1, 0, 1, 0]] * 2
    )


def test_uniform_clips_span_the_video():
    clips = sampling.uniform_clip_indices(100, 10, num_clips=3)
    np.testing.assert_array_equal(clips[:, 0], [0, 45, 90])
    np.testing.assert_array_equal(clips[-1], np.arange(90, 100))
    central = sampling.uniform_clip_indices(100, 10)
    np.testing.assert_array_equal(central, [np.arange(45, 55)])


def test_whole_video_loops_up_to_the_logits_minimum():
    np.testing.assert_array_equal(sampling.whole_video_indices(20), np.arange(20))
    short = sampling.whole_video_indices(4)
    assert len(short) == MIN_FRAMES_FOR_LOGITS
    np.testing.assert_array_equal(short[:5], [0, 1, 2, 3, 0])


def test_dispatch_and_errors():
    assert sampling.sample_clip_indices(50, 8, "random", seed=1).shape == (1, 8)
    assert sampling.sample_clip_indices(50, 8, "uniform", num_clips=4).shape == (4, 8)
    assert sampling.sample_clip_indices(50, 8, "whole").shape == (1, 50)
    with pytest.raises(ValueError, match="sampling"):
        sampling.sample_clip_indices(50, 8, "dense")
    with pytest.raises(ValueError, match="num_frames=0"):
        sampling.random_clip_indices(0, 8)
