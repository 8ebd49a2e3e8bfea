"""Choosing a flow method by name."""

from keras_i3d.flow.farneback import farneback_flow
from keras_i3d.flow.tvl1 import tvl1_flow

FLOW_METHODS = {"tvl1": tvl1_flow, "farneback": farneback_flow}
DEFAULT_FLOW_METHOD = "tvl1"  # The paper's; the checkpoints expect it.


def check_flow_method(flow_method):
    """Returns `flow_method` if it names a flow method, else raises ValueError."""
    if flow_method not in FLOW_METHODS:
        raise ValueError(
            f"`flow_method` must be one of {tuple(FLOW_METHODS)}. "
            f"Received: flow_method={flow_method!r}"
        )
    return flow_method


def compute_flow(
    frames,
    flow_method=DEFAULT_FLOW_METHOD,
    match_frame_count=True,
    name="frames",
    progress=None,
):
    """Computes optical flow with the method named `flow_method`.

    Args:
        frames: uint8 frames, `(T, H, W, 3)` RGB or `(T, H, W)` grayscale.
        flow_method: `"tvl1"` (the paper's, default) or `"farneback"` (a fast
            approximation; the checkpoints were not trained on it).
        match_frame_count: if True, `T` flow frames (see
            `keras_i3d.flow.frames`); else `T - 1`.
        name: how error messages refer to the input.
        progress: an optional callable, called as `progress(done, total)`
            after each flow field is computed, with the number computed so
            far and the number to compute (e.g. to drive a progress bar).

    Returns:
        A float32 array of flow in pixels, `(T, H, W, 2)` or
        `(T - 1, H, W, 2)`.
    """
    check_flow_method(flow_method)
    return FLOW_METHODS[flow_method](
        frames,
        match_frame_count=match_frame_count,
        name=name,
        progress=progress,
    )
