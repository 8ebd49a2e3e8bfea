import keras
import numpy as np
import pytest

from keras_i3d.layers import InceptionBlock3D
from keras_i3d.layers import MinimumClipSize
from keras_i3d.layers import Unit3D


def test_unit3d_is_conv_then_batch_norm_without_scale():
    unit = Unit3D(8, kernel_size=(3, 3, 3), strides=(1, 2, 2), name="u")
    out = unit(np.zeros((1, 4, 8, 8, 3), "float32"))
    assert tuple(out.shape) == (1, 4, 4, 4, 8)
    assert unit.conv_3d.use_bias is False
    assert unit.batch_norm.scale is False and unit.batch_norm.center is True
    assert unit.batch_norm.epsilon == pytest.approx(1e-3)
    assert [w.name for w in unit.weights] == ["kernel", "beta", "moving_mean", "moving_variance"]


def test_unit3d_same_padding_puts_the_extra_pixel_at_the_end():
    # TF "SAME" with an even input, stride 2 and kernel 3 pads 0 before and
    # 1 after: the first output only sees input rows 0..1 + row 2.
    unit = Unit3D(
        1, kernel_size=(1, 3, 1), strides=(1, 2, 1), use_batch_norm=False, activation=None
    )
    unit.build((1, 1, 4, 1, 1))
    unit.conv_3d.kernel.assign(np.array([1.0, 10.0, 100.0]).reshape(1, 3, 1, 1, 1))
    x = np.arange(1, 5, dtype="float32").reshape(1, 1, 4, 1, 1)
    out = np.asarray(unit(x)).reshape(-1)
    np.testing.assert_allclose(out, [1 + 20 + 300, 3 + 40 + 0])


def test_unit3d_rejects_bad_kernel_size():
    with pytest.raises(ValueError, match="kernel_size"):
        Unit3D(4, kernel_size=(3, 3))


def test_inception_block_concatenates_four_branches():
    block = InceptionBlock3D((4, 2, 6, 2, 3, 5), name="Mixed_test")
    out = block(np.random.rand(2, 3, 5, 5, 7).astype("float32"))
    assert tuple(out.shape) == (2, 3, 5, 5, 4 + 6 + 3 + 5)
    assert [u.name for u in block.units] == list(InceptionBlock3D.BRANCH_LAYERS)


def test_inception_block_needs_six_filters():
    with pytest.raises(ValueError, match="6 ints"):
        InceptionBlock3D((1, 2, 3))


def test_minimum_clip_size_names_the_requirement():
    layer = MinimumClipSize(9, 193)
    with pytest.raises(ValueError, match="at least 9 frames"):
        layer(np.zeros((1, 8, 224, 224, 3), "float32"))
    out = layer(np.zeros((1, 9, 193, 200, 3), "float32"))
    assert tuple(out.shape) == (1, 9, 193, 200, 3)


@pytest.mark.parametrize(
    "layer",
    [
        Unit3D(4, (3, 1, 1), (1, 1, 1), name="u"),
        InceptionBlock3D((2, 2, 2, 2, 2, 2), name="m"),
        MinimumClipSize(2, 3, name="c"),
    ],
    ids=["Unit3D", "InceptionBlock3D", "MinimumClipSize"],
)
def test_layers_round_trip_through_dot_keras(layer, tmp_path):
    inputs = keras.Input((4, 6, 6, 3))
    model = keras.Model(inputs, layer(inputs))
    x = np.random.default_rng(0).normal(size=(1, 4, 6, 6, 3)).astype("float32")
    expected = np.asarray(model(x))
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored.layers[1]) is type(layer)
    assert restored.layers[1].get_config() == layer.get_config()
    np.testing.assert_allclose(np.asarray(restored(x)), expected, atol=1e-6)
