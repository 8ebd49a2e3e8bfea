"""`Unit2D`: the convolution unit of the 2D Inception-v1 (TF-slim layout)."""

from keras_i3d.layers._serialization import register
from keras_i3d.layers.conv_unit import ConvUnit

# TF-slim's `inception_arg_scope` defaults: batch norm decay 0.9997, epsilon
# 0.001, and `slim.batch_norm`'s default of no learned scale (gamma).
SLIM_BATCH_NORM_MOMENTUM = 0.9997
SLIM_BATCH_NORM_EPSILON = 1e-3


@register
class Unit2D(ConvUnit):
    """A 2D convolution without bias, batch norm without scale, then ReLU.

    The 2D twin of `Unit3D`, with the defaults of TF-slim's `inception_v1`
    (`slim.conv2d` under `inception_arg_scope`): "SAME" padding in the
    TensorFlow convention, batch norm with a learned offset (`beta`), no
    learned scale, epsilon 1e-3 and moving-average decay 0.9997.

    The sub-layers are named `conv_2d` and `batch_norm`; a TF-slim variable
    `<scope>/weights` is `conv_2d.kernel`, `<scope>/biases` is
    `conv_2d.bias`, `<scope>/BatchNorm/beta|moving_mean|moving_variance` are
    `batch_norm.beta|moving_mean|moving_variance`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints, `(height, width)`.
        strides: int or tuple of 2 ints.
        use_batch_norm: whether to normalise after the convolution.
        use_bias: whether the convolution has a bias (slim: only when
            there is no batch norm, as in the classifier).
        activation: activation after batch norm, `"relu"` or None.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:

    >>> unit = Unit2D(64, kernel_size=(7, 7), strides=(2, 2))
    >>> unit(keras.ops.zeros((1, 32, 32, 3))).shape
    (1, 16, 16, 64)
    """

    RANK = 2
    CONV_NAME = "conv_2d"
    BATCH_NORM_MOMENTUM = SLIM_BATCH_NORM_MOMENTUM
    BATCH_NORM_EPSILON = SLIM_BATCH_NORM_EPSILON

    @property
    def conv_2d(self):
        return self.conv
