"""Small synthetic frame sequences with a known motion."""

import cv2
import numpy as np
import pytest


def moving_texture(shift_x, shift_y, frames=3, size=48, seed=0):
    """uint8 grayscale frames of a smooth random texture moving by a constant
    `(shift_x, shift_y)` pixels per frame (positive = right, down)."""
    rng = np.random.default_rng(seed)
    margin = (frames + 1) * max(abs(shift_x), abs(shift_y)) + 8
    canvas = rng.integers(0, 256, (size + 2 * margin,) * 2).astype(np.float32)
    canvas = cv2.GaussianBlur(canvas, (0, 0), 2.0)
    canvas = cv2.normalize(canvas, None, 0, 255, cv2.NORM_MINMAX)
    sequence = []
    for t in range(frames):
        top = margin - t * shift_y
        left = margin - t * shift_x
        sequence.append(canvas[top : top + size, left : left + size])
    return np.stack(sequence).astype(np.uint8)


@pytest.fixture
def texture_moving_right_down():
    """Frames moving 2 px right and 1 px down per frame."""
    return moving_texture(shift_x=2, shift_y=1)
