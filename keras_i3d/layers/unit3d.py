"""`Unit3D`: the convolution unit every I3D layer is made of."""

from keras_i3d.layers._serialization import register
from keras_i3d.layers.conv_unit import ConvUnit


@register
class Unit3D(ConvUnit):
    """A 3D convolution without bias, batch norm without scale, then ReLU.

    This is DeepMind's `Unit3D` with its defaults: "SAME" padding in the
    TensorFlow convention (an odd amount of padding puts the extra pixel at
    the end, which matters for exact parity with the checkpoints), batch
    norm with a learned offset (`beta`) and no learned scale (`gamma`),
    epsilon 1e-3 and a moving-average decay of 0.999 (Sonnet v1).

    The sub-layers are named `conv_3d` and `batch_norm` after the Sonnet
    modules of the original checkpoints.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 3 ints, `(time, height, width)`.
        strides: int or tuple of 3 ints.
        use_batch_norm: whether to normalise after the convolution.
        use_bias: whether the convolution has a bias (DeepMind: only when
            there is no batch norm).
        activation: activation after batch norm, `"relu"` or None.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:

    >>> unit = Unit3D(64, kernel_size=(7, 7, 7), strides=(2, 2, 2))
    >>> unit(keras.ops.zeros((1, 8, 32, 32, 3))).shape
    (1, 4, 16, 16, 64)
    """

    RANK = 3
    CONV_NAME = "conv_3d"
    BATCH_NORM_MOMENTUM = 0.999

    @property
    def conv_3d(self):
        return self.conv
