"""Short-side resizing of clips: the one resize of the video side.

`keras_i3d.video.read_video(..., short_side=...)` resizes while decoding and
the `tf.data` transforms (`keras_i3d.data.transforms`) resize inside the
graph; both call `resize_short_side`, so both give the same numbers.
"""

import numpy as np
import tensorflow as tf

from keras_i3d.conventions import RESIZE_SHORT_SIDE


def as_clip_tensor(frames):
    """`frames` as a tensor, checked to be `(time, height, width, channels)`."""
    frames = tf.convert_to_tensor(frames)
    if frames.shape.rank is not None and frames.shape.rank != 4:
        raise ValueError(
            "A clip must have shape (time, height, width, channels). "
            f"Received: shape={tuple(frames.shape)}"
        )
    return frames


def _cast_like(values, dtype):
    """Casts resized float values back to `dtype`, rounding for integers."""
    if dtype.is_integer:
        values = tf.round(values)
        return tf.saturate_cast(values, dtype)
    return tf.cast(values, dtype)


def short_side_size(height, width, size=RESIZE_SHORT_SIDE):
    """Returns `(new_height, new_width)` with the short side `size`, aspect kept.

    Works on Python ints and on scalar tensors.
    """
    height = tf.cast(height, tf.float64)
    width = tf.cast(width, tf.float64)
    scale = tf.cast(size, tf.float64) / tf.minimum(height, width)
    new_height = tf.cast(tf.round(height * scale), tf.int32)
    new_width = tf.cast(tf.round(width * scale), tf.int32)
    return tf.maximum(new_height, 1), tf.maximum(new_width, 1)


def short_side_shape(height, width, size=RESIZE_SHORT_SIDE):
    """`short_side_size` in plain Python: the same sizes, for numpy code.

    Both round half to even, in float64.
    """
    scale = float(size) / min(height, width)
    return (max(int(np.round(height * scale)), 1), max(int(np.round(width * scale)), 1))


def resize_short_side(frames, size=RESIZE_SHORT_SIDE):
    """Resizes a clip so that its shorter side is `size` pixels, aspect kept.

    Bilinear interpolation without antialiasing, DeepMind's convention for
    the I3D inputs ("resized preserving aspect ratio so that the smallest
    dimension is 256 pixels, with bilinear interpolation"). A clip whose
    short side is already `size` passes through untouched.

    Args:
        frames: `(time, height, width, channels)` tensor or numpy array.
        size: the target length of the shorter side.

    Returns:
        A tensor of the input's dtype.

    Example:

    >>> clip = np.zeros((8, 240, 320, 3), np.uint8)
    >>> resize_short_side(clip).shape
    TensorShape([8, 256, 341, 3])
    """
    frames = as_clip_tensor(frames)
    shape = tf.shape(frames)
    new_height, new_width = short_side_size(shape[1], shape[2], size)

    def resize():
        resized = tf.image.resize(
            frames, (new_height, new_width), method="bilinear", antialias=False
        )
        return _cast_like(resized, frames.dtype)

    unchanged = tf.logical_and(tf.equal(new_height, shape[1]), tf.equal(new_width, shape[2]))
    return tf.cond(unchanged, lambda: tf.identity(frames), resize)
