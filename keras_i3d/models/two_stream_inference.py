"""The two-stream I3D that inference runs: each stream fused by default.

Two-stream I3D is two single-stream I3Ds whose logits are added, so its
inference graph is each stream's inference graph
(`keras_i3d.models.fused.inference_model`: batch norm folded, float32
logits within 1e-4 of the reference graph's; bfloat16 on request) joined
the way `keras_i3d.TwoStreamI3D` joins them:

```
[rgb_clip, flow_clip] -> {"predictions": activation(rgb + flow logits),
                          "rgb_logits": ..., "flow_logits": ...}
```

`two_stream_inference_model` builds it from the streams' weights (what
`keras-i3d predict --stream two_stream` runs); `two_stream_inference_graph`
rewrites a trained `TwoStreamI3D` (what `keras-i3d evaluate --model` scores).
"""

import keras

from keras_i3d.layers import ClipSizeModel
from keras_i3d.models import _builder
from keras_i3d.models.fused import DEFAULT_INFERENCE_PRECISION
from keras_i3d.models.fused import NotAnI3DError
from keras_i3d.models.fused import check_inference_precision
from keras_i3d.models.fused import inference_model
from keras_i3d.models.fused import pretrained_inference_model

# The streams of a two-stream model, in the order of its inputs, and the
# layers `TwoStreamI3D` names them (each a nested single-stream I3D).
TWO_STREAMS = ("rgb", "flow")
STREAM_MODEL_NAMES = {"rgb": "i3d_rgb", "flow": "i3d_flow"}
# The outputs of a two-stream model with its head (`TwoStreamI3D`).
TWO_STREAM_OUTPUTS = ("predictions", "rgb_logits", "flow_logits")


def two_stream_inference_model(
    rgb_weights,
    flow_weights,
    fused=True,
    precision=DEFAULT_INFERENCE_PRECISION,
    classifier_activation=None,
    name="two_stream_i3d",
    model_cache=False,
):
    """A pretrained two-stream I3D for inference, each stream fused.

    Each stream is `pretrained_inference_model(weights, stream, fused=,
    precision=)`: the fused graph in float32 by default (logits within 1e-4
    of the reference graph's), the reference graph with `fused=False`, the
    fused graph in bfloat16 with `precision="mixed_bfloat16"`. The streams
    take clips of any size.

    Args:
        rgb_weights: the RGB stream's weights: anything `I3D(weights=...)`
            accepts, or None (random weights).
        flow_weights: the flow stream's weights, likewise. No pretrained
            flow checkpoint is distributed; pass a converted
            `flow.weights.h5`.
        fused: whether to fuse the streams (False: the reference graphs).
        precision: `"float32"` (the default) or `"mixed_bfloat16"` (fused
            only).
        classifier_activation: applied to the summed logits for
            `"predictions"`; None (the default) returns the summed logits.
        name: the model's name; `"_fused"` is appended when fused.
        model_cache: load each pretrained stream's graph from the model
            cache of `KERAS_I3D_HOME` when it was built before, and cache it
            when not (`keras_i3d.models.inference_cache`: the same logits
            bit for bit). False: build them.

    Returns:
        A `keras.Model` with inputs `[rgb_clip, flow_clip]` and outputs
        `{"predictions", "rgb_logits", "flow_logits"}`, as `TwoStreamI3D`.

    Raises:
        ValueError: unknown weights, a bad `precision`, or streams with
            different class counts.
        keras_i3d.weights.WeightsFileError: the weights cannot be loaded.

    Example:

    >>> model = two_stream_inference_model(None, None)
    >>> model.name, sorted(model.output)
    ('two_stream_i3d_fused', ['flow_logits', 'predictions', 'rgb_logits'])
    """
    from keras_i3d.weights import records

    check_inference_precision(precision, fused)
    stream_weights = dict(zip(TWO_STREAMS, (rgb_weights, flow_weights)))
    # Fail on an alias that has no weights for one stream (flow has none)
    # before building and loading the other.
    for stream, weights in stream_weights.items():
        if isinstance(weights, str):
            records.resolve_alias(weights, stream)
    stream_models = {
        stream: _stream_inference_model(weights, stream, fused, precision, model_cache)
        for stream, weights in stream_weights.items()
    }
    return join_streams(
        stream_models["rgb"],
        stream_models["flow"],
        classifier_activation,
        name=f"{name}_fused" if fused else name,
    )


def _stream_inference_model(weights, stream, fused, precision, model_cache):
    """One stream's inference graph; random weights when `weights` is None."""
    if weights is not None and model_cache:
        from keras_i3d.models.inference_cache import cached_pretrained_inference_model

        model, _ = cached_pretrained_inference_model(
            weights, stream, fused=fused, precision=precision
        )
        return model
    if weights is not None:
        return pretrained_inference_model(weights, stream, fused=fused, precision=precision)
    from keras_i3d.models.i3d import i3d_reference_model

    return inference_model(
        i3d_reference_model(stream, classes=400), fused=fused, precision=precision
    )


def join_streams(rgb_model, flow_model, classifier_activation=None, name="two_stream_i3d"):
    """Joins an RGB and a flow model returning logits into a two-stream model.

    DeepMind's test-time fusion: the streams' logits are added with equal
    weights, as in `TwoStreamI3D`.

    Args:
        rgb_model: a model from RGB clips to `(batch, classes)` logits.
        flow_model: a model from flow clips to logits of as many classes.
        classifier_activation: applied to the summed logits for
            `"predictions"`; None returns the summed logits.
        name: the model's name.

    Returns:
        A `keras.Model` with inputs `[rgb_clip, flow_clip]` (the streams'
        input shapes) and outputs `{"predictions", "rgb_logits",
        "flow_logits"}`.

    Raises:
        ValueError: the streams return different numbers of classes.
    """
    streams = {"rgb": rgb_model, "flow": flow_model}
    classes = {stream: model.output_shape[-1] for stream, model in streams.items()}
    if classes["rgb"] != classes["flow"]:
        raise ValueError(
            "The two streams' logits are added, so they must have as many classes. "
            f"Received: rgb classes={classes['rgb']}, flow classes={classes['flow']}"
        )
    inputs, outputs = [], {}
    for stream, model in streams.items():
        clip = keras.Input(shape=tuple(model.inputs[0].shape)[1:], name=f"{stream}_clip")
        inputs.append(clip)
        output_name = f"{stream}_logits"
        outputs[output_name] = keras.layers.Identity(name=output_name)(model(clip))
    joint_logits = keras.layers.Add(dtype="float32", name="joint_logits")(
        [outputs["rgb_logits"], outputs["flow_logits"]]
    )
    outputs = {
        "predictions": _builder.classifier_output(joint_logits, classifier_activation),
        **outputs,
    }
    return ClipSizeModel(inputs, outputs, name=name)


def is_two_stream_i3d(model):
    """Whether `model` is a two-stream I3D with its head, as `TwoStreamI3D`
    builds it (nested `i3d_rgb` and `i3d_flow` models, outputs
    `TWO_STREAM_OUTPUTS`)."""
    output = getattr(model, "output", None)
    if not isinstance(output, dict) or set(output) != set(TWO_STREAM_OUTPUTS):
        return False
    names = {layer.name for layer in model.layers}
    return set(STREAM_MODEL_NAMES.values()) <= names and "joint_logits" in names


def two_stream_inference_graph(model, fused=True, precision=DEFAULT_INFERENCE_PRECISION):
    """The graph that runs a trained two-stream I3D: by default each stream fused.

    The two-stream counterpart of `keras_i3d.models.fused.inference_model`:
    each stream of `model` goes through `inference_model` (fused float32
    by default, logits within 1e-4 of the reference graph's; bfloat16 on
    request) and the streams are joined again with `model`'s classifier
    activation.

    Args:
        model: a model built by `keras_i3d.TwoStreamI3D` with its head
            (`include_top=True`), with its trained weights.
        fused: whether to fuse it (False: return `model` itself).
        precision: `"float32"` (the default) or `"mixed_bfloat16"` (fused
            only).

    Returns:
        A `keras.Model` with `model`'s inputs and outputs, named
        `model.name + "_fused"` when fused.

    Raises:
        NotAnI3DError: `fused` is True and `model` is not a two-stream I3D
            (`is_two_stream_i3d`) whose streams `inference_model` fuses.
        ValueError: a bad `precision`.

    Example:

    >>> from keras_i3d import TwoStreamI3D
    >>> model = two_stream_inference_graph(TwoStreamI3D(weights=None))
    >>> model.name
    'two_stream_i3d_fused'
    """
    check_inference_precision(precision, fused)
    if not fused:
        return model
    if not is_two_stream_i3d(model):
        raise NotAnI3DError(
            "`two_stream_inference_graph` takes a model built by `keras_i3d.TwoStreamI3D` "
            f"with its head (nested {sorted(STREAM_MODEL_NAMES.values())} models and outputs "
            f"{list(TWO_STREAM_OUTPUTS)}). Received: {getattr(model, 'name', model)!r}"
        )
    stream_models = {
        stream: inference_model(model.get_layer(layer_name), precision=precision)
        for stream, layer_name in STREAM_MODEL_NAMES.items()
    }
    try:
        activation = model.get_layer("Predictions").get_config()["activation"]
    except ValueError:
        activation = None
    joined = join_streams(
        stream_models["rgb"], stream_models["flow"], activation, name=f"{model.name}_fused"
    )
    if [tuple(x.shape) for x in joined.inputs] != [tuple(x.shape) for x in model.inputs]:
        raise NotAnI3DError(
            f"{model.name}: its streams take clips of other shapes than the model; run it "
            f"unfused (fused=False). Received: inputs {[tuple(x.shape) for x in model.inputs]}"
        )
    return joined
