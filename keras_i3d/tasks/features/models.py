"""The network that maps one window to its feature.

Poolings of the endpoint's `(time, height, width, channels)` output:

* `"avg"`: the global average over time and space, one vector per window
  (keras-i3d's default, `I3D(pooling="avg")`);
* `"avgpool_2x7x7"`: `AvgPool3d((2, 7, 7), stride 1)` then the mean over the
  remaining time steps, one vector per window: video_features' I3D feature.
  It equals `"avg"` on 16-frame windows and differs by up to 7.6% on
  64-frame windows (the first and last time steps weigh half);
* `"avgpool_2x7x7_steps"`: the same pool without the mean, one vector per
  time step, `(time - 1, channels)` per window: piergiaj's
  `extract_features`.

The spatial pool is 7x7 at the usual 224 crops; smaller crops pool their
whole (smaller) spatial extent.
"""

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_PIXELS_FOR_LOGITS
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream
from keras_i3d.models.endpoints import ENDPOINT_CHANNELS
from keras_i3d.models.endpoints import check_endpoint
from keras_i3d.tasks.features.windows import DEFAULT_ENDPOINT
from keras_i3d.tasks.features.windows import DEFAULT_WINDOW
from keras_i3d.tasks.features.windows import check_window

POOLINGS = ("avg", "avgpool_2x7x7", "avgpool_2x7x7_steps")
# video_features' and piergiaj's pool over Mixed_5c: (time, height, width).
_LOCAL_POOL_SIZE = (2, 7, 7)


def check_pooling(pooling, endpoint=DEFAULT_ENDPOINT):
    """Checks that `pooling` is one of `POOLINGS` and fits `endpoint`."""
    if pooling not in POOLINGS:
        raise ValueError(f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}")
    if endpoint == "Logits" and pooling != "avg":
        raise ValueError(
            "The Logits endpoint is one vector per window already; `pooling` "
            f"applies to the other endpoints. Received: pooling={pooling!r}"
        )
    return pooling


def feature_size(endpoint, classes=400):
    """The length of one feature vector at `endpoint`."""
    check_endpoint(endpoint)
    return classes if endpoint == "Logits" else ENDPOINT_CHANNELS[endpoint]


def check_feature_model(stream, endpoint, window, crop_size, pooling):
    """Checks the arguments of `feature_model` without building it.

    Raises:
        ValueError: an argument is out of range; the message says which.
    """
    check_stream(stream)
    check_endpoint(endpoint)
    check_window(window, 1, endpoint)
    check_pooling(pooling, endpoint)
    if endpoint == "Logits" and crop_size < MIN_PIXELS_FOR_LOGITS:
        raise ValueError(
            f"The Logits endpoint needs crops of at least "
            f"{MIN_PIXELS_FOR_LOGITS} pixels. Received: "
            f"crop_size={crop_size}"
        )


def check_feature_models(settings, fused=True, precision="float32"):
    """Checks that every stream's `feature_model` can be built, without
    building one (e.g. before a Beam job starts).

    Raises:
        ValueError: a bad `precision`, or a model that cannot take the
            settings; the message starts with its stream.
    """
    from keras_i3d.models.fused import check_inference_precision

    check_inference_precision(precision, fused)
    for stream in settings.streams:
        try:
            check_feature_model(
                stream, settings.endpoint, settings.window, settings.crop_size, settings.pooling
            )
        except ValueError as error:
            raise ValueError(f"{stream} model: {error}") from None


def feature_model(
    stream,
    endpoint=DEFAULT_ENDPOINT,
    weights="kinetics400",
    window=DEFAULT_WINDOW,
    crop_size=CROP_SIZE,
    pooling="avg",
    fused=True,
    precision="float32",
):
    """Builds an I3D stream that maps a window to its feature.

    The I3D (up to `endpoint`, with its own global pooling or logits head)
    runs as `keras_i3d.models.fused.inference_model` makes it, the one
    place that picks the inference graph; the `"avgpool_2x7x7"` poolings
    are added after it.

    Args:
        stream: `"rgb"` or `"flow"`.
        endpoint: `"Logits"` (the 400 class logits, before softmax) or any
            earlier endpoint, pooled by `pooling` (`"Mixed_5c"`: 1024-d).
        weights: as for `keras_i3d.I3D` (None for random weights).
        window: frames per window.
        crop_size: height and width of the windows; `"Logits"` needs at
            least `MIN_PIXELS_FOR_LOGITS`.
        pooling: one of `POOLINGS` (module docstring); `"avg"` by default.
        fused: run the fused graph (batch norm folded into the
            convolutions; the default, as on every inference path): the same
            features to float32 rounding, faster. False runs the reference
            graph.
        precision: `"float32"` or `"mixed_bfloat16"` (needs `fused=True`);
            the features stay float32.

    Returns:
        A `keras.Model` from `(batch, window, crop, crop, channels)` to
        `(batch, feature_size(endpoint))`, or `(batch, steps, channels)`
        for `pooling="avgpool_2x7x7_steps"`.

    Raises:
        ValueError: an argument is out of range; the message says which.

    Example:

    >>> model = feature_model("rgb", weights=None, window=16, crop_size=64)
    >>> model.output_shape
    (None, 1024)
    """
    import keras

    from keras_i3d.models.fused import check_inference_precision
    from keras_i3d.models.fused import inference_model
    from keras_i3d.models.i3d import I3D

    check_feature_model(stream, endpoint, window, crop_size, pooling)
    check_inference_precision(precision, fused)
    input_shape = (window, crop_size, crop_size, STREAM_CHANNELS[stream])
    if endpoint == "Logits":
        model = I3D(
            stream=stream,
            weights=weights,
            input_shape=input_shape,
            classifier_activation=None,
            name=f"i3d_{stream}_logits",
        )
        return inference_model(model, fused=fused, precision=precision)
    model = I3D(
        stream=stream,
        include_top=False,
        weights=weights,
        input_shape=input_shape,
        pooling="avg" if pooling == "avg" else None,
        final_endpoint=endpoint,
        name=f"i3d_{stream}_{endpoint}",
    )
    model = inference_model(model, fused=fused, precision=precision)
    if pooling == "avg":
        return model
    _, time, height, width, _ = model.output.shape
    if time < 2:
        raise ValueError(
            f"`pooling={pooling!r}` needs at least 2 time steps at {endpoint}; "
            f"use longer windows. Received: window={window}"
        )
    pool_size = (2, min(_LOCAL_POOL_SIZE[1], height), min(_LOCAL_POOL_SIZE[2], width))
    x = keras.layers.AveragePooling3D(pool_size, strides=1, dtype="float32", name="local_pool")(
        model.output
    )
    # (batch, time - 1, h', w', channels) -> per step, then over time.
    x = keras.layers.Lambda(lambda y: keras.ops.mean(y, axis=(2, 3)), name="space_mean")(x)
    if pooling == "avgpool_2x7x7":
        x = keras.layers.GlobalAveragePooling1D(name="time_mean")(x)
    return keras.Model(model.input, x, name=f"{model.name}_{pooling}")


def feature_models(settings, weights, fused=True, precision="float32", streams=None):
    """The feature model of each stream of a `FeatureSettings`.

    Args:
        settings: the `FeatureSettings` (endpoint, window, crop size,
            pooling).
        weights: `{stream: weights}`, as for `feature_model` (a stream not
            in it gets random weights).
        fused, precision: as for `feature_model`.
        streams: the streams to build (default: `settings.streams`).

    Returns:
        `{stream: keras.Model}`.

    Raises:
        ValueError: a model cannot be built; the message starts with its
            stream.
    """
    models = {}
    for stream in streams or settings.streams:
        try:
            models[stream] = feature_model(
                stream,
                endpoint=settings.endpoint,
                weights=weights.get(stream),
                window=settings.window,
                crop_size=settings.crop_size,
                pooling=settings.pooling,
                fused=fused,
                precision=precision,
            )
        except ValueError as error:
            raise ValueError(f"{stream} model: {error}") from None
    return models
