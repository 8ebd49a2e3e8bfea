"""The 2D-pool rewrite of 3D pools equals the 3D pools (LiteRT export)."""

import keras
import numpy as np
import pytest

from keras_i3d.layers import AveragePooling3DAs2D
from keras_i3d.layers import MaxPooling3DAs2D
from keras_i3d.layers.pool_as_2d import as_2d_pool

# (input (T, H, W), pool_size, strides, padding): I3D's pools (stem, the
# Inception blocks' stride-1 SAME pool, the 2x2x2 pool, the Logits VALID
# average) and odd sizes where "same" pads one more element at the end.
CASES = [
    ((8, 28, 28), (1, 3, 3), (1, 2, 2), "same"),
    ((5, 9, 11), (3, 3, 3), (1, 1, 1), "same"),
    ((7, 13, 13), (3, 3, 3), (2, 2, 2), "same"),
    ((5, 7, 9), (2, 2, 2), (2, 2, 2), "same"),
    ((3, 7, 7), (2, 7, 7), (1, 1, 1), "valid"),
    ((9, 10, 6), (3, 2, 4), (2, 3, 1), "valid"),
    ((6, 5, 8), (4, 3, 2), (3, 2, 2), "same"),
]


def _random_clip(size, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2,) + size + (3,)).astype("float32")


@pytest.mark.parametrize("size, pool_size, strides, padding", CASES)
def test_max_pool_as_2d_equals_max_pool_3d_exactly(size, pool_size, strides, padding):
    clip = _random_clip(size, seed=0)
    expected = keras.layers.MaxPooling3D(pool_size, strides, padding)(clip)
    actual = MaxPooling3DAs2D(pool_size, strides, padding)(clip)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(actual), keras.ops.convert_to_numpy(expected)
    )


@pytest.mark.parametrize("size, pool_size, strides, padding", CASES)
def test_average_pool_as_2d_equals_average_pool_3d(size, pool_size, strides, padding):
    # Positive inputs make the relative error meaningful; "same" windows at
    # the end hold fewer elements, and padding must not count in the mean.
    clip = np.abs(_random_clip(size, seed=1)) + 0.5
    expected = keras.ops.convert_to_numpy(
        keras.layers.AveragePooling3D(pool_size, strides, padding)(clip)
    )
    actual = keras.ops.convert_to_numpy(AveragePooling3DAs2D(pool_size, strides, padding)(clip))
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=0)


def test_average_pool_as_2d_leaves_same_padding_out_of_the_mean():
    # A constant input stays constant only if padded zeros are not counted.
    clip = np.full((1, 3, 5, 5, 1), 2.0, "float32")
    pooled = AveragePooling3DAs2D(3, strides=2, padding="same")(clip)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(pooled), 2.0)


def test_pools_as_2d_with_unknown_sizes_inside_a_model():
    inputs = keras.Input((None, None, None, 4))
    outputs = MaxPooling3DAs2D((3, 3, 3), (2, 2, 2), "same")(inputs)
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, None, None, None, 4)
    clip = _random_clip((7, 9, 5), seed=2)[..., :1].repeat(4, axis=-1)
    expected = keras.layers.MaxPooling3D((3, 3, 3), (2, 2, 2), "same")(clip)
    np.testing.assert_array_equal(
        model.predict(clip, verbose=0), keras.ops.convert_to_numpy(expected)
    )


def test_as_2d_pool_keeps_the_configuration():
    pool = keras.layers.AveragePooling3D((2, 7, 7), strides=1, name="Logits_AvgPool3d")
    replacement = as_2d_pool(pool)
    assert isinstance(replacement, AveragePooling3DAs2D)
    config = replacement.get_config()
    assert config["name"] == "Logits_AvgPool3d"
    assert config["pool_size"] == (2, 7, 7)
    assert config["strides"] == (1, 1, 1)


def test_as_2d_pool_rejects_other_layers():
    with pytest.raises(TypeError, match="MaxPooling3D or AveragePooling3D"):
        as_2d_pool(keras.layers.MaxPooling2D())


def test_pools_as_2d_reject_channels_first():
    with pytest.raises(ValueError, match="channels-last"):
        MaxPooling3DAs2D(2, data_format="channels_first")


def test_pools_as_2d_round_trip_through_keras_file(tmp_path):
    inputs = keras.Input((4, 8, 8, 2))
    x = MaxPooling3DAs2D((1, 3, 3), (1, 2, 2), "same")(inputs)
    outputs = AveragePooling3DAs2D((2, 2, 2), 1)(x)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "pools.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [type(layer) for layer in loaded.layers[1:]] == [MaxPooling3DAs2D, AveragePooling3DAs2D]
    clip = _random_clip((4, 8, 8), seed=3)[..., :2]
    np.testing.assert_array_equal(loaded.predict(clip, verbose=0), model.predict(clip, verbose=0))
