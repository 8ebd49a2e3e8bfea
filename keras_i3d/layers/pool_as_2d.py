"""3D max and average pools computed as two 2D pools (for LiteRT export).

LiteRT (TFLite) has builtin `MAX_POOL_2D` and `AVERAGE_POOL_2D` but no 3D
pools: a model with `MaxPooling3D`/`AveragePooling3D` converts only with Flex
(`SELECT_TF_OPS`) ops, which neither `ai_edge_litert` nor TensorFlow's
interpreter can run. A box window is separable, so a pool over
`(time, height, width)` is a 2D pool over `(height, width)` of every frame,
then a pool over time of the result:

```
(B, T, H, W, C) -reshape-> (B*T, H, W, C) -pool (ph, pw)-> (B*T, H', W', C)
                -reshape-> (B, T, H'*W', C) -pool (pt, 1)-> (B, T', H'*W', C)
                -reshape-> (B, T', H', W', C)
```

This is exact for both paddings. TensorFlow's "SAME" padding is computed
per axis (the extra element of an odd total goes at the end), so padding
each axis in its own pass pads exactly as the 3D op does. A max pool is a
max of maxes. The average pool divides each window's sum by the number of
non-padding elements in it; in a box window that count is the product of
the per-axis counts, so the mean over time of per-frame spatial means is
the 3D mean (up to float rounding of the summation order).
"""

import keras

from keras_i3d.layers._serialization import register


def pool_3d_as_2d(inputs, pool_mode, pool_size, strides, padding):
    """Pools a channels-last 5D tensor over its three middle axes with 2D pools.

    Args:
        inputs: a `(batch, time, height, width, channels)` tensor whose
            channel count is known.
        pool_mode: `"max"` or `"average"`.
        pool_size: three ints, `(time, height, width)`.
        strides: three ints, `(time, height, width)`.
        padding: `"valid"` or `"same"` (TensorFlow's).

    Returns:
        The tensor `keras.ops.max_pool` (or `average_pool`) returns for the
        same arguments.
    """
    pool = {"max": keras.ops.max_pool, "average": keras.ops.average_pool}[pool_mode]
    _, frames, height, width, channels = keras.ops.shape(inputs)
    per_frame = keras.ops.reshape(inputs, (-1, height, width, channels))
    spatial = pool(per_frame, pool_size[1:], strides[1:], padding, "channels_last")
    _, pooled_height, pooled_width, _ = keras.ops.shape(spatial)
    rows = keras.ops.reshape(spatial, (-1, frames, pooled_height * pooled_width, channels))
    temporal = pool(rows, (pool_size[0], 1), (strides[0], 1), padding, "channels_last")
    pooled_frames = keras.ops.shape(temporal)[1]
    return keras.ops.reshape(temporal, (-1, pooled_frames, pooled_height, pooled_width, channels))


class _Pooling3DAs2DMixin:
    """The `call` and checks the two layers share."""

    def _check_channels_last(self):
        if self.data_format != "channels_last":
            raise ValueError(
                f"{type(self).__name__} supports channels-last video "
                "tensors (batch, time, height, width, channels) only. "
                f"Received: data_format={self.data_format!r}"
            )

    def call(self, inputs):
        return pool_3d_as_2d(inputs, self.pool_mode, self.pool_size, self.strides, self.padding)


@register
class MaxPooling3DAs2D(_Pooling3DAs2DMixin, keras.layers.MaxPooling3D):
    """`keras.layers.MaxPooling3D`, computed as two 2D max pools.

    Takes the same arguments and gives the same outputs, exactly; the
    converted LiteRT model holds builtin `MAX_POOL_2D` ops instead of the
    Flex `MaxPool3D` that LiteRT interpreters cannot run. Channels-last
    only.

    Example:

    >>> pool = MaxPooling3DAs2D(pool_size=3, strides=(1, 2, 2), padding="same")
    >>> pool(np.zeros((1, 5, 9, 9, 4), "float32")).shape
    (1, 5, 5, 5, 4)
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._check_channels_last()


@register
class AveragePooling3DAs2D(_Pooling3DAs2DMixin, keras.layers.AveragePooling3D):
    """`keras.layers.AveragePooling3D`, computed as two 2D average pools.

    Takes the same arguments and gives the same outputs (up to float
    rounding; "same" padding is left out of the averages, as in the 3D
    pool); the converted LiteRT model holds builtin `AVERAGE_POOL_2D` ops
    instead of the Flex `AvgPool3D`. Channels-last only.

    Example:

    >>> pool = AveragePooling3DAs2D(pool_size=(2, 7, 7), strides=1)
    >>> pool(np.zeros((1, 3, 7, 7, 4), "float32")).shape
    (1, 2, 1, 1, 4)
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._check_channels_last()


POOLS_AS_2D = {
    keras.layers.MaxPooling3D: MaxPooling3DAs2D,
    keras.layers.AveragePooling3D: AveragePooling3DAs2D,
}


def as_2d_pool(pool):
    """The 2D-pool equivalent of a `MaxPooling3D` or `AveragePooling3D`.

    Args:
        pool: a `keras.layers.MaxPooling3D` or `AveragePooling3D`.

    Returns:
        A new, unbuilt `MaxPooling3DAs2D` or `AveragePooling3DAs2D` with the
        same configuration (name included).

    Raises:
        TypeError: `pool` is not one of those two layers.
    """
    replacement = POOLS_AS_2D.get(type(pool))
    if replacement is None:
        raise TypeError(
            "`pool` must be a keras.layers.MaxPooling3D or AveragePooling3D. "
            f"Received: pool={pool!r}"
        )
    return replacement.from_config(pool.get_config())
