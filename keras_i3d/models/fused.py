"""An inference-only I3D: batch norm folded into the convolutions.

`fuse_for_inference(model)` rewrites a trained `keras_i3d.I3D` into a network
that computes the same function with fewer, larger operations:

* every `Unit3D` (conv without bias, batch norm without scale, ReLU) becomes
  one `Conv3D` with a bias and a ReLU, the batch norm folded in:

  ```
  y = relu((conv(x, w) - mean) / sqrt(var + eps) + beta)
    = relu(conv(x, w * s) + (beta - mean * s)),   s = 1 / sqrt(var + eps)
  ```

  which oneDNN runs as a single fused conv + bias + ReLU kernel;
* every `Mixed_*` block becomes a `keras_i3d.layers.FusedInceptionBlock3D`
  (the same units, folded), whose three 1x1x1 convs that read the block's
  input (`Branch_0/Conv3d_0a_1x1`, `Branch_1/Conv3d_0a_1x1`,
  `Branch_2/Conv3d_0a_1x1`) run as one wider conv whose output is split, so
  the input is read once and the matrix multiply is large enough for AMX;
* dropout (inactive at inference) is dropped.

Layer names stay DeepMind's endpoint names (`Conv3d_1a_7x7`, ...,
`Mixed_5c`, `Logits`), padding stays TensorFlow's "SAME", and the model runs
on every Keras backend. It is meant for `predict`, not for training: the
batch-norm statistics are baked into the kernels. The reference (trainable)
model is `keras_i3d.I3D`.
"""

import functools

import keras
import numpy as np

from keras_i3d.layers import MinimumClipSize
from keras_i3d.layers import Unit3D
from keras_i3d.layers.fused import FusedInceptionBlock3D
from keras_i3d.layers.fused import SpaceToDepthConv3D
from keras_i3d.models.endpoints import I3D_BODY
from keras_i3d.models.i3d import LOGITS_CONV
from keras_i3d.models.i3d import LOGITS_POOL_SIZE


class NotAnI3DError(ValueError):
    """`fuse_for_inference` was given a model that is not a keras-i3d I3D."""


def _conv(filters, kernel_size, strides=(1, 1, 1), activation="relu", dtype=None, name=None):
    return keras.layers.Conv3D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=True,
        activation=activation,
        dtype=dtype,
        name=name,
    )


def fold_batch_norm(unit):
    """Returns `(kernel, bias)` of a `Unit3D` with its batch norm folded in.

    Computed in float64 and returned as float32 numpy arrays. A unit without
    batch norm returns its kernel and its bias (zeros when it has none).
    """
    kernel = np.asarray(keras.ops.convert_to_numpy(unit.conv_3d.kernel), dtype=np.float64)
    if unit.use_bias:
        bias = np.asarray(keras.ops.convert_to_numpy(unit.conv_3d.bias), dtype=np.float64)
    else:
        bias = np.zeros(kernel.shape[-1])
    bn = unit.batch_norm
    if bn is not None:
        if bn.scale:
            raise NotAnI3DError(
                f"Unit {unit.name!r} has a batch-norm scale (gamma); I3D's units have none."
            )
        mean = _numpy(bn.moving_mean)
        scale = 1.0 / np.sqrt(_numpy(bn.moving_variance) + bn.epsilon)
        beta = _numpy(bn.beta) if bn.center else 0.0
        kernel = kernel * scale
        bias = (bias - mean) * scale + beta
    return kernel.astype(np.float32), bias.astype(np.float32)


def _numpy(variable):
    return np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float64)


def _layer(model, name):
    try:
        return model.get_layer(name)
    except ValueError:
        return None


def _check_i3d(model):
    stem = _layer(model, I3D_BODY[0][0])
    if not isinstance(stem, Unit3D):
        raise NotAnI3DError(
            "`fuse_for_inference` takes a model built by `keras_i3d.I3D` "
            f"(with a `{I3D_BODY[0][0]}` Unit3D layer). Received: "
            f"{getattr(model, 'name', model)!r}"
        )
    if len(model.inputs) != 1:
        raise NotAnI3DError(
            "`fuse_for_inference` takes a single-stream I3D; fuse each "
            "stream of a two-stream model separately."
        )


def fuse_for_inference(model, merge_reduce=True, space_to_depth_stem=None, dtype=None, name=None):
    """Rewrites a trained I3D into an inference-only, batch-norm-free model.

    Args:
        model: a model built by `keras_i3d.I3D` (any stream, endpoint or
            head), with its trained weights.
        merge_reduce: whether to merge each Inception block's three input
            1x1x1 convs into one (see `FusedInceptionBlock3D`).
        space_to_depth_stem: whether to run the stem as a
            `SpaceToDepthConv3D` (needs a fixed input shape). None (the
            default) does so where it is faster: in bfloat16, with a fixed
            input shape, on a CPU with AMX (`cpu_has_amx`). Without AMX
            (AVX-512 BF16 only) it is slower, as it is in float32.
        dtype: dtype policy of the new model, e.g. `"mixed_bfloat16"`;
            defaults to the current global policy. The logits are always
            float32.
        name: model name; defaults to `model.name + "_fused"`.

    Returns:
        A `keras.Model` with the same input and output shapes as `model`
        whose outputs equal `model.predict`'s to float32 rounding.

    Example:

    >>> from keras_i3d import I3D
    >>> from keras_i3d.models.fused import fuse_for_inference
    >>> model = I3D(weights=None, input_shape=(16, 224, 224, 3))
    >>> fused = fuse_for_inference(model)
    >>> fused.output_shape
    (None, 400)
    """
    _check_i3d(model)
    policy = keras.dtype_policies.get(dtype if dtype is not None else keras.config.dtype_policy())
    input_shape = tuple(model.inputs[0].shape)[1:]
    fixed_shape = None not in input_shape
    if space_to_depth_stem is None:
        space_to_depth_stem = fixed_shape and policy.compute_dtype == "bfloat16" and cpu_has_amx()
    if space_to_depth_stem and not fixed_shape:
        raise ValueError(
            "`space_to_depth_stem=True` needs a model with a fixed input "
            f"shape. Received: a model with input shape {input_shape}; "
            "build the I3D with e.g. `input_shape=(64, 224, 224, 3)`."
        )
    inputs = keras.Input(shape=input_shape, name=model.inputs[0].name)
    x = inputs
    clip_size = _layer(model, "clip_size")
    if isinstance(clip_size, MinimumClipSize):
        x = MinimumClipSize.from_config(clip_size.get_config())(x)
    weights = {}
    stem_name = I3D_BODY[0][0]
    for endpoint, kind, arguments in I3D_BODY:
        source = _layer(model, endpoint)
        if source is None:
            break
        if kind == "unit" and space_to_depth_stem and endpoint == stem_name:
            filters, kernel_size, _ = arguments
            layer = SpaceToDepthConv3D(filters, kernel_size, dtype=policy, name=endpoint)
            kernel, bias = fold_batch_norm(source)
            weights[endpoint] = [(SpaceToDepthConv3D.blocked_kernel(kernel), bias)]
        elif kind == "unit":
            filters, kernel_size, strides = arguments
            layer = _conv(filters, kernel_size, strides, dtype=policy, name=endpoint)
            weights[endpoint] = [fold_batch_norm(source)]
        elif kind == "pool":
            pool_size, strides = arguments
            layer = keras.layers.MaxPooling3D(
                pool_size, strides, padding="same", dtype=policy, name=endpoint
            )
        else:
            layer = FusedInceptionBlock3D(
                arguments,
                merge_reduce=merge_reduce,
                dtype=policy,
                name=endpoint,
            )
            weights[endpoint] = _block_weights(source, layer)
        x = layer(x)
    x = _fused_head(model, x, policy, weights)
    fused = keras.Model(inputs, x, name=name or f"{model.name}_fused")
    for layer_name, pairs in weights.items():
        layer = fused.get_layer(layer_name)
        convs = layer.units if isinstance(layer, FusedInceptionBlock3D) else [layer]
        for conv, (kernel, bias) in zip(convs, pairs):
            conv.set_weights([kernel, bias])
    return fused


@functools.cache
def cpu_has_amx(cpuinfo="/proc/cpuinfo"):
    """Whether the CPU has AMX bfloat16 tiles (`amx_bf16` in its flags).

    `SpaceToDepthConv3D` pays 1.5x the stem's multiply-adds for a shape
    that AMX runs about twice as fast in bfloat16; with AVX-512 BF16 alone
    (an AMD EPYC, say) the plain stem is faster. False where `cpuinfo`
    cannot be read (not Linux): the plain stem is the safe choice.

    Args:
        cpuinfo: the file listing the CPU's flags.

    Returns:
        bool.
    """
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as file:
            return any(
                line.startswith("flags") and "amx_bf16" in line.split(":", 1)[-1].split()
                for line in file
            )
    except OSError:
        return False


def _block_weights(block, fused_block):
    """The folded `(kernel, bias)` of `block`'s units, in `fused_block`'s."""
    folded = {unit.name: fold_batch_norm(unit) for unit in block.units}
    return [folded[unit.name] for unit in fused_block.units]


def _fused_head(model, x, policy, weights):
    """Copies the reference model's head (logits or pooling), minus dropout."""
    logits_conv = _layer(model, LOGITS_CONV)
    if logits_conv is not None:
        x = keras.layers.AveragePooling3D(
            LOGITS_POOL_SIZE,
            strides=1,
            padding="valid",
            dtype=policy,
            name="Logits_AvgPool3d",
        )(x)
        x = _conv(logits_conv.filters, 1, activation=None, dtype=policy, name=LOGITS_CONV)(x)
        weights[LOGITS_CONV] = [fold_batch_norm(logits_conv)]
        x = keras.layers.GlobalAveragePooling3D(dtype="float32", name="Logits")(x)
        predictions = _layer(model, "Predictions")
        if predictions is not None:
            x = keras.layers.Activation(
                predictions.get_config()["activation"],
                dtype="float32",
                name="Predictions",
            )(x)
        return x
    poolings = (
        ("avg_pool", keras.layers.GlobalAveragePooling3D),
        ("max_pool", keras.layers.GlobalMaxPooling3D),
    )
    for pooling_name, pooling in poolings:
        if _layer(model, pooling_name) is not None:
            return pooling(dtype=policy, name=pooling_name)(x)
    return x


# The precisions inference runs in: float32 (exact, the default) or bfloat16
# on request (faster on CPUs with AMX; logits within about 0.2). The names
# are Keras dtype policies, as training's `--precision` takes them.
INFERENCE_PRECISIONS = ("float32", "mixed_bfloat16")
DEFAULT_INFERENCE_PRECISION = "float32"


def check_inference_precision(precision, fused=True):
    """Returns `precision` if inference can run in it, else raises.

    Raises:
        ValueError: `precision` is not in `INFERENCE_PRECISIONS`, or is
            bfloat16 with `fused=False` (only the fused graph is rebuilt in
            another dtype policy).
    """
    if precision not in INFERENCE_PRECISIONS:
        raise ValueError(
            f"`precision` must be one of {INFERENCE_PRECISIONS}. Received: precision={precision!r}"
        )
    if precision != DEFAULT_INFERENCE_PRECISION and not fused:
        raise ValueError(
            f"precision={precision!r} runs the fused graph; the reference graph runs in "
            f"float32 only. Received: precision={precision!r}, fused={fused}"
        )
    return precision


def inference_model(model, fused=True, precision=DEFAULT_INFERENCE_PRECISION):
    """The graph every inference path runs: by default `model` fused.

    The one place that decides how keras-i3d runs a trained I3D for
    inference (predict, evaluate, export, features, FVD): the fused graph
    of `fuse_for_inference` in float32, whose logits are within 1e-4 of the
    reference graph's (tested on a real clip), or on request the reference
    graph itself (`fused=False`) or the fused graph in bfloat16.

    Args:
        model: a model built by `keras_i3d.I3D`, with its trained weights.
        fused: whether to fuse it (False: return `model` itself).
        precision: `"float32"` (the default) or `"mixed_bfloat16"` (fused
            only).

    Returns:
        A `keras.Model` with `model`'s inputs and outputs.

    Raises:
        NotAnI3DError: `fused` is True and `model` is not a keras-i3d I3D
            with I3D's own head or pooling (a model that adds layers of its
            own after an I3D body runs with `fused=False`).
        ValueError: a bad `precision` (see `check_inference_precision`).

    Example:

    >>> from keras_i3d import I3D
    >>> model = inference_model(I3D(weights=None))
    >>> model.name
    'i3d_rgb_fused'
    """
    check_inference_precision(precision, fused)
    if not fused:
        return model
    _check_i3d_widths(model)
    fused_model = fuse_for_inference(model, dtype=precision)
    _check_carried_over(model, fused_model)
    return fused_model


def _check_i3d_widths(model):
    """Raises unless `model`'s endpoints have I3D's channels, which
    `fuse_for_inference` builds its layers with."""
    from keras_i3d.models.endpoints import ENDPOINT_CHANNELS

    _check_i3d(model)
    for endpoint, channels in ENDPOINT_CHANNELS.items():
        layer = _layer(model, endpoint)
        if layer is not None and layer.output.shape[-1] != channels:
            raise NotAnI3DError(
                f"{model.name}: its {endpoint!r} has {layer.output.shape[-1]} channels where "
                f"I3D's has {channels}; `fuse_for_inference` rebuilds I3D's layers, so run "
                f"it unfused (fused=False). Received: {endpoint} output shape "
                f"{tuple(layer.output.shape)}"
            )


def _check_carried_over(model, fused_model):
    """Raises if `fuse_for_inference` dropped a layer with weights (a head
    that is not I3D's, say) or changed the output shape."""
    fused_names = {layer.name for layer in fused_model.layers}
    dropped = [
        layer.name for layer in model.layers if layer.weights and layer.name not in fused_names
    ]
    if dropped or tuple(fused_model.output_shape) != tuple(model.output_shape):
        raise NotAnI3DError(
            f"{model.name}: not an I3D that `fuse_for_inference` rewrites whole: it would "
            f"drop the layers {dropped} or change the output shape "
            f"{tuple(model.output_shape)}; run it unfused (fused=False). Received: a model "
            f"whose last layers are {[layer.name for layer in model.layers[-3:]]}"
        )


def is_i3d(model):
    """Whether `inference_model` can fuse `model`: a single-stream I3D with
    I3D's head or pooling (building the fused graph to find out)."""
    try:
        inference_model(model)
    except NotAnI3DError:
        return False
    return True


def pretrained_inference_model(
    weights, stream="rgb", fused=True, precision=DEFAULT_INFERENCE_PRECISION
):
    """A pretrained I3D returning logits, for inference, with one build fewer.

    `I3D(weights=...)` builds the model asked for and, to load the
    checkpoint into, the reference graph (`i3d_reference_model`: clips of
    any size, logits); then `inference_model` builds the fused graph. Here
    the reference graph is the model: `keras_i3d.weights` loads the
    checkpoint into it, and it is fused (or returned, with `fused=False`).

    Args:
        weights: anything `I3D(weights=...)` accepts, except None.
        stream: `"rgb"` or `"flow"`.
        fused, precision: see `inference_model`.

    Returns:
        A `keras.Model` from `(batch, frames, height, width, channels)`
        clips to the checkpoint's logits.

    Raises:
        ValueError: unknown weights, or a bad `precision`.
        keras_i3d.weights.WeightsFileError: the weights cannot be loaded.
    """
    from keras_i3d.models.i3d import i3d_reference_model
    from keras_i3d.weights.loading import load_pretrained
    from keras_i3d.weights.resolving import resolve_weights

    check_inference_precision(precision, fused)
    classes = resolve_weights(weights, stream, None).classes
    reference = i3d_reference_model(stream, classes)
    load_pretrained(
        reference,
        weights,
        stream=stream,
        build_reference=lambda *_: reference,
        include_top=True,
        classes=classes,
    )
    return inference_model(reference, fused=fused, precision=precision)
