"""Input scaling for the two I3D streams (see `keras_i3d.conventions`)."""

import numpy as np

from keras_i3d.conventions import FLOW_CLIP_PIXELS
from keras_i3d.conventions import RGB_SCALE
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream


def preprocess_rgb(frames):
    """Scales RGB frames from `[0, 255]` to `[-1, 1]` (`x / 127.5 - 1`).

    Args:
        frames: array-like of RGB values in `[0, 255]` (uint8 or float),
            channels last.

    Returns:
        A float32 numpy array of the same shape, in `[-1, 1]`.
    """
    frames = np.asarray(frames, dtype=np.float32)
    return frames / np.float32(RGB_SCALE) - np.float32(1.0)


def preprocess_flow(flow):
    """Clips optical flow to `[-20, 20]` pixels and divides it by 20.

    Args:
        flow: array-like of flow in pixels, channels last, channel 0 the
            horizontal and channel 1 the vertical component.

    Returns:
        A float32 numpy array of the same shape, in `[-1, 1]`.
    """
    flow = np.asarray(flow, dtype=np.float32)
    clip = np.float32(FLOW_CLIP_PIXELS)
    return np.clip(flow, -clip, clip) / clip


def preprocess_input(x, stream="rgb"):
    """Preprocesses a clip for an I3D stream.

    Args:
        x: array-like with a trailing channel axis: RGB values in `[0, 255]`
            for `stream="rgb"` (3 channels), flow in pixels for
            `stream="flow"` (2 channels).
        stream: `"rgb"` or `"flow"`.

    Returns:
        A float32 numpy array in `[-1, 1]`, the model's expected input.

    Example:

    >>> clip = np.full((1, 16, 224, 224, 3), 255, dtype=np.uint8)
    >>> float(preprocess_input(clip, stream="rgb").max())
    1.0
    """
    check_stream(stream)
    x = np.asarray(x)
    channels = STREAM_CHANNELS[stream]
    if x.ndim == 0 or x.shape[-1] != channels:
        raise ValueError(
            f"A {stream} input needs {channels} channels on its last axis. "
            f"Received: an array of shape {x.shape}"
        )
    if stream == "rgb":
        return preprocess_rgb(x)
    return preprocess_flow(x)
