"""Which frames each feature row is computed from.

Frames are counted in the sampled stream (after any resampling to `fps`):
frame `k` is on screen during `[k / fps, (k + 1) / fps)` seconds.

Two layouts:

* **Sliding windows** (`SlidingWindows`): row `i` uses frames
  `[i * stride, i * stride + window)`; rows stop at the last window that
  fits, so up to `stride - 1` trailing frames are not covered. A video
  shorter than one window gives one row, its frames looped to fill it (the
  paper's treatment of short videos), unless `loop_short=False` (then it
  gives no row, as video_features does).
* **Centred windows** (`CentredWindows`): one row per frame `t`, computed
  from the window of `window` frames centred on it, frames
  `[t - window // 2, t - window // 2 + window)`; past either end of the
  video the window is padded (`pad="edge"` repeats the first or last frame,
  `pad="zero"` feeds zeros to the network), the frame-wise convention of
  action segmentation (MS-TCN).

Both are streaming plans: `ready(count)` names the rows that can be computed
once `count` frames have arrived, and `finish(count)` the rows left when the
video ends, so a reader never holds more than the last `window` frames.
"""

import dataclasses

import numpy as np

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS

DEFAULT_ENDPOINT = "Mixed_5c"
DEFAULT_WINDOW = 64
DEFAULT_STRIDE = 16

# `WindowRow.indices` value meaning "a frame of zeros" (`pad="zero"`).
ZERO_FRAME = -1
PADDINGS = ("edge", "zero")


def check_window(window, stride, endpoint=DEFAULT_ENDPOINT):
    """Checks a window/stride pair; Logits need `MIN_FRAMES_FOR_LOGITS`."""
    for argument, value in (("window", window), ("stride", stride)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{argument}` must be a positive int. Received: {argument}={value!r}")
    if endpoint == "Logits" and window < MIN_FRAMES_FOR_LOGITS:
        raise ValueError(
            f"The Logits endpoint needs windows of at least "
            f"{MIN_FRAMES_FOR_LOGITS} frames. Received: window={window}"
        )


def sliding_window_starts(num_frames, window, stride):
    """The first frame of each sliding window (see the module docstring).

    Example:

    >>> sliding_window_starts(100, window=64, stride=16)
    [0, 16, 32]
    >>> sliding_window_starts(10, window=64, stride=16)
    [0]
    """
    check_window(window, stride)
    if num_frames < 1:
        raise ValueError("A video needs at least one frame. Received: 0")
    if num_frames <= window:
        return [0]
    return list(range(0, num_frames - window + 1, stride))


def window_frame_indices(start, window, num_frames):
    """Frame indices of the window at `start`, looping short videos."""
    return np.arange(start, start + window) % num_frames


@dataclasses.dataclass(frozen=True, slots=True)
class WindowRow:
    """One feature row: the frames its window is made of.

    Attributes:
        indices: int array `(window,)`, the sampled frame behind each input
            step (`ZERO_FRAME` for a step padded with zeros).
        start_frame: the first frame the row covers.
        end_frame: one past the last frame it covers: the row covers
            frames `[start_frame, end_frame)`, clipped to the video.
        centre: the centre of the window on the frame axis, in frames
            (`start + window / 2` before clipping); seconds are
            `centre / fps`.
    """

    indices: np.ndarray
    start_frame: int
    end_frame: int
    centre: float


class SlidingWindows:
    """Windows of `window` frames every `stride` frames (module docstring).

    Example:

    >>> plan = SlidingWindows(window=4, stride=2)
    >>> [row.start_frame for count in range(1, 9) for row in plan.ready(count)]
    [0, 2, 4]
    """

    def __init__(self, window, stride, loop_short=True):
        check_window(window, stride)
        self.window = window
        self.stride = stride
        self.loop_short = loop_short

    def ready(self, count):
        """The rows whose last frame is frame `count - 1`."""
        start = count - self.window
        if start < 0 or start % self.stride:
            return []
        return [self._row(start)]

    def finish(self, count):
        """The rows left once the video has ended after `count` frames."""
        if count < 1:
            raise ValueError("A video needs at least one frame. Received: 0")
        if count >= self.window or not self.loop_short:
            return []
        indices = window_frame_indices(0, self.window, count)
        return [WindowRow(indices, 0, count, count / 2)]

    def _row(self, start):
        end = start + self.window
        return WindowRow(np.arange(start, end), start, end, start + self.window / 2)


class CentredWindows:
    """One window per frame, centred on it, padded at the ends.

    Example:

    >>> plan = CentredWindows(window=3, pad="edge")
    >>> [row.indices.tolist() for row in plan.ready(2) + plan.finish(2)]
    [[0, 0, 1], [0, 1, 1]]
    """

    def __init__(self, window, pad="edge"):
        check_window(window, 1)
        if pad not in PADDINGS:
            raise ValueError(f"`pad` must be one of {PADDINGS}. Received: pad={pad!r}")
        self.window = window
        self.pad = pad
        self.before = window // 2
        self._next_frame = 0

    def ready(self, count):
        """The row of the frame whose window ends at frame `count - 1`."""
        frame = count - self.window + self.before
        if frame < self._next_frame:
            return []
        self._next_frame = frame + 1
        return [self._row(frame, count)]

    def finish(self, count):
        """The rows of the last frames, whose windows run past the end."""
        if count < 1:
            raise ValueError("A video needs at least one frame. Received: 0")
        rows = [self._row(frame, count) for frame in range(self._next_frame, count)]
        self._next_frame = 0
        return rows

    def _row(self, frame, count):
        start = frame - self.before
        indices = np.arange(start, start + self.window)
        inside = (indices >= 0) & (indices < count)
        if self.pad == "edge":
            indices = np.clip(indices, 0, count - 1)
        else:
            indices = np.where(inside, indices, ZERO_FRAME)
        return WindowRow(
            indices,
            max(start, 0),
            min(start + self.window, count),
            start + self.window / 2,
        )
