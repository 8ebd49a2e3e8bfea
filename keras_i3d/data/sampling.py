"""Which frames of a video make a clip: random, uniform multi-clip, whole video.

Indices are numpy int arrays into the frames of a video (at the pipeline's
frame rate). Videos shorter than a clip are looped, as in the paper ("for
shorter videos, we looped the video as many times as necessary to satisfy
each model's input interface"). The random sampler takes a seed or a
`numpy.random.Generator`, so a fixed seed reproduces the same clips.
"""

import numpy as np

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS

SAMPLING_MODES = ("random", "uniform", "whole")


def check_sampling(sampling):
    if sampling not in SAMPLING_MODES:
        raise ValueError(
            f"`sampling` must be one of {SAMPLING_MODES}. Received: sampling={sampling!r}"
        )
    return sampling


def _check_counts(num_frames, clip_length):
    if num_frames < 1:
        raise ValueError(f"A video needs at least one frame. Received: num_frames={num_frames}")
    if clip_length < 1:
        raise ValueError(f"`clip_length` must be >= 1. Received: clip_length={clip_length}")


def looped_indices(start, clip_length, num_frames):
    """`clip_length` consecutive indices from `start`, wrapping at `num_frames`."""
    return (start + np.arange(clip_length)) % num_frames


def random_clip_indices(num_frames, clip_length, seed=None):
    """A random temporal crop (training): `clip_length` consecutive frames.

    Args:
        num_frames: frames in the video.
        clip_length: frames in the clip.
        seed: an int, a sequence of ints, or a `numpy.random.Generator`.

    Returns:
        int64 array `(clip_length,)`. A video shorter than the clip is
        looped from its first frame.

    Example:

    >>> random_clip_indices(5, 8, seed=0).tolist()
    [0, 1, 2, 3, 4, 0, 1, 2]
    """
    _check_counts(num_frames, clip_length)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    start = int(rng.integers(0, max(num_frames - clip_length, 0) + 1))
    return looped_indices(start, clip_length, num_frames)


def uniform_clip_indices(num_frames, clip_length, num_clips=1):
    """Evenly spaced clips (evaluation); one clip is the central one.

    Args:
        num_frames: frames in the video.
        clip_length: frames per clip.
        num_clips: how many clips; the first starts at frame 0 and the last
            ends at the last frame.

    Returns:
        int64 array `(num_clips, clip_length)`.
    """
    _check_counts(num_frames, clip_length)
    if num_clips < 1:
        raise ValueError(f"`num_clips` must be >= 1. Received: num_clips={num_clips}")
    slack = max(num_frames - clip_length, 0)
    if num_clips == 1:
        starts = np.array([slack // 2])
    else:
        starts = np.rint(np.linspace(0, slack, num_clips)).astype(np.int64)
    return np.stack([looped_indices(s, clip_length, num_frames) for s in starts])


def whole_video_indices(num_frames, min_length=MIN_FRAMES_FOR_LOGITS):
    """Every frame (evaluation on the whole video), looped up to `min_length`.

    The default `min_length` is the shortest clip the I3D logits head
    accepts.
    """
    _check_counts(num_frames, 1)
    return looped_indices(0, max(num_frames, min_length), num_frames)


def sample_clip_indices(num_frames, clip_length, sampling, num_clips=1, seed=None):
    """Dispatches to the samplers; returns `(num_clips, length)` indices.

    Args:
        num_frames: frames in the video.
        clip_length: frames per clip (the minimum length for `"whole"`).
        sampling: `"random"`, `"uniform"` or `"whole"`.
        num_clips: clips per video for `"uniform"` (1 for the others).
        seed: the random sampler's seed.
    """
    check_sampling(sampling)
    if sampling == "random":
        return random_clip_indices(num_frames, clip_length, seed)[None]
    if sampling == "uniform":
        return uniform_clip_indices(num_frames, clip_length, num_clips)
    return whole_video_indices(num_frames, clip_length)[None]
