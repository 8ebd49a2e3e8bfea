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
* in every `Mixed_*` block the three 1x1x1 convs that read the block's input
  (`Branch_0/Conv3d_0a_1x1`, `Branch_1/Conv3d_0a_1x1`,
  `Branch_2/Conv3d_0a_1x1`) become one wider conv whose output is split, so
  the input is read once and the matrix multiply is large enough for AMX;
* dropout (inactive at inference) is dropped.

Layer names stay DeepMind's endpoint names (`Conv3d_1a_7x7`, ...,
`Mixed_5c`, `Logits`), padding stays TensorFlow's "SAME", and the model runs
on every Keras backend. It is meant for `predict`, not for training: the
batch-norm statistics are baked into the kernels. The reference (trainable)
model is `keras_i3d.I3D`.
"""

import keras
import numpy as np

from keras_i3d.layers import InceptionBlock3D
from keras_i3d.layers import MinimumClipSize
from keras_i3d.layers import Unit3D
from keras_i3d.layers._serialization import register
from keras_i3d.layers.inception_module import check_inception_filters
from keras_i3d.layers.inception_module import inception_output_channels
from keras_i3d.models.i3d import I3D_BODY
from keras_i3d.models.i3d import LOGITS_CONV
from keras_i3d.models.i3d import LOGITS_POOL_SIZE

_BRANCH_KERNELS = ((1, 1, 1), (1, 1, 1), (3, 3, 3), (1, 1, 1), (3, 3, 3),
                   (1, 1, 1))
_REDUCE_CONV = "Branch_012_Conv3d_0a_1x1"


class NotAnI3DError(ValueError):
    """`fuse_for_inference` was given a model that is not a keras-i3d I3D."""


def _conv(filters, kernel_size, strides=(1, 1, 1), activation="relu",
          dtype=None, name=None):
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


@register
class FusedInceptionBlock3D(keras.layers.Layer):
    """I3D's Inception block with batch norm folded into its convolutions.

    The same four branches as `keras_i3d.layers.InceptionBlock3D`, each
    conv carrying a bias and a ReLU. With `merge_reduce=True` the three
    1x1x1 convs that read the block's input run as one conv
    (`Branch_012_Conv3d_0a_1x1`, filters `f0 + f1a + f2a`) whose output is
    split into the three branches.

    Args:
        filters: six ints, in DeepMind's order (see `InceptionBlock3D`).
        merge_reduce: whether to merge the three input 1x1x1 convs.
        **kwargs: standard layer arguments.
    """

    def __init__(self, filters, merge_reduce=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters = check_inception_filters(filters)
        self.merge_reduce = bool(merge_reduce)
        policy = self.dtype_policy
        names = InceptionBlock3D.BRANCH_LAYERS
        specs = list(zip(names, filters, _BRANCH_KERNELS))
        if self.merge_reduce:
            # Branch_0/0a, Branch_1/0a and Branch_2/0a all read the input.
            merged = filters[0] + filters[1] + filters[3]
            specs = [(_REDUCE_CONV, merged, (1, 1, 1))] + [
                specs[i] for i in (2, 4, 5)
            ]
        self.convs = {
            name: _conv(f, k, dtype=policy, name=name)
            for name, f, k in specs
        }
        self.branch_3_pool = keras.layers.MaxPooling3D(
            pool_size=(3, 3, 3),
            strides=(1, 1, 1),
            padding="same",
            dtype=policy,
            name="Branch_3_MaxPool3d_0a_3x3",
        )
        self.concat = keras.layers.Concatenate(axis=-1, dtype=policy)

    def build(self, input_shape):
        f0, f1a, _, f2a, _, _ = self.filters
        for name, conv in self.convs.items():
            if name.endswith("0b_3x3"):
                reduced = f1a if name.startswith("Branch_1") else f2a
                conv.build(tuple(input_shape[:-1]) + (reduced,))
            else:
                conv.build(input_shape)
        self.built = True

    def call(self, inputs):
        f0, f1a, _, f2a, _, _ = self.filters
        b0_name, b1a_name, b1b_name, b2a_name, b2b_name, b3_name = (
            InceptionBlock3D.BRANCH_LAYERS
        )
        if self.merge_reduce:
            reduced = self.convs[_REDUCE_CONV](inputs)
            branch_0 = reduced[..., :f0]
            branch_1 = reduced[..., f0:f0 + f1a]
            branch_2 = reduced[..., f0 + f1a:]
        else:
            branch_0 = self.convs[b0_name](inputs)
            branch_1 = self.convs[b1a_name](inputs)
            branch_2 = self.convs[b2a_name](inputs)
        branch_1 = self.convs[b1b_name](branch_1)
        branch_2 = self.convs[b2b_name](branch_2)
        branch_3 = self.convs[b3_name](self.branch_3_pool(inputs))
        return self.concat([branch_0, branch_1, branch_2, branch_3])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (
            inception_output_channels(self.filters),)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"filters": self.filters, "merge_reduce": self.merge_reduce}
        )
        return config


@register
class SpaceToDepthConv3D(keras.layers.Layer):
    """A stride-2 "SAME" Conv3D run as a stride-1 conv on 2x2x2 blocks.

    I3D's stem (`Conv3d_1a_7x7`: 7x7x7, stride 2, 3 input channels) has too
    few input channels per tap for AMX's bfloat16 tiles. Zero-padding the
    kernel to 8x8x8 and moving every 2x2x2 block of the (padded) input into
    the channels turns it into a 4x4x4 stride-1 "VALID" conv with 24 input
    channels that computes the same outputs: 1.5x the multiply-adds, in a
    shape oneDNN runs about twice as fast in bfloat16 on this CPU (it is
    slower in float32, where `fuse_for_inference` keeps the plain conv).

    TensorFlow's "SAME" puts the odd padding pixel at the end; the input is
    padded so that the blocks line up with the original taps for even and
    odd sizes alike. Frames, height and width must be known when the layer
    is built.

    Args:
        filters: number of output channels.
        kernel_size: the original odd kernel size, an int or 3 ints.
        activation: activation after the bias, `"relu"` or None.
        **kwargs: standard layer arguments.
    """

    def __init__(self, filters, kernel_size=7, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size,) * 3
        self.kernel_size = tuple(int(k) for k in kernel_size)
        if len(self.kernel_size) != 3 or any(k % 2 == 0
                                             for k in self.kernel_size):
            raise ValueError(
                "`kernel_size` must be an odd int or 3 odd ints. "
                f"Received: kernel_size={kernel_size}"
            )
        self.activation = activation
        self.activation_fn = keras.activations.get(activation)

    def build(self, input_shape):
        if any(size is None for size in input_shape[1:]):
            raise ValueError(
                "SpaceToDepthConv3D needs a known number of frames, height, "
                f"width and channels. Received: input_shape={input_shape}"
            )
        blocks = tuple((k + 1) // 2 for k in self.kernel_size)
        self.kernel = self.add_weight(
            name="kernel",
            shape=blocks + (8 * input_shape[-1], self.filters),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer="zeros"
        )
        self.built = True

    def _padding(self, size, kernel):
        # "SAME" with stride 2 outputs ceil(size / 2) positions; the blocked
        # input must hold (outputs + blocks - 1) blocks. The kernel is
        # shifted by one tap (a zero tap first), and an odd size gets one
        # more leading zero to match TensorFlow's extra trailing pixel.
        outputs = (size + 1) // 2
        front = (kernel - 1) // 2 + size % 2
        back = 2 * outputs + kernel - 1 - size - front
        return front, back

    def call(self, inputs):
        batch = keras.ops.shape(inputs)[0]
        _, frames, height, width, channels = inputs.shape
        pads = [self._padding(size, k) for size, k in
                zip((frames, height, width), self.kernel_size)]
        x = keras.ops.pad(inputs, [(0, 0)] + pads + [(0, 0)])
        t, h, w = (
            (size + front + back) // 2
            for size, (front, back) in zip((frames, height, width), pads)
        )
        x = keras.ops.reshape(x, (batch, t, 2, h, 2, w, 2, channels))
        x = keras.ops.transpose(x, (0, 1, 3, 5, 2, 4, 6, 7))
        x = keras.ops.reshape(x, (batch, t, h, w, 8 * channels))
        x = keras.ops.conv(x, keras.ops.cast(self.kernel, x.dtype),
                           padding="valid")
        x = keras.ops.add(x, keras.ops.cast(self.bias, x.dtype))
        return self.activation_fn(x)

    def compute_output_shape(self, input_shape):
        sizes = tuple(None if size is None else (size + 1) // 2
                      for size in input_shape[1:4])
        return (input_shape[0],) + sizes + (self.filters,)

    @staticmethod
    def blocked_kernel(kernel):
        """Rearranges a `(kt, kh, kw, C, F)` kernel for the blocked input."""
        kernel = np.asarray(kernel)
        kt, kh, kw, channels, filters = kernel.shape
        kernel = np.pad(kernel, [(1, 0), (1, 0), (1, 0), (0, 0), (0, 0)])
        blocks = ((kt + 1) // 2, (kh + 1) // 2, (kw + 1) // 2)
        kernel = kernel.reshape(blocks[0], 2, blocks[1], 2, blocks[2], 2,
                                channels, filters)
        kernel = kernel.transpose(0, 2, 4, 1, 3, 5, 6, 7)
        return kernel.reshape(blocks + (8 * channels, filters))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "activation": self.activation,
            }
        )
        return config


def fold_batch_norm(unit):
    """Returns `(kernel, bias)` of a `Unit3D` with its batch norm folded in.

    Computed in float64 and returned as float32 numpy arrays. A unit without
    batch norm returns its kernel and its bias (zeros when it has none).
    """
    kernel = np.asarray(keras.ops.convert_to_numpy(unit.conv_3d.kernel),
                        dtype=np.float64)
    if unit.use_bias:
        bias = np.asarray(keras.ops.convert_to_numpy(unit.conv_3d.bias),
                          dtype=np.float64)
    else:
        bias = np.zeros(kernel.shape[-1])
    bn = unit.batch_norm
    if bn is not None:
        if bn.scale:
            raise NotAnI3DError(
                f"Unit {unit.name!r} has a batch-norm scale (gamma); I3D's "
                "units have none."
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


def fuse_for_inference(model, merge_reduce=True, space_to_depth_stem=None,
                       dtype=None, name=None):
    """Rewrites a trained I3D into an inference-only, batch-norm-free model.

    Args:
        model: a model built by `keras_i3d.I3D` (any stream, endpoint or
            head), with its trained weights.
        merge_reduce: whether to merge each Inception block's three input
            1x1x1 convs into one (see `FusedInceptionBlock3D`).
        space_to_depth_stem: whether to run the stem as a
            `SpaceToDepthConv3D` (needs a fixed input shape). None (the
            default) does so when it is faster: in bfloat16 with a fixed
            input shape.
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
    policy = keras.dtype_policies.get(
        dtype if dtype is not None else keras.config.dtype_policy()
    )
    input_shape = tuple(model.inputs[0].shape)[1:]
    fixed_shape = None not in input_shape
    if space_to_depth_stem is None:
        space_to_depth_stem = (fixed_shape
                               and policy.compute_dtype == "bfloat16")
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
            layer = SpaceToDepthConv3D(filters, kernel_size, dtype=policy,
                                       name=endpoint)
            kernel, bias = fold_batch_norm(source)
            weights[endpoint] = [
                (SpaceToDepthConv3D.blocked_kernel(kernel), bias)
            ]
        elif kind == "unit":
            filters, kernel_size, strides = arguments
            layer = _conv(filters, kernel_size, strides, dtype=policy,
                          name=endpoint)
            weights[endpoint] = [fold_batch_norm(source)]
        elif kind == "pool":
            pool_size, strides = arguments
            layer = keras.layers.MaxPooling3D(
                pool_size, strides, padding="same", dtype=policy, name=endpoint
            )
        else:
            layer = FusedInceptionBlock3D(
                arguments, merge_reduce=merge_reduce, dtype=policy,
                name=endpoint,
            )
            weights[endpoint] = _block_weights(source, layer)
        x = layer(x)
    x = _fused_head(model, x, policy, weights)
    fused = keras.Model(inputs, x, name=name or f"{model.name}_fused")
    for layer_name, pairs in weights.items():
        layer = fused.get_layer(layer_name)
        convs = (list(layer.convs.values())
                 if isinstance(layer, FusedInceptionBlock3D) else [layer])
        for conv, (kernel, bias) in zip(convs, pairs):
            conv.set_weights([kernel, bias])
    return fused


def _block_weights(block, fused_block):
    """The `(kernel, bias)` pairs of `fused_block.convs`, in their order."""
    folded = {unit.name: fold_batch_norm(unit) for unit in block.units}
    pairs = []
    for name in fused_block.convs:
        if name == _REDUCE_CONV:
            parts = [folded[n] for n in (InceptionBlock3D.BRANCH_LAYERS[0],
                                         InceptionBlock3D.BRANCH_LAYERS[1],
                                         InceptionBlock3D.BRANCH_LAYERS[3])]
            pairs.append((np.concatenate([k for k, _ in parts], axis=-1),
                          np.concatenate([b for _, b in parts], axis=-1)))
        else:
            pairs.append(folded[name])
    return pairs


def _fused_head(model, x, policy, weights):
    """Copies the reference model's head (logits or pooling), minus dropout."""
    logits_conv = _layer(model, LOGITS_CONV)
    if logits_conv is not None:
        x = keras.layers.AveragePooling3D(
            LOGITS_POOL_SIZE, strides=1, padding="valid", dtype=policy,
            name="Logits_AvgPool3d",
        )(x)
        x = _conv(logits_conv.filters, 1, activation=None, dtype=policy,
                  name=LOGITS_CONV)(x)
        weights[LOGITS_CONV] = [fold_batch_norm(logits_conv)]
        x = keras.layers.GlobalAveragePooling3D(
            dtype="float32", name="Logits"
        )(x)
        predictions = _layer(model, "Predictions")
        if predictions is not None:
            x = keras.layers.Activation(
                predictions.get_config()["activation"], dtype="float32",
                name="Predictions",
            )(x)
        return x
    poolings = (("avg_pool", keras.layers.GlobalAveragePooling3D),
                ("max_pool", keras.layers.GlobalMaxPooling3D))
    for pooling_name, pooling in poolings:
        if _layer(model, pooling_name) is not None:
            return pooling(dtype=policy, name=pooling_name)(x)
    return x
