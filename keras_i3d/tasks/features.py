"""Sliding-window I3D features: one vector per window of a video.

The use of I3D in temporal action localisation, dense captioning and FVD:
a video is cut into windows of `window` frames every `stride` frames, and
each window becomes one feature vector, average-pooled `Mixed_5c` (1024-d,
or any earlier endpoint, pooled) or the 400 `Logits` (before softmax).

Window `i` covers frames `[i * stride, i * stride + window)`; windows stop
at the last one that fits, so up to `stride - 1` trailing frames are not
covered. A video shorter than one window gives one window, its frames looped
to fill it (the paper's treatment of short videos).

Example:

```python
from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.tasks import extract_features, feature_model

clips = load_video_clips("video.mp4", stream="rgb")  # 25 fps, 224 crop
model = feature_model("rgb", endpoint="Mixed_5c", window=64)
features = extract_features(clips.rgb, model, "rgb", window=64, stride=16)
features.shape  # (num_windows, 1024)
```
"""

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import MIN_PIXELS_FOR_LOGITS
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream
from keras_i3d.models.endpoints import ENDPOINT_CHANNELS
from keras_i3d.models.endpoints import check_endpoint
from keras_i3d.preprocessing import preprocess_input

DEFAULT_ENDPOINT = "Mixed_5c"
DEFAULT_WINDOW = 64
DEFAULT_STRIDE = 16


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
    """The first frame of each window (see the module docstring).

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


def feature_size(endpoint, classes=400):
    """The length of one feature vector at `endpoint`."""
    check_endpoint(endpoint)
    return classes if endpoint == "Logits" else ENDPOINT_CHANNELS[endpoint]


def feature_model(
    stream,
    endpoint=DEFAULT_ENDPOINT,
    weights="kinetics400",
    window=DEFAULT_WINDOW,
    crop_size=CROP_SIZE,
):
    """Builds an I3D stream that maps a window to one feature vector.

    Args:
        stream: `"rgb"` or `"flow"`.
        endpoint: `"Logits"` (the 400 class logits, before softmax) or any
            earlier endpoint, average-pooled over time and space
            (`"Mixed_5c"`: 1024-d).
        weights: as for `keras_i3d.I3D` (None for random weights).
        window: frames per window.
        crop_size: height and width of the windows; `"Logits"` needs at
            least `MIN_PIXELS_FOR_LOGITS`.

    Returns:
        A `keras.Model` from `(batch, window, crop, crop, channels)` to
        `(batch, feature_size(endpoint))`.
    """
    from keras_i3d.models.i3d import I3D

    check_stream(stream)
    check_endpoint(endpoint)
    check_window(window, 1, endpoint)
    input_shape = (window, crop_size, crop_size, STREAM_CHANNELS[stream])
    if endpoint == "Logits":
        if crop_size < MIN_PIXELS_FOR_LOGITS:
            raise ValueError(
                f"The Logits endpoint needs crops of at least "
                f"{MIN_PIXELS_FOR_LOGITS} pixels. Received: "
                f"crop_size={crop_size}"
            )
        return I3D(
            stream=stream,
            weights=weights,
            input_shape=input_shape,
            classifier_activation=None,
            name=f"i3d_{stream}_logits",
        )
    return I3D(
        stream=stream,
        include_top=False,
        weights=weights,
        input_shape=input_shape,
        pooling="avg",
        final_endpoint=endpoint,
        name=f"i3d_{stream}_{endpoint}",
    )


def extract_features(
    frames,
    model,
    stream,
    window=DEFAULT_WINDOW,
    stride=DEFAULT_STRIDE,
    batch_size=8,
    progress=None,
):
    """Runs `model` on every sliding window of `frames`.

    Args:
        frames: the whole video's frames, already resized and cropped to
            the model's input size: uint8 RGB `(T, H, W, 3)` for
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
    starts = sliding_window_starts(len(frames), window, stride)
    features = []
    for first in range(0, len(starts), batch_size):
        batch_starts = starts[first : first + batch_size]
        batch = np.stack(
            [
                preprocess_input(
                    frames[window_frame_indices(start, window, len(frames))],
                    stream=stream,
                )
                for start in batch_starts
            ]
        )
        features.append(np.asarray(model.predict_on_batch(batch)))
        if progress is not None:
            progress(len(batch_starts))
    return np.concatenate(features).astype(np.float32)
