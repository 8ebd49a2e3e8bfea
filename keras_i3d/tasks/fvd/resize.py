"""Frame resizing for FVD: the reference's TF1 legacy bilinear kernel first.

The reference FVD (google-research `frechet_video_distance`) resizes every
frame with TF1's `tf.image.resize_bilinear(frames, (224, 224))`, whose
defaults are `align_corners=False, half_pixel_centers=False`: output pixel
`i` samples the source at `i * in / out` (not at the pixel centre), with no
antialiasing, no crop and the aspect ratio ignored. TF2's `tf.image.resize`
and `keras.ops.image.resize` sample at pixel centres and give other numbers
(up to 135/255 per pixel), so they are not used for the reference.

`resize_bilinear` computes the kernel two ways that give the same bits:
`tf.raw_ops.ResizeBilinear` (on the TensorFlow backend) and a numpy gather
that keeps TF's operation order (on the other backends), as MAGVIT's JAX
port does (`videogvt/train_lib/metrics_lib.py`).

`resize_videos` applies one of `RESIZE_METHODS` to whole video sets;
`resize_videos_tensor` does the same with TensorFlow ops on a tensor, for a
compiled Keras step (`keras_i3d.metrics.FrechetVideoDistance`). Under XLA,
whose own bilinear kernel is not TF1's, it computes the kernel with
`tf.gather` (`resize_bilinear_gather_tensor`).
"""

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.tasks.fvd.options import check_option

# The reference, then the variants other FVD implementations use.
RESIZE_METHODS = (
    "tf1_bilinear",  # TF1 legacy kernel (the reference).
    "bilinear",  # half-pixel centres, no antialias (TF2, PyTorch).
    "short_side_center_crop",  # short side to 224 (half-pixel), centre crop.
    "short_side_center_crop_antialias",  # the same with antialiasing.
    "tf1_bilinear_via_64",  # MAGVIT: TF1 kernel to 64x64 first, then 224.
    "none",  # frames must already be 224 x 224.
)
MAGVIT_INTERMEDIATE_SIZE = 64
RESIZE_IMPLEMENTATIONS = ("auto", "tensorflow", "numpy")


def check_resize_method(resize):
    """Returns `resize` if it is one of `RESIZE_METHODS`, else raises."""
    return check_option("resize", resize, RESIZE_METHODS)


def _default_implementation():
    import keras

    return "tensorflow" if keras.backend.backend() == "tensorflow" else "numpy"


def _interpolation_weights(in_size, out_size, half_pixel_centers):
    """Lower/upper source indices and float32 lerp weights, as TF computes them.

    TF's `CalculateResizeScale` is `in / out` in float32; the legacy scaler
    maps `i` to `i * scale`, the half-pixel scaler to `(i + 0.5) * scale -
    0.5`. The lower index is clamped to 0, the upper to `in - 1`.
    """
    scale = np.float32(in_size) / np.float32(out_size)
    positions = np.arange(out_size, dtype=np.float32)
    if half_pixel_centers:
        source = (positions + np.float32(0.5)) * scale - np.float32(0.5)
    else:
        source = positions * scale
    floor = np.floor(source)
    lower = np.maximum(floor, 0).astype(np.int64)
    upper = np.minimum(np.ceil(source).astype(np.int64), in_size - 1)
    return lower, upper, (source - floor).astype(np.float32)


def _resize_by_gather(frames, size, half_pixel_centers, take):
    """TF's `ResizeBilinear` as gathers with TF's order of float32 steps.

    `frames` is float32 of static height and width; `take(array, indices,
    axis)` gathers (`np.take` or `tf.gather`).
    """
    in_height, in_width = frames.shape[-3], frames.shape[-2]
    y_lower, y_upper, y_lerp = _interpolation_weights(in_height, size[0], half_pixel_centers)
    x_lower, x_upper, x_lerp = _interpolation_weights(in_width, size[1], half_pixel_centers)
    x_lerp = x_lerp[:, None]
    top_rows = take(frames, y_lower, -3)
    bottom_rows = take(frames, y_upper, -3)
    # TF's order: top = tl + (tr - tl) * xl, bottom likewise, then
    # out = top + (bottom - top) * yl, every step in float32.
    top_left = take(top_rows, x_lower, -2)
    top = top_left + (take(top_rows, x_upper, -2) - top_left) * x_lerp
    bottom_left = take(bottom_rows, x_lower, -2)
    bottom = bottom_left + (take(bottom_rows, x_upper, -2) - bottom_left) * x_lerp
    return top + (bottom - top) * y_lerp[:, None, None]


def resize_bilinear_numpy(frames, size, half_pixel_centers=False):
    """TF's `ResizeBilinear` kernel as a numpy gather (bit-identical).

    Args:
        frames: `(..., height, width, channels)`, any real dtype.
        size: `(out_height, out_width)`.
        half_pixel_centers: False for the TF1 legacy kernel (the reference),
            True for pixel-centre sampling.

    Returns:
        float32 `(..., out_height, out_width, channels)`.
    """
    frames = np.asarray(frames, dtype=np.float32)
    return _resize_by_gather(
        frames,
        size,
        half_pixel_centers,
        lambda array, indices, axis: np.take(array, indices, axis=axis),
    )


def resize_bilinear_gather_tensor(frames, size, half_pixel_centers=False):
    """`resize_bilinear_numpy` as TensorFlow gathers, for XLA.

    XLA compiles `tf.raw_ops.ResizeBilinear` with its own kernel, which
    does not give the TF1 legacy kernel's values when upsampling (up to 2.0
    apart on [-1, 1] frames, measured on 32 x 32 to 224 x 224); these
    gathers compute the legacy kernel with TF's order of operations.

    Args:
        frames: a tensor `(..., height, width, channels)` of static height
            and width.
        size: `(out_height, out_width)`.
        half_pixel_centers: as for `resize_bilinear_numpy`.

    Returns:
        A float32 tensor `(..., out_height, out_width, channels)`.

    Raises:
        ValueError: the frame size is not static.
    """
    import tensorflow as tf

    frames = tf.cast(frames, tf.float32)
    if frames.shape[-3] is None or frames.shape[-2] is None:
        raise ValueError(
            "Resizing under XLA needs a static frame size. Received: frames "
            f"of shape {frames.shape}"
        )
    return _resize_by_gather(
        frames,
        size,
        half_pixel_centers,
        lambda array, indices, axis: tf.gather(array, indices, axis=axis),
    )


def tracing_for_xla():
    """Whether the function being traced compiles with XLA (`jit_compile`)."""
    import tensorflow as tf

    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover (a TensorFlow without it)
        return False
    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


def resize_bilinear_tensor(frames, size, half_pixel_centers=False):
    """TF's `ResizeBilinear` raw op on a tensor, graph-safe.

    Args:
        frames: a tensor `(..., height, width, channels)` of any real dtype
            (the kernel reads values as float32, like the reference).
        size: `(out_height, out_width)`.
        half_pixel_centers: False for the TF1 legacy kernel (the reference),
            True for pixel-centre sampling.

    Returns:
        A float32 tensor `(..., out_height, out_width, channels)`. Under
        XLA, `resize_bilinear_gather_tensor` computes it (XLA's own kernel
        gives other values).
    """
    import tensorflow as tf

    if tracing_for_xla():
        return resize_bilinear_gather_tensor(frames, size, half_pixel_centers)
    frames = tf.convert_to_tensor(frames)
    leading = tf.shape(frames)[:-3]
    images = tf.reshape(frames, tf.concat([[-1], tf.shape(frames)[-3:]], 0))
    resized = tf.raw_ops.ResizeBilinear(
        images=images,
        size=list(size),
        align_corners=False,
        half_pixel_centers=half_pixel_centers,
    )
    shape = tf.concat([leading, tf.shape(resized)[1:]], 0)
    resized = tf.reshape(resized, shape)
    resized.set_shape(frames.shape[:-3].concatenate((size[0], size[1], frames.shape[-1])))
    return resized


def resize_bilinear_tensorflow(frames, size, half_pixel_centers=False):
    """TF's `ResizeBilinear` raw op (the TF1 legacy kernel by default).

    Same arguments and result as `resize_bilinear_numpy`.
    """
    return resize_bilinear_tensor(frames, size, half_pixel_centers).numpy()


def resize_bilinear(
    frames, size=(CROP_SIZE, CROP_SIZE), half_pixel_centers=False, implementation="auto"
):
    """Bilinear resize of frames, the TF1 legacy kernel by default.

    Args:
        frames: `(..., height, width, channels)` numpy array, uint8 or
            float (values are cast to float32 first, like the reference).
        size: `(out_height, out_width)`; the reference uses `(224, 224)`.
        half_pixel_centers: False (the reference, TF1's default) or True.
        implementation: `"tensorflow"` (`tf.raw_ops.ResizeBilinear`),
            `"numpy"` (a gather with TF's operation order) or `"auto"`
            (TensorFlow on the TensorFlow backend, numpy otherwise). Both
            give bit-identical results.

    Returns:
        float32 numpy array `(..., out_height, out_width, channels)`. A
        frame already of `size` comes back unchanged (as float32).

    Example:

    >>> frames = np.zeros((16, 240, 320, 3), np.uint8)
    >>> resize_bilinear(frames).shape
    (16, 224, 224, 3)
    """
    check_option("implementation", implementation, RESIZE_IMPLEMENTATIONS)
    if implementation == "auto":
        implementation = _default_implementation()
    frames = np.asarray(frames)
    if frames.ndim < 3:
        raise ValueError(
            f"Frames must have shape (..., height, width, channels). Received: shape={frames.shape}"
        )
    if implementation == "tensorflow":
        return resize_bilinear_tensorflow(frames, size, half_pixel_centers)
    return resize_bilinear_numpy(frames, size, half_pixel_centers)


def _short_side_center_crop(videos, antialias):
    """Short side to 224 (half-pixel bilinear), then the centre 224 crop.

    Args:
        videos: `(N, T, H, W, 3)` (array or tensor) of static `H` and `W`.
        antialias: whether `tf.image.resize` antialiases.

    Returns:
        A float32 tensor `(N, T, 224, 224, 3)`.
    """
    import tensorflow as tf

    from keras_i3d.video.resize import short_side_shape

    videos = tf.convert_to_tensor(videos)
    height, width = videos.shape[-3], videos.shape[-2]
    if height is None or width is None:
        raise ValueError(
            "The short_side_center_crop resize methods need a static frame "
            f"size. Received: frames of {height} x {width}"
        )
    new_height, new_width = short_side_shape(height, width, CROP_SIZE)
    frames = tf.reshape(videos, (-1, height, width, videos.shape[-1]))
    if tracing_for_xla():
        if antialias:
            raise ValueError(
                "resize='short_side_center_crop_antialias' has no exact "
                "kernel under XLA: compile with jit_compile=False. Received: "
                "a function compiled with XLA"
            )
        # tf.image.resize's bilinear kernel, as gathers (see
        # resize_bilinear_gather_tensor).
        resized = resize_bilinear_tensor(frames, (new_height, new_width), half_pixel_centers=True)
    else:
        resized = tf.image.resize(
            tf.cast(frames, tf.float32),
            (new_height, new_width),
            method="bilinear",
            antialias=antialias,
        )
    top = (new_height - CROP_SIZE) // 2
    left = (new_width - CROP_SIZE) // 2
    cropped = resized[:, top : top + CROP_SIZE, left : left + CROP_SIZE]
    shape = tf.concat([tf.shape(videos)[:-3], tf.shape(cropped)[1:]], 0)
    cropped = tf.reshape(cropped, shape)
    cropped.set_shape(videos.shape[:-3].concatenate((CROP_SIZE, CROP_SIZE, videos.shape[-1])))
    return cropped


def resize_videos_tensor(videos, resize="tf1_bilinear"):
    """`resize_videos` as TensorFlow ops, for a compiled (graph) step.

    The same kernels as `resize_videos`, so the same bits: the bilinear
    methods are `tf.raw_ops.ResizeBilinear`, the `short_side_center_crop`
    methods `tf.image.resize`.

    Args:
        videos: a tensor `(N, T, H, W, 3)`, uint8 or float.
        resize: one of `RESIZE_METHODS`.

    Returns:
        A float32 tensor `(N, T, 224, 224, 3)`.

    Raises:
        ValueError: an unknown method, `resize="none"` with frames that are
            not 224 x 224, or a `short_side_center_crop` method with frames
            of unknown size.
    """
    import tensorflow as tf

    check_resize_method(resize)
    videos = tf.convert_to_tensor(videos)
    size = (CROP_SIZE, CROP_SIZE)
    frame_size = tuple(videos.shape[-3:-1])
    if resize == "none":
        if frame_size != size:
            raise ValueError(
                "resize='none' needs 224 x 224 frames. Received: frames of "
                f"{frame_size[0]} x {frame_size[1]}"
            )
        return tf.cast(videos, tf.float32)
    if resize in ("tf1_bilinear", "bilinear"):
        return resize_bilinear_tensor(videos, size, half_pixel_centers=resize == "bilinear")
    if resize == "tf1_bilinear_via_64":
        intermediate = (MAGVIT_INTERMEDIATE_SIZE, MAGVIT_INTERMEDIATE_SIZE)
        if frame_size != intermediate:
            # Unknown sizes resize too: 64 to 64 returns the frames as
            # they are.
            videos = resize_bilinear_tensor(videos, intermediate)
        return resize_bilinear_tensor(videos, size)
    return _short_side_center_crop(videos, antialias=resize.endswith("_antialias"))


def resize_videos(videos, resize="tf1_bilinear", implementation="auto"):
    """Resizes every frame of `videos` to 224 x 224 with a named method.

    Args:
        videos: numpy array `(N, T, H, W, 3)`.
        resize: one of `RESIZE_METHODS`; `"tf1_bilinear"` is the reference.
            The `short_side_center_crop` methods use TensorFlow's
            `tf.image.resize` on every backend.
        implementation: for the bilinear kernels, see `resize_bilinear`.

    Returns:
        float32 numpy array `(N, T, 224, 224, 3)`.

    Raises:
        ValueError: an unknown method, or `resize="none"` with frames that
            are not 224 x 224.
    """
    check_resize_method(resize)
    videos = np.asarray(videos)
    size = (CROP_SIZE, CROP_SIZE)
    if resize == "none":
        if videos.shape[-3:-1] != size:
            raise ValueError(
                "resize='none' needs 224 x 224 frames. Received: frames of "
                f"{videos.shape[-3]} x {videos.shape[-2]}"
            )
        return videos.astype(np.float32)
    if resize in ("tf1_bilinear", "bilinear"):
        return resize_bilinear(
            videos,
            size,
            half_pixel_centers=resize == "bilinear",
            implementation=implementation,
        )
    if resize == "tf1_bilinear_via_64":
        intermediate = (MAGVIT_INTERMEDIATE_SIZE, MAGVIT_INTERMEDIATE_SIZE)
        if videos.shape[-3:-1] != intermediate:
            videos = resize_bilinear(videos, intermediate, implementation=implementation)
        return resize_bilinear(videos, size, implementation=implementation)
    return _short_side_center_crop(videos, antialias=resize.endswith("_antialias")).numpy()


# The methods a traced (jitted) step can resize with on any backend: TF's
# bilinear kernels as gathers. The short-side methods need
# `tf.image.resize`'s kernels (and antialiasing), which have no exact
# gather form here.
TRACED_RESIZE_METHODS = ("tf1_bilinear", "bilinear", "tf1_bilinear_via_64", "none")


def resize_videos_traced(videos, resize="tf1_bilinear"):
    """`resize_videos` as `keras.ops` gathers, for a compiled step on any backend.

    The gathers of `resize_bilinear_numpy`, in TF's order of float32 steps;
    a compiler (XLA under `jax.jit`) may fuse them, so values agree with
    `resize_videos` to float32 rounding.

    Args:
        videos: a backend tensor `(N, T, H, W, 3)` of static `H` and `W`.
        resize: one of `TRACED_RESIZE_METHODS`.

    Returns:
        A float32 tensor `(N, T, 224, 224, 3)`.

    Raises:
        ValueError: a method not in `TRACED_RESIZE_METHODS`, or
            `resize="none"` with frames that are not 224 x 224.
    """
    import keras

    check_resize_method(resize)
    if resize not in TRACED_RESIZE_METHODS:
        raise ValueError(
            f"resize={resize!r} has no exact kernel in a compiled step on the "
            f"{keras.backend.backend()} backend: compile with run_eagerly=True. "
            f"Expected one of {TRACED_RESIZE_METHODS}. Received: resize={resize!r}"
        )
    videos = keras.ops.cast(videos, "float32")
    size = (CROP_SIZE, CROP_SIZE)
    frame_size = tuple(videos.shape[-3:-1])

    def take(array, indices, axis):
        return keras.ops.take(array, indices, axis=axis)

    if resize == "none":
        if frame_size != size:
            raise ValueError(
                "resize='none' needs 224 x 224 frames. Received: frames of "
                f"{frame_size[0]} x {frame_size[1]}"
            )
        return videos
    if resize == "tf1_bilinear_via_64":
        intermediate = (MAGVIT_INTERMEDIATE_SIZE, MAGVIT_INTERMEDIATE_SIZE)
        if frame_size != intermediate:
            videos = _resize_by_gather(videos, intermediate, False, take)
    return _resize_by_gather(videos, size, resize == "bilinear", take)
