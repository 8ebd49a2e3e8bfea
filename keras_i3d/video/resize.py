"""Short-side resizing of clips: the one resize of the video side.

The `tf.data` transforms (`keras_i3d.data.transforms`) resize inside the
graph with `resize_short_side` (TensorFlow's bilinear kernel).
`keras_i3d.video.read_video(..., short_side=...)` resizes decoded frames
with `resize_short_side_array`, which gives the same numbers bit for bit:
it runs TensorFlow's kernel when TensorFlow is already imported, and
otherwise a numpy copy of it (`bilinear_resize_array`), so that decoding
does not import TensorFlow (`keras-i3d predict` on ONNX Runtime never
does). TensorFlow is imported here only by the functions that use it.
"""

import sys

import numpy as np

from keras_i3d.conventions import RESIZE_SHORT_SIDE


def as_clip_tensor(frames):
    """`frames` as a tensor, checked to be `(time, height, width, channels)`."""
    import tensorflow as tf

    frames = tf.convert_to_tensor(frames)
    if frames.shape.rank is not None and frames.shape.rank != 4:
        raise ValueError(
            "A clip must have shape (time, height, width, channels). "
            f"Received: shape={tuple(frames.shape)}"
        )
    return frames


def _cast_like(values, dtype):
    """Casts resized float values back to `dtype`, rounding for integers."""
    import tensorflow as tf

    if dtype.is_integer:
        values = tf.round(values)
        return tf.saturate_cast(values, dtype)
    return tf.cast(values, dtype)


def short_side_size(height, width, size=RESIZE_SHORT_SIDE):
    """Returns `(new_height, new_width)` with the short side `size`, aspect kept.

    Works on Python ints and on scalar tensors.
    """
    import tensorflow as tf

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
    import tensorflow as tf

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


def resize_short_side_array(frames, size=RESIZE_SHORT_SIDE):
    """`resize_short_side` for numpy frames, without importing TensorFlow.

    The same numbers bit for bit: TensorFlow's kernel when TensorFlow is
    imported already (it is about 1.7x faster), else `bilinear_resize_array`.

    Args:
        frames: a `(time, height, width, channels)` numpy array.
        size: the target length of the shorter side.

    Returns:
        A numpy array of the input's dtype (the input itself when its short
        side is already `size`).

    Example:

    >>> clip = np.zeros((8, 240, 320, 3), np.uint8)
    >>> resize_short_side_array(clip).shape
    (8, 256, 341, 3)
    """
    frames = np.asarray(frames)
    if frames.ndim != 4:
        raise ValueError(
            "A clip must have shape (time, height, width, channels). "
            f"Received: shape={frames.shape}"
        )
    height, width = short_side_shape(frames.shape[1], frames.shape[2], size)
    if (height, width) == frames.shape[1:3]:
        return frames
    if "tensorflow" in sys.modules:
        return np.asarray(resize_short_side(frames, size))
    return bilinear_resize_array(frames, height, width)


def bilinear_resize_array(frames, height, width):
    """TensorFlow's bilinear resize (half-pixel centres, no antialiasing) in numpy.

    `tf.image.resize(frames, (height, width), "bilinear")`, then for
    integer frames rounded half to even and saturated as `resize_short_side`
    does, with the same float32 arithmetic in the same order as TensorFlow's
    CPU kernel (`ResizeBilinear` with `half_pixel_centers=True`): the same
    numbers bit for bit (tested). Frames are resized one at a time, so the
    float32 intermediates stay small.

    Args:
        frames: a `(time, in_height, in_width, channels)` numpy array.
        height, width: the output size.

    Returns:
        A `(time, height, width, channels)` array of the input's dtype.
    """
    frames = np.asarray(frames)
    in_height, in_width = frames.shape[1:3]
    if (in_height, in_width) == (height, width):
        return frames.copy()
    rows_lower, rows_upper, rows_lerp = _interpolation(in_height, height)
    columns_lower, columns_upper, columns_lerp = _interpolation(in_width, width)
    # Only the source rows that some output row reads are interpolated.
    rows = np.unique(np.concatenate([rows_lower, rows_upper]))
    position = np.zeros(in_height, np.int64)
    position[rows] = np.arange(len(rows))
    rows_lower, rows_upper = position[rows_lower], position[rows_upper]
    columns_lerp = columns_lerp[:, None]
    rows_lerp = rows_lerp[:, None, None]
    is_integer = np.issubdtype(frames.dtype, np.integer)
    limits = np.iinfo(frames.dtype) if is_integer else None
    resized = np.empty((len(frames), height, width) + frames.shape[3:], frames.dtype)
    for index in range(len(frames)):
        source = frames[index, rows]
        # TensorFlow's compute_lerp: along the row first, then between rows.
        along_row = np.take(source, columns_lower, axis=1).astype(np.float32)
        step = np.take(source, columns_upper, axis=1).astype(np.float32)
        step -= along_row
        step *= columns_lerp
        along_row += step
        values = np.take(along_row, rows_lower, axis=0)
        step = np.take(along_row, rows_upper, axis=0)
        step -= values
        step *= rows_lerp
        values += step
        if is_integer:
            np.rint(values, out=values)
            np.clip(values, limits.min, limits.max, out=values)
        resized[index] = values
    return resized


def _interpolation(in_size, out_size):
    """TensorFlow's cached interpolation of one axis: for each output index
    the lower and upper source index and the float32 weight of the upper."""
    scale = np.float32(in_size) / np.float32(out_size)
    positions = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale
    positions -= np.float32(0.5)
    floor = np.floor(positions)
    lower = np.maximum(floor.astype(np.int64), 0)
    upper = np.minimum(np.ceil(positions).astype(np.int64), in_size - 1)
    return lower, upper, positions - floor
