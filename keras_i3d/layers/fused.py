"""Inference-only layers of the fused I3D (`keras_i3d.models.fused`).

Both compute what a trained I3D layer computes with its batch norm folded
into the convolution weights (`fuse_for_inference` writes those weights):

* `FusedInceptionBlock3D`: the Inception block with bias + ReLU units, the
  three 1x1x1 convs that read the block's input optionally run as one;
* `SpaceToDepthConv3D`: I3D's stride-2 stem as a stride-1 conv on 2x2x2
  blocks, a shape oneDNN runs faster in bfloat16.
"""

import keras
import numpy as np

from keras_i3d.layers._serialization import register
from keras_i3d.layers.inception import InceptionBlock3D
from keras_i3d.layers.inception_module import InceptionModule
from keras_i3d.layers.unit3d import Unit3D


@register
class FusedInceptionBlock3D(InceptionModule):
    """I3D's Inception block with batch norm folded into its convolutions.

    The same four branches and unit names as
    `keras_i3d.layers.InceptionBlock3D`; each unit is a `Unit3D` without
    batch norm, with a bias and a ReLU. With `merge_reduce=True` the three
    1x1x1 units that read the block's input (`Branch_0_Conv3d_0a_1x1`,
    `Branch_1_Conv3d_0a_1x1`, `Branch_2_Conv3d_0a_1x1`) run as one conv with
    their kernels side by side (filters `f0 + f1a + f2a`), whose output is
    split into the three branches: the input is read once and the matrix
    multiply is large enough for AMX.

    Args:
        filters: six ints, in DeepMind's order (see `InceptionBlock3D`).
        merge_reduce: whether to run the three input 1x1x1 units as one
            conv.
        **kwargs: standard layer arguments.
    """

    RANK = 3
    UNIT = Unit3D
    UNIT_OPTIONS = {"use_batch_norm": False, "use_bias": True}
    BRANCH_LAYERS = InceptionBlock3D.BRANCH_LAYERS
    POOL_NAME = InceptionBlock3D.POOL_NAME

    def __init__(self, filters, merge_reduce=True, **kwargs):
        super().__init__(filters, **kwargs)
        self.merge_reduce = bool(merge_reduce)

    def reduce_input(self, inputs, training=None):
        if not self.merge_reduce:
            return super().reduce_input(inputs, training)
        b0, b1a, _, b2a, _, _ = self.units
        reducers = (b0, b1a, b2a)
        kernel = keras.ops.concatenate(
            [keras.ops.cast(unit.conv.kernel, inputs.dtype) for unit in reducers], axis=-1
        )
        bias = keras.ops.concatenate(
            [keras.ops.cast(unit.conv.bias, inputs.dtype) for unit in reducers], axis=-1
        )
        reduced = keras.ops.relu(keras.ops.conv(inputs, kernel, padding="same") + bias)
        f0, f1a = self.filters[0], self.filters[1]
        return keras.ops.split(reduced, [f0, f0 + f1a], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"merge_reduce": self.merge_reduce})
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
        if len(self.kernel_size) != 3 or any(k % 2 == 0 for k in self.kernel_size):
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
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
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
        pads = [
            self._padding(size, k) for size, k in zip((frames, height, width), self.kernel_size)
        ]
        x = keras.ops.pad(inputs, [(0, 0)] + pads + [(0, 0)])
        t, h, w = (
            (size + front + back) // 2 for size, (front, back) in zip((frames, height, width), pads)
        )
        x = keras.ops.reshape(x, (batch, t, 2, h, 2, w, 2, channels))
        x = keras.ops.transpose(x, (0, 1, 3, 5, 2, 4, 6, 7))
        x = keras.ops.reshape(x, (batch, t, h, w, 8 * channels))
        x = keras.ops.conv(x, keras.ops.cast(self.kernel, x.dtype), padding="valid")
        x = keras.ops.add(x, keras.ops.cast(self.bias, x.dtype))
        return self.activation_fn(x)

    def compute_output_shape(self, input_shape):
        sizes = tuple(None if size is None else (size + 1) // 2 for size in input_shape[1:4])
        return (input_shape[0],) + sizes + (self.filters,)

    @staticmethod
    def blocked_kernel(kernel):
        """Rearranges a `(kt, kh, kw, C, F)` kernel for the blocked input."""
        kernel = np.asarray(kernel)
        kt, kh, kw, channels, filters = kernel.shape
        kernel = np.pad(kernel, [(1, 0), (1, 0), (1, 0), (0, 0), (0, 0)])
        blocks = ((kt + 1) // 2, (kh + 1) // 2, (kw + 1) // 2)
        kernel = kernel.reshape(blocks[0], 2, blocks[1], 2, blocks[2], 2, channels, filters)
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
