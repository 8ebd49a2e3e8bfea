"""Windows to features, in batches that may span several videos.

`window_inputs` keeps a ring buffer of the last `window` frames of each
stream and emits every row of a window plan (`keras_i3d.tasks.features.
windows`) as soon as its last frame has arrived, so a video of any length
costs the memory of one window plus one decoded chunk. `batched_features`
stacks the windows of consecutive videos into batches of `batch_size`
network inputs and hands each video's features back when its last window
is done.
"""

import dataclasses

import numpy as np

from keras_i3d.conventions import check_stream
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.tasks.features.crops import reduce_crops
from keras_i3d.tasks.features.windows import DEFAULT_STRIDE
from keras_i3d.tasks.features.windows import DEFAULT_WINDOW
from keras_i3d.tasks.features.windows import ZERO_FRAME
from keras_i3d.tasks.features.windows import SlidingWindows
from keras_i3d.tasks.features.windows import check_window

# Frames per chunk when an in-memory video is fed through the ring buffer.
_ARRAY_CHUNK = 256


class FrameRing:
    """The last `capacity` frames of one stream, in a fixed array."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.count = 0
        self._frames = None

    def append(self, frame):
        if self._frames is None:
            self._frames = np.empty((self.capacity,) + frame.shape, frame.dtype)
        self._frames[self.count % self.capacity] = frame
        self.count += 1

    def take(self, indices):
        """The frames at absolute `indices`; `ZERO_FRAME` stays a marker."""
        oldest = self.count - self.capacity
        real = indices[indices != ZERO_FRAME]
        if real.size and (real.min() < max(oldest, 0) or real.max() >= self.count):
            raise IndexError(
                f"Frames {real.min()}..{real.max()} are not all among the last "
                f"{self.capacity} of {self.count}."
            )
        return self._frames[np.where(indices == ZERO_FRAME, 0, indices) % self.capacity]


def window_inputs(input_chunks, plan, window):
    """Yields `(WindowRow, {stream: model inputs})` for each row of `plan`.

    Args:
        input_chunks: an iterable of `{stream: (n, crops, H, W, C)}` chunks
            (`keras_i3d.tasks.features.frames.cropped_inputs`).
        plan: a `SlidingWindows` or `CentredWindows`.
        window: frames per window (the plan's).

    Yields:
        The row and, per stream, float32 `(crops, window, H, W, C)` inputs,
        scaled by `keras_i3d.preprocess_input`; steps padded with zeros
        (`ZERO_FRAME`) are zeros after scaling.
    """
    rings = {}
    count = 0

    def emit(rows):
        for row in rows:
            inputs = {}
            for stream, ring in rings.items():
                frames = ring.take(row.indices)
                scaled = preprocess_input(np.moveaxis(frames, 1, 0), stream=stream)
                scaled = np.asarray(scaled, np.float32)
                padded = row.indices == ZERO_FRAME
                if padded.any():
                    scaled[:, padded] = 0.0
                inputs[stream] = scaled
            yield row, inputs

    for chunk in input_chunks:
        lengths = {len(frames) for frames in chunk.values()}
        if len(lengths) != 1:
            raise ValueError(f"The streams of a chunk differ in length. Received: {lengths}")
        for stream in chunk:
            rings.setdefault(stream, FrameRing(window))
        for position in range(lengths.pop()):
            for stream, frames in chunk.items():
                rings[stream].append(frames[position])
            count += 1
            yield from emit(plan.ready(count))
    yield from emit(plan.finish(count))


@dataclasses.dataclass
class VideoFeatures:
    """The features of one video, or why there are none.

    Attributes:
        key: the caller's key of the video.
        rows: the `WindowRow`s, one per feature row (without their
            `indices`, dropped once the window is made).
        features: `{stream: float32 (rows, crops, ...)}`.
        error: the exception that stopped the video, or None.
    """

    key: object
    rows: list
    features: dict
    error: Exception = None


class _OpenVideo:
    def __init__(self, key):
        self.key = key
        self.rows = []
        self.outputs = {}
        self.expected = 0
        self.done = 0
        self.finished = False
        self.error = None

    @property
    def complete(self):
        return self.finished and (self.error is not None or self.done == self.expected)

    def result(self):
        if self.error is not None:
            return VideoFeatures(self.key, self.rows, {}, self.error)
        features = {}
        for stream, blocks in self.outputs.items():
            values = np.concatenate(blocks)
            features[stream] = values.reshape((len(self.rows), -1) + values.shape[1:])
        return VideoFeatures(self.key, self.rows, features)


def batched_features(videos, models, batch_size=8, progress=None):
    """Runs the windows of many videos through `models` in shared batches.

    Args:
        videos: an iterable of `(key, windows)`, `windows` an iterable of
            `(WindowRow, {stream: (crops, window, H, W, C)})` as
            `window_inputs` yields. An exception raised while iterating
            `windows` fails that video only.
        models: `{stream: model}`, each with `predict_on_batch`.
        batch_size: network inputs (window crops) per forward pass; a batch
            can hold the windows of several consecutive videos.
        progress: optional callable, called after each forward pass with
            the number of inputs it ran.

    Yields:
        A `VideoFeatures` per video, in the order of `videos`, as soon as
        its last window is done.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received: {batch_size!r}")
    queues = {stream: [] for stream in models}
    open_videos = {}

    def flush(stream):
        queue = queues[stream]
        if not queue:
            return
        batch = np.stack([clip for _, clip in queue])
        outputs = np.asarray(models[stream].predict_on_batch(batch), np.float32)
        # The queue is in order, so each video's outputs are one slice.
        first = 0
        while first < len(queue):
            video = queue[first][0]
            last = first
            while last < len(queue) and queue[last][0] is video:
                last += 1
            video.outputs.setdefault(stream, []).append(outputs[first:last].copy())
            video.done += last - first
            first = last
        if progress is not None:
            progress(len(queue))
        queue.clear()

    def completed():
        while open_videos:
            video = next(iter(open_videos.values()))
            if not video.complete:
                return
            del open_videos[video.key]
            yield video.result()

    for key, windows in videos:
        video = open_videos[key] = _OpenVideo(key)
        try:
            for row, inputs in windows:
                # The frame indices are done with: keep the row's span only.
                video.rows.append(dataclasses.replace(row, indices=None))
                for stream, crops in inputs.items():
                    for clip in crops:
                        queues[stream].append((video, clip))
                        video.expected += 1
                        if len(queues[stream]) == batch_size:
                            flush(stream)
        except Exception as error:  # noqa: BLE001 - this video fails, the rest go on
            video.error = error
            for stream, queue in queues.items():
                queue[:] = [item for item in queue if item[0] is not video]
        video.finished = True
        yield from completed()
    for stream in queues:
        flush(stream)
    yield from completed()


def extract_features(
    frames,
    model,
    stream,
    window=DEFAULT_WINDOW,
    stride=DEFAULT_STRIDE,
    batch_size=8,
    progress=None,
):
    """Runs `model` on every sliding window of an in-memory video.

    Args:
        frames: the video's frames, already resized and cropped to the
            model's input size: uint8 RGB `(T, H, W, 3)` for
            `stream="rgb"`, flow in pixels `(T, H, W, 2)` for `"flow"`.
            Each window is preprocessed (`keras_i3d.preprocess_input`)
            only when it is batched, so a long video is never held as
            float32 in full.
        model: a model from `feature_model` (input `(batch, window, H, W,
            C)`, output `(batch, D)`).
        stream: `"rgb"` or `"flow"`.
        window: frames per window.
        stride: frames between window starts.
        batch_size: windows per forward pass.
        progress: optional callable, called with the number of windows
            finished after each batch (e.g. `tqdm.update`).

    Returns:
        A float32 array `(num_windows, D)`.
    """
    check_stream(stream)
    check_window(window, stride)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received: {batch_size!r}")
    if len(frames) < 1:
        raise ValueError("A video needs at least one frame. Received: 0")
    chunks = (
        {stream: np.asarray(frames[first : first + _ARRAY_CHUNK])[:, None]}
        for first in range(0, len(frames), _ARRAY_CHUNK)
    )
    windows = window_inputs(chunks, SlidingWindows(window, stride), window)
    (result,) = batched_features([(0, windows)], {stream: model}, batch_size, progress)
    if result.error is not None:
        raise result.error
    return reduce_crops(result.features[stream], "mean")
