"""`InceptionModule`: the four-branch Inception block, in 2D or 3D."""

import keras


def check_inception_filters(filters):
    """Returns `filters` as a tuple of six ints, or raises ValueError.

    The order: branch 0; branch 1 reduce and 3x3; branch 2 reduce and 3x3;
    branch 3 after the pool.
    """
    filters = tuple(int(f) for f in filters)
    if len(filters) != 6:
        raise ValueError(
            "`filters` must hold 6 ints (branch 0; branch 1 reduce, "
            "3x3; branch 2 reduce, 3x3; branch 3). "
            f"Received: filters={filters}"
        )
    return filters


def inception_output_channels(filters):
    """Channels of the concatenated branches: branches 0, 1, 2 and 3."""
    return filters[0] + filters[2] + filters[4] + filters[5]


class InceptionModule(keras.layers.Layer):
    """Base class of `InceptionBlock2D` and `InceptionBlock3D`.

    Four branches concatenated on the channel axis:

    ```
    Branch_0: 1x1 conv
    Branch_1: 1x1 conv -> 3x3 conv
    Branch_2: 1x1 conv -> 3x3 conv
    Branch_3: 3x3 max-pool (stride 1, SAME) -> 1x1 conv
    ```

    Subclasses set `RANK`, `UNIT` (the conv unit class), `UNIT_OPTIONS`
    (further arguments of every unit), `BRANCH_LAYERS` (the six units'
    names) and `POOL_NAME`. The units are kept in `self.units` in
    `BRANCH_LAYERS` order, which inflation relies on. `reduce_input`
    computes the three units that read the block's input (branch 0 and the
    two reductions); a subclass may compute them differently.

    Args:
        filters: six ints: branch 0; branch 1 reduce and 3x3; branch 2
            reduce and 3x3; branch 3 after the pool.
        **kwargs: standard layer arguments.
    """

    RANK = None
    UNIT = None
    UNIT_OPTIONS = {}
    BRANCH_LAYERS = ()
    POOL_NAME = None
    _WIDE_KERNEL_UNITS = (2, 4)  # Branch_1 and Branch_2's 3x3 convs.

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters = check_inception_filters(filters)
        self.units = [
            self.UNIT(
                f,
                kernel_size=3 if i in self._WIDE_KERNEL_UNITS else 1,
                dtype=self.dtype_policy,
                name=name,
                **self.UNIT_OPTIONS,
            )
            for i, (f, name) in enumerate(zip(filters, self.BRANCH_LAYERS))
        ]
        pool_class = {2: keras.layers.MaxPooling2D, 3: keras.layers.MaxPooling3D}[self.RANK]
        self.branch_3_pool = pool_class(
            pool_size=3,
            strides=1,
            padding="same",
            dtype=self.dtype_policy,
            name=self.POOL_NAME,
        )
        self.concat = keras.layers.Concatenate(axis=-1, dtype=self.dtype_policy)

    def build(self, input_shape):
        b0, b1a, b1b, b2a, b2b, b3 = self.units
        for unit in (b0, b1a, b2a, b3):
            unit.build(input_shape)
        b1b.build(b1a.compute_output_shape(input_shape))
        b2b.build(b2a.compute_output_shape(input_shape))
        self.built = True

    def reduce_input(self, inputs, training=None):
        """Returns branch 0 and the inputs of the two 3x3 convs."""
        b0, b1a, _, b2a, _, _ = self.units
        return (
            b0(inputs, training=training),
            b1a(inputs, training=training),
            b2a(inputs, training=training),
        )

    def call(self, inputs, training=None):
        _, _, b1b, _, b2b, b3 = self.units
        branch_0, branch_1, branch_2 = self.reduce_input(inputs, training)
        branch_1 = b1b(branch_1, training=training)
        branch_2 = b2b(branch_2, training=training)
        branch_3 = b3(self.branch_3_pool(inputs), training=training)
        return self.concat([branch_0, branch_1, branch_2, branch_3])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (inception_output_channels(self.filters),)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        return config
