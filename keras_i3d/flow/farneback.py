"""Farneback optical flow: a fast approximation of TV-L1, never a stand-in.

The I3D flow checkpoints were trained on TV-L1 flow. Farneback (OpenCV's
`calcOpticalFlowFarneback`) is about 100 times faster on a CPU (see
`benchmarks/flow.py`) but smoother
and less accurate on fast or thin motion, so flow-stream predictions from it
are worse. It is available only when asked for by name
(`flow_method="farneback"`); nothing in keras-i3d falls back to it.
"""

import cv2

from keras_i3d.flow.frames import flow_over_frame_pairs

# OpenCV's commonly used settings: a 3-level pyramid halving each level,
# 15-pixel averaging windows, 3 iterations, degree-5 polynomial expansion.
FARNEBACK_SETTINGS = {
    "pyr_scale": 0.5,
    "levels": 3,
    "winsize": 15,
    "iterations": 3,
    "poly_n": 5,
    "poly_sigma": 1.2,
    "flags": 0,
}


def farneback_flow(frames, match_frame_count=True, name="frames", progress=None):
    """Computes Farneback optical flow between consecutive frames.

    Same inputs, outputs and frame alignment as
    `keras_i3d.flow.tvl1_flow`; only the flow estimator differs.

    Args:
        frames: uint8 frames, `(T, H, W, 3)` RGB or `(T, H, W)` grayscale,
            `T >= 2`.
        match_frame_count: if True (default) the result has `T` frames (the
            last field repeated); if False, `T - 1`.
        name: how error messages refer to the input.
        progress: an optional callable, called as `progress(done, total)`
            after each flow field is computed, with the number computed so
            far and the number to compute (e.g. to drive a progress bar).

    Returns:
        A float32 array `(T, H, W, 2)` (or `(T - 1, H, W, 2)`), in pixels,
        channel 0 horizontal (positive = right), channel 1 vertical
        (positive = down).

    Example:

    >>> import numpy as np
    >>> frames = np.random.randint(0, 256, (4, 32, 32), dtype=np.uint8)
    >>> farneback_flow(frames, match_frame_count=False).shape
    (3, 32, 32, 2)
    """

    def flow_between(previous, following):
        return cv2.calcOpticalFlowFarneback(previous, following, None, **FARNEBACK_SETTINGS)

    return flow_over_frame_pairs(
        frames,
        flow_between,
        match_frame_count=match_frame_count,
        name=name,
        progress=progress,
    )
