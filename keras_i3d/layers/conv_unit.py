"""`ConvUnit`: convolution without bias, batch norm without scale, ReLU.

The shared body of `Unit3D` (I3D, Sonnet v1 defaults) and `Unit2D`
(Inception-v1, TF-slim defaults); each subclass sets the rank, the
convolution's attribute name and the batch-norm decay of its checkpoints.
"""

import keras


class ConvUnit(keras.layers.Layer):
    """Base class: subclasses set `RANK`, `CONV_NAME`, `BATCH_NORM_MOMENTUM`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of `RANK` ints.
        strides: int or tuple of `RANK` ints.
        use_batch_norm: whether to normalise after the convolution.
        use_bias: whether the convolution has a bias (the checkpoints: only
            when there is no batch norm, as in the classifier).
        activation: activation after batch norm, `"relu"` or None.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).
    """

    RANK = None
    CONV_NAME = None
    BATCH_NORM_MOMENTUM = None
    BATCH_NORM_EPSILON = 1e-3

    def __init__(
        self,
        filters,
        kernel_size=1,
        strides=1,
        use_batch_norm=True,
        use_bias=False,
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = self._tuple(kernel_size, "kernel_size")
        self.strides = self._tuple(strides, "strides")
        self.use_batch_norm = bool(use_batch_norm)
        self.use_bias = bool(use_bias)
        self.activation = activation
        conv_class = {2: keras.layers.Conv2D, 3: keras.layers.Conv3D}[self.RANK]
        # "same" is TensorFlow's SAME on every backend: an odd amount of
        # padding puts the extra pixel at the end, as in the checkpoints.
        self.conv = conv_class(
            self.filters,
            self.kernel_size,
            strides=self.strides,
            padding="same",
            use_bias=self.use_bias,
            dtype=self.dtype_policy,
            name=self.CONV_NAME,
        )
        self.batch_norm = None
        if self.use_batch_norm:
            self.batch_norm = keras.layers.BatchNormalization(
                axis=-1,
                momentum=self.BATCH_NORM_MOMENTUM,
                epsilon=self.BATCH_NORM_EPSILON,
                center=True,
                scale=False,
                dtype=self.dtype_policy,
                name="batch_norm",
            )
        self.activation_fn = keras.activations.get(activation)

    def _tuple(self, value, name):
        if isinstance(value, int):
            return (value,) * self.RANK
        value = tuple(int(v) for v in value)
        if len(value) != self.RANK:
            raise ValueError(
                f"`{name}` must be an int or a tuple of {self.RANK} ints. Received: {name}={value}"
            )
        return value

    def build(self, input_shape):
        self.conv.build(input_shape)
        if self.batch_norm is not None:
            self.batch_norm.build(self.conv.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv(inputs)
        if self.batch_norm is not None:
            x = self.batch_norm(x, training=training)
        if self.activation is not None:
            x = self.activation_fn(x)
        return x

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

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
