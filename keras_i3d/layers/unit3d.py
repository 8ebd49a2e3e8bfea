"""`Unit3D`: the convolution unit every I3D layer is made of."""

import keras

from keras_i3d.layers._serialization import register


@register
class Unit3D(keras.layers.Layer):
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

    def __init__(
        self,
        filters,
        kernel_size=(1, 1, 1),
        strides=(1, 1, 1),
        use_batch_norm=True,
        use_bias=False,
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = _triple(kernel_size, "kernel_size")
        self.strides = _triple(strides, "strides")
        self.use_batch_norm = bool(use_batch_norm)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self.conv_3d = keras.layers.Conv3D(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="same",
            use_bias=self.use_bias,
            dtype=self.dtype_policy,
            name="conv_3d",
        )
        self.batch_norm = None
        if self.use_batch_norm:
            self.batch_norm = keras.layers.BatchNormalization(
                axis=-1,
                momentum=0.999,
                epsilon=1e-3,
                center=True,
                scale=False,
                dtype=self.dtype_policy,
                name="batch_norm",
            )
        self.activation_fn = keras.activations.get(activation)

    def build(self, input_shape):
        self.conv_3d.build(input_shape)
        if self.batch_norm is not None:
            self.batch_norm.build(
                self.conv_3d.compute_output_shape(input_shape)
            )
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv_3d(inputs)
        if self.batch_norm is not None:
            x = self.batch_norm(x, training=training)
        if self.activation is not None:
            x = self.activation_fn(x)
        return x

    def compute_output_shape(self, input_shape):
        return self.conv_3d.compute_output_shape(input_shape)

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


def _triple(value, name):
    if isinstance(value, int):
        return (value, value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 3:
        raise ValueError(
            f"`{name}` must be an int or a tuple of 3 ints. "
            f"Received: {name}={value}"
        )
    return value
