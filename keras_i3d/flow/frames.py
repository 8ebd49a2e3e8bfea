"""From video frames to per-pair optical flow, shared by every flow method.

Frame alignment (the same for every method): a flow method estimates the
motion between two frames, so `T` frames give `T - 1` flow fields;
`flow[t]` is the motion from frame `t` to frame `t + 1`. DeepMind's
released inputs have as many flow frames as RGB frames (79 and 79 for
`v_CricketShot_g04_c01`), so by default (`match_frame_count=True`) the last
flow field is repeated once: RGB frame `t` and flow frame `t` then start at
the same instant, and a clip of `T` RGB frames has `T` flow frames.
"""

import cv2
import numpy as np

from keras_i3d.flow.errors import FlowError


def to_grayscale(frames, name="frames"):
    """Converts uint8 RGB frames `(T, H, W, 3)` to grayscale `(T, H, W)`.

    Frames that are already grayscale, `(T, H, W)` or `(T, H, W, 1)`, are
    returned as `(T, H, W)`. The conversion is OpenCV's ITU-R BT.601 luma,
    the one TV-L1 flow for two-stream networks has used since
    `dense_flow`.

    Args:
        frames: a uint8 numpy array of RGB or grayscale frames.
        name: how error messages refer to the input (e.g. a file path).

    Returns:
        A contiguous uint8 array `(T, H, W)`.
    """
    frames = np.asarray(frames)
    if frames.dtype != np.uint8:
        raise FlowError(
            f"{name}: optical flow needs uint8 frames in [0, 255]. Received: dtype={frames.dtype}"
        )
    if frames.ndim == 4 and frames.shape[-1] == 1:
        frames = frames[..., 0]
    if frames.ndim == 3:
        return np.ascontiguousarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise FlowError(
            f"{name}: expected frames of shape (T, H, W, 3) (RGB) or "
            f"(T, H, W) (grayscale). Received: shape={frames.shape}"
        )
    return np.stack([cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in frames])


def flow_over_frame_pairs(
    frames,
    flow_between,
    match_frame_count=True,
    name="frames",
    progress=None,
):
    """Applies `flow_between(previous, next)` to every consecutive pair.

    Args:
        frames: uint8 frames, `(T, H, W, 3)` RGB or `(T, H, W)` grayscale,
            with `T >= 2`.
        flow_between: a function of two `(H, W)` uint8 grayscale frames
            that returns their `(H, W, 2)` flow in pixels.
        match_frame_count: if True, repeat the last flow field so that the
            result has `T` frames; if False, return the `T - 1` fields.
        name: how error messages refer to the input.
        progress: an optional callable, called as `progress(done, total)`
            after each flow field is computed, with the number computed so
            far and the number to compute (e.g. to drive a progress bar).

    Returns:
        A float32 array `(T, H, W, 2)` (or `(T - 1, H, W, 2)`): channel 0 is
        the horizontal motion (positive to the right), channel 1 the
        vertical motion (positive downwards), in pixels.
    """
    gray = to_grayscale(frames, name=name)
    if gray.shape[0] < 2:
        raise FlowError(
            f"{name}: optical flow needs at least 2 frames. Received: {gray.shape[0]} frame(s)"
        )
    if min(gray.shape[1:]) < 1:
        raise FlowError(f"{name}: frames are empty, shape={gray.shape}")
    flow = np.empty(gray.shape + (2,), dtype=np.float32)
    num_fields = gray.shape[0] - 1
    for t in range(num_fields):
        flow[t] = flow_between(gray[t], gray[t + 1])
        if progress is not None:
            progress(t + 1, num_fields)
    if match_frame_count:
        flow[-1] = flow[-2]
        return flow
    return flow[:-1]
