"""`InceptionBlock2D`: the Inception module of 2D Inception-v1 (`Mixed_*`)."""

import keras

from keras_i3d.layers._serialization import register
from keras_i3d.layers.unit2d import Unit2D


@register
class InceptionBlock2D(keras.layers.Layer):
    """The Inception module of Inception-v1 with batch norm (TF-slim layout).

    The 2D twin of `InceptionBlock3D`; four branches concatenated on the
    channel axis:

    ```
    Branch_0: 1x1 conv
    Branch_1: 1x1 conv -> 3x3 conv
    Branch_2: 1x1 conv -> 3x3 conv
    Branch_3: 3x3 max-pool (stride 1, SAME) -> 1x1 conv
    ```

    Sub-layer names are TF-slim's scopes with `/` replaced by `_`:
    `Branch_1_Conv2d_0b_3x3` is `Mixed_*/Branch_1/Conv2d_0b_3x3`. (Slim's
    `Mixed_5b` names its branch-2 3x3 conv `Conv2d_0a_3x3`; the Keras name
    stays uniform and the weights converter maps the quirk.) The units are
    kept in `self.units` in the same order as `InceptionBlock3D.units`, which
    inflation relies on.

    Args:
        filters: six ints: branch 0; branch 1 reduce and 3x3; branch 2
            reduce and 3x3; branch 3 after the pool.
        **kwargs: standard layer arguments.
    """

    BRANCH_LAYERS = (
        "Branch_0_Conv2d_0a_1x1",
        "Branch_1_Conv2d_0a_1x1",
        "Branch_1_Conv2d_0b_3x3",
        "Branch_2_Conv2d_0a_1x1",
        "Branch_2_Conv2d_0b_3x3",
        "Branch_3_Conv2d_0b_1x1",
    )

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        filters = tuple(int(f) for f in filters)
        if len(filters) != 6:
            raise ValueError(
                "`filters` must hold 6 ints (branch 0; branch 1 reduce, "
                "3x3; branch 2 reduce, 3x3; branch 3). "
                f"Received: filters={filters}"
            )
        self.filters = filters
        kernels = ((1, 1), (1, 1), (3, 3), (1, 1), (3, 3), (1, 1))
        self.units = [
            Unit2D(f, kernel_size=k, dtype=self.dtype_policy, name=name)
            for f, k, name in zip(filters, kernels, self.BRANCH_LAYERS)
        ]
        self.branch_3_pool = keras.layers.MaxPooling2D(
            pool_size=(3, 3),
            strides=(1, 1),
            padding="same",
            dtype=self.dtype_policy,
            name="Branch_3_MaxPool_0a_3x3",
        )
        self.concat = keras.layers.Concatenate(
            axis=-1, dtype=self.dtype_policy
        )

    def build(self, input_shape):
        b0, b1a, b1b, b2a, b2b, b3 = self.units
        for unit in (b0, b1a, b2a, b3):
            unit.build(input_shape)
        b1b.build(b1a.compute_output_shape(input_shape))
        b2b.build(b2a.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        b0, b1a, b1b, b2a, b2b, b3 = self.units
        branch_0 = b0(inputs, training=training)
        branch_1 = b1b(b1a(inputs, training=training), training=training)
        branch_2 = b2b(b2a(inputs, training=training), training=training)
        branch_3 = b3(self.branch_3_pool(inputs), training=training)
        return self.concat([branch_0, branch_1, branch_2, branch_3])

    def compute_output_shape(self, input_shape):
        f = self.filters
        return tuple(input_shape[:-1]) + (f[0] + f[2] + f[4] + f[5],)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        return config
