"""Video embeddings for FVD: checked input, resize, scale, I3D logits.

The reference embeds a video as the 400 pre-softmax logits of the TF-Hub
`i3d-kinetics-400` RGB network averaged over time (`RGB/inception_i3d/Mean`),
which is the `Logits` output of `I3D(weights="kinetics400",
classifier_activation=None)`. Its input is every frame resized to 224 x 224
(`keras_i3d.tasks.fvd.resize`) and scaled from 0-255 to [-1, 1] as
`x / 127.5 - 1`, a true division (bitwise equal to the reference's
`2 * x / 255 - 1`; multiplying by a reciprocal is not).

The network runs in float32 with TF32 off, whatever the global dtype policy:
reduced precision moves the logits by more than FVD's float32 rounding.

On the TensorFlow backend a batch is embedded by one compiled graph that
takes the videos as they are (uint8 or float) and resizes, scales and runs
I3D (`embed_videos`): the same kernels as the host path, so the same bits
(tested), without the float32 copies of the batch on the host and without
eager dispatch of every layer. It is what brings the whole FVD path within
a few percent of the model alone.
"""

import contextlib
import warnings
import weakref

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.conventions import RGB_SCALE
from keras_i3d.tasks.fvd.options import check_option
from keras_i3d.tasks.fvd.resize import check_resize_method
from keras_i3d.tasks.fvd.resize import resize_videos

FEATURES = ("logits", "pool")
FEATURE_DIMENSIONS = {"logits": 400, "pool": 1024}
# The value ranges a caller may declare; videos are mapped to [-1, 1].
INPUT_RANGES = ((0, 255), (0, 1), (-1, 1))
DEFAULT_INPUT_RANGE = (0, 255)
DEFAULT_BATCH_SIZE = 16  # The reference embeds 16 videos per call.


def check_features(features):
    """Returns `features` if it is one of `FEATURES`, else raises."""
    return check_option("features", features, FEATURES)


def check_input_range(input_range):
    """Returns `input_range` as a tuple from `INPUT_RANGES`, else raises."""
    try:
        input_range = tuple(input_range)
    except TypeError:
        pass
    return check_option("input_range", input_range, INPUT_RANGES)


def embedding_options(resize="tf1_bilinear", features="logits", clip_length=None):
    """The options recorded in `VideoStatistics` (what changes embeddings).

    The declared input range is not among them: every range is mapped to
    the same [-1, 1] model input.
    """
    options = {
        "resize": check_resize_method(resize),
        "features": check_features(features),
    }
    if clip_length is not None:
        options["clip_length"] = int(clip_length)
    return options


def check_videos(videos, name="videos", input_range=DEFAULT_INPUT_RANGE):
    """Checks a set of videos `(N, T, H, W, 3)` for FVD and returns it.

    Args:
        videos: array-like `(N, T, H, W, 3)`, RGB.
        name: how errors name the input (e.g. a file path).
        input_range: the declared value range, one of `INPUT_RANGES`.

    Returns:
        `videos` as a numpy array.

    Raises:
        ValueError: wrong rank or channels, fewer than
            `MIN_FRAMES_FOR_LOGITS` frames, no videos, or values outside
            `input_range`. Under the 0-255 default, a float array whose
            maximum is at most 1 only warns (`UserWarning`) that it looks
            like [0, 1] data and names the `input_range` option.
    """
    input_range = check_input_range(input_range)
    videos = np.asarray(videos)
    if videos.ndim != 5 or videos.shape[-1] != RGB_CHANNELS:
        raise ValueError(
            f"{name}: FVD needs RGB videos of shape (N, T, H, W, 3). Received: shape={videos.shape}"
        )
    if videos.shape[0] < 1:
        raise ValueError(f"{name}: no videos. Received: shape={videos.shape}")
    if videos.shape[1] < MIN_FRAMES_FOR_LOGITS:
        raise ValueError(
            f"{name}: I3D's logits need at least {MIN_FRAMES_FOR_LOGITS} "
            f"frames per video. Received: {videos.shape[1]} frames"
        )
    if not (np.issubdtype(videos.dtype, np.integer) or np.issubdtype(videos.dtype, np.floating)):
        raise ValueError(
            f"{name}: videos must be integers or floats. Received: dtype={videos.dtype}"
        )
    low, high = videos.min(), videos.max()
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{name}: values must be finite. Received: NaN or inf")
    if low < input_range[0] or high > input_range[1]:
        raise ValueError(
            f"{name}: values must lie in [{input_range[0]}, {input_range[1]}]"
            f" (input_range={input_range}). Received: values in "
            f"[{low}, {high}]"
        )
    if (
        input_range == DEFAULT_INPUT_RANGE
        and np.issubdtype(videos.dtype, np.floating)
        and high <= 1
    ):
        warnings.warn(
            f"{name}: float values with maximum {high} look like [0, 1] "
            "data, but input_range=(0, 255) (the reference) is declared; "
            "pass input_range=(0, 1) if they are.",
            stacklevel=3,
        )
    return videos


def scale_to_model_range(frames, input_range=DEFAULT_INPUT_RANGE):
    """Maps float32 frames from `input_range` to I3D's [-1, 1].

    0-255 uses `x / 127.5 - 1` (a true division, bitwise equal to the
    reference's `2 * x / 255 - 1`), [0, 1] uses `x * 2 - 1` (MAGVIT), and
    [-1, 1] is returned as it is.
    """
    input_range = check_input_range(input_range)
    frames = np.asarray(frames, np.float32)
    if input_range == (0, 255):
        return frames / np.float32(RGB_SCALE) - np.float32(1.0)
    if input_range == (0, 1):
        return frames * np.float32(2.0) - np.float32(1.0)
    return frames


def scale_to_model_range_tensor(frames, input_range=DEFAULT_INPUT_RANGE):
    """`scale_to_model_range` as TensorFlow ops on a float32 tensor.

    The same float32 operations, so the same bits (a true division for
    0-255), also inside a compiled step.
    """
    import tensorflow as tf

    input_range = check_input_range(input_range)
    frames = tf.cast(frames, tf.float32)
    if input_range == (0, 255):
        # divide_no_nan is a true division for a non-zero divisor, and
        # Grappler does not turn it into a product with the reciprocal (it
        # does so for `frames / RGB_SCALE`, which changes 1 value in 3).
        divisor = tf.constant(RGB_SCALE, tf.float32)
        return tf.math.divide_no_nan(frames, divisor) - 1.0
    if input_range == (0, 1):
        return frames * 2.0 - 1.0
    return frames


def preprocess_videos(
    videos, resize="tf1_bilinear", input_range=DEFAULT_INPUT_RANGE, implementation="auto"
):
    """The reference's preprocessing: cast, resize to 224, scale to [-1, 1].

    Returns:
        float32 `(N, T, 224, 224, 3)` in [-1, 1].
    """
    resized = resize_videos(videos, resize, implementation=implementation)
    return scale_to_model_range(resized, input_range)


@contextlib.contextmanager
def full_float32_precision():
    """float32 matmuls and convolutions: TF32 off on TensorFlow and JAX."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        previous = tf.config.experimental.tensor_float_32_execution_enabled()
        tf.config.experimental.enable_tensor_float_32_execution(False)
        try:
            yield
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(previous)
    elif backend == "jax":
        import jax

        with jax.default_matmul_precision("float32"):
            yield
    else:
        yield


def fvd_embedding_model(features="logits", weights="kinetics400"):
    """The I3D RGB network that embeds a clip for FVD, in float32.

    Args:
        features: `"logits"` (the 400 pre-softmax logits averaged over
            time: the reference) or `"pool"` (`Mixed_5c` average-pooled over
            time and space, 1024-d).
        weights: as for `keras_i3d.models.i3d.I3D`; `"kinetics400"` is the
            TF-Hub `i3d-kinetics-400` RGB network the reference uses.

    Returns:
        A `keras.Model` from `(batch, T, 224, 224, 3)` in [-1, 1] to
        `(batch, 400)` or `(batch, 1024)`.
    """
    import keras

    from keras_i3d.models.i3d import I3D

    check_features(features)
    input_shape = (None, CROP_SIZE, CROP_SIZE, RGB_CHANNELS)
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        if features == "logits":
            return I3D(
                weights=weights,
                input_shape=input_shape,
                classifier_activation=None,
                name="fvd_i3d_logits",
            )
        return I3D(
            weights=weights,
            input_shape=input_shape,
            include_top=False,
            pooling="avg",
            name="fvd_i3d_pool",
        )
    finally:
        keras.config.set_dtype_policy(previous_policy)


def video_embeddings(
    videos,
    model=None,
    features="logits",
    resize="tf1_bilinear",
    input_range=DEFAULT_INPUT_RANGE,
    batch_size=DEFAULT_BATCH_SIZE,
    progress=False,
    name="videos",
):
    """Embeds videos as FVD does: one I3D vector per video.

    Args:
        videos: `(N, T, H, W, 3)` RGB, uint8 or float, in `input_range`;
            `T >= 9`.
        model: an embedding model from `fvd_embedding_model` (built for
            `features` when None; pass one to embed many sets).
        features: `"logits"` (400-d, the reference) or `"pool"` (1024-d).
        resize: one of `keras_i3d.tasks.fvd.resize.RESIZE_METHODS`.
        input_range: `(0, 255)` (the reference), `(0, 1)` or `(-1, 1)`.
        batch_size: videos per forward pass. The result does not depend on
            it (batch norm runs in inference mode).
        progress: show a tqdm progress bar.
        name: how errors and the progress bar name the input.

    Returns:
        float32 numpy array `(N, 400)` or `(N, 1024)`.

    Example:

    ```python
    videos = np.zeros((16, 16, 64, 64, 3), np.uint8)
    video_embeddings(videos).shape  # (16, 400)
    ```
    """
    check_features(features)
    check_resize_method(resize)
    videos = check_videos(videos, name=name, input_range=input_range)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive int. Received: batch_size={batch_size!r}"
        )
    if model is None:
        model = fvd_embedding_model(features)
    starts = range(0, videos.shape[0], batch_size)
    if progress:
        from tqdm import tqdm

        starts = tqdm(starts, desc=f"embedding {name}", unit="batch")
    embeddings = [
        embed_videos(model, videos[start : start + batch_size], resize, input_range)
        for start in starts
    ]
    return np.concatenate(embeddings, axis=0)


# model -> {(resize, input_range, clip shape, dtype): tf.function}; entries
# die with the model.
_COMPILED_EMBEDDINGS = weakref.WeakKeyDictionary()


def _compiled_embedding(model, resize, input_range, videos):
    """The graph `video_embeddings_tensor` of `model` for clips like `videos`.

    One trace per clip shape and dtype; the batch size is left open, so a
    last, shorter batch (or the metric's batches) does not trace again.
    """
    import tensorflow as tf

    functions = _COMPILED_EMBEDDINGS.setdefault(model, {})
    key = (resize, input_range, videos.shape[1:], videos.dtype.str)
    if key not in functions:
        signature = tf.TensorSpec((None, *videos.shape[1:]), tf.as_dtype(videos.dtype))
        # No XLA: its bilinear kernel and its fusions change the bits.
        functions[key] = tf.function(
            lambda batch: video_embeddings_tensor(batch, model, resize, input_range),
            input_signature=[signature],
            jit_compile=False,
        )
    return functions[key]


def embed_videos(model, videos, resize="tf1_bilinear", input_range=DEFAULT_INPUT_RANGE):
    """Embeds one batch of checked videos: resize, scale and I3D, in float32.

    On the TensorFlow backend the three steps run as one compiled graph
    (`video_embeddings_tensor`, traced once per clip shape) on the videos
    as they are; elsewhere `preprocess_videos` runs on the host and the
    model eagerly. Both give the bits of
    `embed_model_inputs(model, preprocess_videos(videos, resize, input_range))`.

    Args:
        model: a model from `fvd_embedding_model`.
        videos: numpy array `(batch, T, H, W, 3)`, already checked with
            `check_videos` (the graph does not check values).
        resize: one of `keras_i3d.tasks.fvd.resize.RESIZE_METHODS`.
        input_range: `(0, 255)` (the reference), `(0, 1)` or `(-1, 1)`.

    Returns:
        float32 numpy array `(batch, dimension)`.
    """
    import keras

    input_range = check_input_range(input_range)
    if keras.backend.backend() != "tensorflow":
        return embed_model_inputs(model, preprocess_videos(videos, resize, input_range))
    check_resize_method(resize)
    videos = np.asarray(videos)
    embed = _compiled_embedding(model, resize, input_range, videos)
    # TF32 is read when the graph runs, so the context covers the call.
    with full_float32_precision():
        return np.asarray(embed(videos), np.float32)


def embed_model_inputs(model, model_inputs):
    """Runs the embedding model on preprocessed clips, in full float32.

    Args:
        model: a model from `fvd_embedding_model`.
        model_inputs: float32 `(batch, T, 224, 224, 3)` in [-1, 1] (from
            `preprocess_videos`).

    Returns:
        float32 numpy array `(batch, dimension)`.
    """
    with full_float32_precision():
        return np.asarray(model(model_inputs, training=False), np.float32)


def video_embeddings_tensor(videos, model, resize="tf1_bilinear", input_range=DEFAULT_INPUT_RANGE):
    """`video_embeddings` as TensorFlow ops, for a compiled (graph) step.

    The same resize kernel (`resize_videos_tensor`), the same scaling and
    the same model call as `video_embeddings`, on one batch. Unlike
    `video_embeddings` it does not check the values (a graph cannot raise
    a clear error) and does not switch TF32 off: that setting is read when
    the graph runs, not when it is traced.

    Args:
        videos: a tensor `(n, T, H, W, 3)` in `input_range`.
        model: an embedding model from `fvd_embedding_model`.
        resize: one of `keras_i3d.tasks.fvd.resize.RESIZE_METHODS`.
        input_range: `(0, 255)` (the reference), `(0, 1)` or `(-1, 1)`.

    Returns:
        A float32 tensor `(n, 400)` or `(n, 1024)`.
    """
    import tensorflow as tf

    from keras_i3d.tasks.fvd.resize import resize_videos_tensor

    model_inputs = scale_to_model_range_tensor(resize_videos_tensor(videos, resize), input_range)
    return tf.cast(model(model_inputs, training=False), tf.float32)


def video_embeddings_traced(videos, model, resize="tf1_bilinear", input_range=DEFAULT_INPUT_RANGE):
    """`video_embeddings_tensor` as `keras.ops`, for a compiled step on JAX.

    The TF1 kernel as gathers (`resize_videos_traced`), the scaling and the
    model call, traced by the backend's compiler (XLA under `jax.jit`,
    which may fuse float32 operations: the embeddings agree with
    `video_embeddings` to float32 rounding). No value checks.

    Args:
        videos: a backend tensor `(n, T, H, W, 3)` in `input_range`.
        model: an embedding model from `fvd_embedding_model`.
        resize: one of `keras_i3d.tasks.fvd.resize.TRACED_RESIZE_METHODS`.
        input_range: `(0, 255)` (the reference), `(0, 1)` or `(-1, 1)`.

    Returns:
        A float32 tensor `(n, 400)` or `(n, 1024)`.
    """
    import keras

    from keras_i3d.tasks.fvd.resize import resize_videos_traced

    input_range = check_input_range(input_range)
    frames = resize_videos_traced(videos, resize)
    if input_range == (0, 255):
        frames = frames / np.float32(RGB_SCALE) - np.float32(1.0)
    elif input_range == (0, 1):
        frames = frames * np.float32(2.0) - np.float32(1.0)
    return keras.ops.cast(model(frames, training=False), "float32")


def video_statistics(
    videos,
    model=None,
    features="logits",
    resize="tf1_bilinear",
    input_range=DEFAULT_INPUT_RANGE,
    batch_size=DEFAULT_BATCH_SIZE,
    progress=False,
    name="videos",
):
    """`VideoStatistics` of a set of videos (arguments of `video_embeddings`).

    The statistics record `resize`, `features` and the clip length.
    """
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    embeddings = video_embeddings(
        videos,
        model=model,
        features=features,
        resize=resize,
        input_range=input_range,
        batch_size=batch_size,
        progress=progress,
        name=name,
    )
    options = embedding_options(resize, features, np.shape(videos)[1])
    return VideoStatistics.from_embeddings(embeddings, options)
