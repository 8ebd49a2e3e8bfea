"""Reads precomputed optical flow stored as uint8 images, one folder per video.

Two layouts are understood (1-based, 5-digit frame numbers):

* mmaction2 "rawframes" (what `keras-i3d flow` and mmaction2's
  `build_rawframes.py` write): `VIDEO/flow_x_00001.jpg`, `VIDEO/flow_y_00001.jpg`.
* denseflow's split folders: `VIDEO/flow_x/x_00001.jpg`, `VIDEO/flow_y/y_00001.jpg`.

Images are single-channel (3-channel images use their first channel), PNG or
JPEG. A stored value `q` in `[0, 255]` is `q / 255 * 2B - B` pixels with the
bound `B = FLOW_CLIP_PIXELS` (20), the quantisation of denseflow and of
`keras_i3d.flow`. Flow frame `t` is the motion from RGB frame `t` to `t + 1`.
"""

import os
import re

import cv2
import numpy as np

from keras_i3d.conventions import FLOW_CLIP_PIXELS
from keras_i3d.flow.storage import dequantize_flow

FLOW_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


class FlowReadError(ValueError):
    """Flow could not be read; the message names the folder and the reason."""


def _numbered_images(folder, prefix):
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)\.\w+$")
    found = []
    for name in os.listdir(folder):
        match = pattern.match(name)
        if match and name.lower().endswith(FLOW_IMAGE_EXTENSIONS):
            found.append((int(match.group(1)), os.path.join(folder, name)))
    return [path for _, path in sorted(found)]


def list_flow_images(folder):
    """Returns `(x_paths, y_paths)`, ordered by frame number.

    Raises:
        FlowReadError: the folder is missing, holds no flow images in either
            layout, or has different numbers of x and y images.
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise FlowReadError(f"Cannot read flow {folder!r}: no such folder")
    x_paths = _numbered_images(folder, "flow_x_")
    y_paths = _numbered_images(folder, "flow_y_")
    if not x_paths and os.path.isdir(os.path.join(folder, "flow_x")):
        x_paths = _numbered_images(os.path.join(folder, "flow_x"), "x_")
        y_paths = _numbered_images(os.path.join(folder, "flow_y"), "y_") if os.path.isdir(
            os.path.join(folder, "flow_y")) else []
    if not x_paths:
        raise FlowReadError(
            f"Cannot read flow {folder!r}: no flow_x_00001.jpg or "
            "flow_x/x_00001.jpg images"
        )
    if len(x_paths) != len(y_paths):
        raise FlowReadError(
            f"Cannot read flow {folder!r}: {len(x_paths)} x images but "
            f"{len(y_paths)} y images"
        )
    return x_paths, y_paths


def count_flow_frames(folder):
    """The number of flow frames in a folder, without decoding them."""
    return len(list_flow_images(folder)[0])


def _read_channel(path):
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None or image.dtype != np.uint8:
        raise FlowReadError(f"Cannot read flow image {path!r}: not an 8-bit image")
    return image if image.ndim == 2 else image[..., 0]


def read_flow_folder(folder, indices=None, bound=FLOW_CLIP_PIXELS):
    """Reads flow frames from a folder as float32 pixels.

    Args:
        folder: a flow folder in one of the layouts above.
        indices: 0-based flow frame indices to read (repeats allowed); `None`
            reads them all. Only these images are decoded.
        bound: the quantisation bound in pixels.

    Returns:
        float32 array `(T, H, W, 2)`, channel 0 = x (positive: rightwards).
    """
    x_paths, y_paths = list_flow_images(folder)
    if indices is None:
        indices = range(len(x_paths))
    cache = {}
    frames = []
    for index in indices:
        index = int(index)
        if index not in cache:
            x, y = _read_channel(x_paths[index]), _read_channel(y_paths[index])
            if x.shape != y.shape:
                raise FlowReadError(
                    f"Cannot read flow {os.fspath(folder)!r}: frame {index + 1} "
                    f"has x of size {x.shape} but y of size {y.shape}"
                )
            cache[index] = np.stack([x, y], axis=-1)
        frames.append(cache[index])
    shapes = {frame.shape for frame in frames}
    if len(shapes) > 1:
        raise FlowReadError(
            f"Cannot read flow {os.fspath(folder)!r}: images of several sizes {sorted(shapes)}"
        )
    return dequantize_flow(np.stack(frames), bound)
