"""`Unit2D`: the convolution unit of the 2D Inception-v1 (TF-slim layout)."""

import keras

from keras_i3d.layers._serialization import register

# TF-slim's `inception_arg_scope` defaults: batch norm decay 0.9997, epsilon
# 0.001, and `slim.batch_norm`'s default of no learned scale (gamma).
SLIM_BATCH_NORM_MOMENTUM = 0.9997
SLIM_BATCH_NORM_EPSILON = 1e-3


@register
class Unit2D(keras.layers.Layer):
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

    def __init__(
        self,
        filters,
        kernel_size=(1, 1),
        strides=(1, 1),
        use_batch_norm=True,
        use_bias=False,
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.use_batch_norm = bool(use_batch_norm)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self.conv_2d = keras.layers.Conv2D(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="same",
            use_bias=self.use_bias,
            dtype=self.dtype_policy,
            name="conv_2d",
        )
        self.batch_norm = None
        if self.use_batch_norm:
            self.batch_norm = keras.layers.BatchNormalization(
                axis=-1,
                momentum=SLIM_BATCH_NORM_MOMENTUM,
                epsilon=SLIM_BATCH_NORM_EPSILON,
                center=True,
                scale=False,
                dtype=self.dtype_policy,
                name="batch_norm",
            )
        self.activation_fn = keras.activations.get(activation)

    def build(self, input_shape):
        self.conv_2d.build(input_shape)
        if self.batch_norm is not None:
            self.batch_norm.build(
                self.conv_2d.compute_output_shape(input_shape)
            )
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv_2d(inputs)
        if self.batch_norm is not None:
            x = self.batch_norm(x, training=training)
        if self.activation is not None:
            x = self.activation_fn(x)
        return x

    def compute_output_shape(self, input_shape):
        return self.conv_2d.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "use_batch_norm": self.use_batch_norm,
                "use_bias": self.use_bias,
                "activation": self.activation,
            }
        )
        return config


def _pair(value, name):
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(
            f"`{name}` must be an int or a tuple of 2 ints. "
            f"Received: {name}={value}"
        )
    return value
