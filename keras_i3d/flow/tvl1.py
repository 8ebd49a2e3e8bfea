"""TV-L1 optical flow, the flow of the I3D paper and its checkpoints.

Carreira & Zisserman compute TV-L1 (Zach et al., 2007) on grayscale frames;
this module uses OpenCV contrib's `DualTVL1OpticalFlow` with its default
settings (tau 0.25, lambda 0.15, theta 0.3, 5 scales, 5 warps, epsilon
0.01), the settings of the `dense_flow`/`denseflow` tools that most
two-stream flow in use was made with. DeepMind did not publish their exact
settings. See `keras_i3d.flow.frames` for how flow frames align with RGB
frames.
"""

import cv2

from keras_i3d.flow.errors import FlowError
from keras_i3d.flow.frames import flow_over_frame_pairs


def create_tvl1():
    """Returns a new OpenCV `DualTVL1OpticalFlow` with the default settings.

    Raises:
        FlowError: when OpenCV was installed without the contrib modules.
    """
    if not hasattr(cv2, "optflow"):
        raise FlowError(
            "TV-L1 optical flow needs OpenCV's contrib modules "
            "(`cv2.optflow`): install `opencv-contrib-python-headless` "
            "instead of `opencv-python`."
        )
    return cv2.optflow.DualTVL1OpticalFlow_create()


def tvl1_flow(frames, match_frame_count=True, name="frames", progress=None):
    """Computes TV-L1 optical flow between consecutive frames.

    Args:
        frames: uint8 frames, `(T, H, W, 3)` RGB or `(T, H, W)` grayscale,
            `T >= 2`. RGB is converted to grayscale first, as in the paper.
        match_frame_count: if True (default) the result has `T` frames
            (`flow[t]` is the motion from frame `t` to `t + 1`; the last
            field is repeated); if False it has the `T - 1` computed fields.
        name: how error messages refer to the input (e.g. a file path).
        progress: an optional callable, called as `progress(done, total)`
            after each flow field is computed, with the number computed so
            far and the number to compute (e.g. to drive a progress bar).

    Returns:
        A float32 array `(T, H, W, 2)` (or `(T - 1, H, W, 2)`) of flow in
        pixels: channel 0 the horizontal component (positive = motion to
        the right), channel 1 the vertical one (positive = downwards).
        Not clipped: `keras_i3d.preprocess_input(flow, stream="flow")`
        clips it to +-20 pixels and scales it to `[-1, 1]`.

    Example:

    >>> import numpy as np
    >>> frames = np.random.randint(0, 256, (4, 32, 32), dtype=np.uint8)
    >>> tvl1_flow(frames).shape
    (4, 32, 32, 2)
    """
    tvl1 = create_tvl1()

    def flow_between(previous, following):
        return tvl1.calc(previous, following, None)

    return flow_over_frame_pairs(
        frames,
        flow_between,
        match_frame_count=match_frame_count,
        name=name,
        progress=progress,
    )
