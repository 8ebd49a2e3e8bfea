"""The spatial crops of each frame: the centre, or ten.

`--crops 10` is the oversampling of Finspire13's extractor and of the
anomaly-detection features: the four corners and the centre, then the same
five flipped horizontally. Flipping flow also negates its horizontal
component (motion to the right becomes motion to the left), so a flipped
flow crop is the flow of the flipped frames.
"""

import numpy as np

CROP_COUNTS = (1, 10)
CROP_REDUCTIONS = ("mean", "keep")
# The order of the ten crops in `(rows, 10, D)` outputs.
TEN_CROP_NAMES = (
    "top_left",
    "top_right",
    "bottom_left",
    "bottom_right",
    "centre",
    "top_left_flipped",
    "top_right_flipped",
    "bottom_left_flipped",
    "bottom_right_flipped",
    "centre_flipped",
)


def check_crops(crops, crop_reduce="mean"):
    """Checks `crops` (1 or 10) and `crop_reduce` (`"mean"` or `"keep"`)."""
    if crops not in CROP_COUNTS:
        raise ValueError(f"`crops` must be one of {CROP_COUNTS}. Received: crops={crops!r}")
    if crop_reduce not in CROP_REDUCTIONS:
        raise ValueError(
            f"`crop_reduce` must be one of {CROP_REDUCTIONS}. Received: crop_reduce={crop_reduce!r}"
        )


def crop_offsets(height, width, crop_size, crops=1):
    """`(top, left)` of each crop, in `TEN_CROP_NAMES` order for ten.

    Raises:
        ValueError: the frames are smaller than the crop.
    """
    if height < crop_size or width < crop_size:
        raise ValueError(
            f"Frames of {height}x{width} pixels are smaller than the "
            f"{crop_size}x{crop_size} crop. Received: crop_size={crop_size}"
        )
    centre = ((height - crop_size) // 2, (width - crop_size) // 2)
    if crops == 1:
        return [centre]
    bottom, right = height - crop_size, width - crop_size
    return [(0, 0), (0, right), (bottom, 0), (bottom, right), centre]


def take_crops(frames, crop_size, crops=1, stream="rgb"):
    """Cuts every frame into its crops.

    Args:
        frames: `(time, height, width, channels)`: uint8 RGB, or flow in
            pixels (`stream="flow"`, channel 0 horizontal).
        crop_size: the side of each square crop.
        crops: 1 (the centre) or 10 (see the module docstring).
        stream: `"rgb"` or `"flow"`; flipped flow is negated horizontally.

    Returns:
        `(time, crops, crop_size, crop_size, channels)`, the input's dtype.

    Example:

    >>> frames = np.zeros((2, 256, 340, 3), np.uint8)
    >>> take_crops(frames, 224, crops=10).shape
    (2, 10, 224, 224, 3)
    """
    check_crops(crops)
    frames = np.asarray(frames)
    _, height, width, _ = frames.shape
    views = [
        frames[:, top : top + crop_size, left : left + crop_size]
        for top, left in crop_offsets(height, width, crop_size, crops)
    ]
    if crops == 10:
        flipped = [view[:, :, ::-1] for view in views]
        if stream == "flow":
            flipped = [view * np.array([-1, 1], view.dtype) for view in flipped]
        views += flipped
    return np.stack(views, axis=1)


def reduce_crops(features, crop_reduce):
    """`(rows, crops, ...)` features: their mean over crops, or all of them.

    A single crop is always squeezed to `(rows, ...)`.
    """
    if features.shape[1] == 1:
        return features[:, 0]
    if crop_reduce == "mean":
        return features.mean(axis=1)
    return features
