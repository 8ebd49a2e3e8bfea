import keras
import numpy as np

from keras_i3d import I3D
from keras_i3d.training.batch_norm import batch_norm_layers
from keras_i3d.training.batch_norm import freeze_batch_norm


def _stem():
    return I3D(
        weights=None, include_top=False, final_endpoint="Conv3d_2c_3x3", input_shape=(4, 16, 16, 3)
    )


def test_finds_the_nested_batch_norms_of_i3d():
    model = _stem()
    assert len(batch_norm_layers(model)) == 3
    trainable_before = len(model.trainable_weights)
    assert freeze_batch_norm(model) == 3
    # Each frozen batch norm stops training its offset (beta).
    assert len(model.trainable_weights) == trainable_before - 3


def test_frozen_statistics_do_not_move_in_fit():
    model = _stem()
    freeze_batch_norm(model)
    head = keras.Sequential([model, keras.layers.GlobalAveragePooling3D(), keras.layers.Dense(2)])
    head.compile(keras.optimizers.SGD(0.1), "mse")
    norms = batch_norm_layers(model)
    before = [np.array(n.moving_mean.numpy()) for n in norms]
    kernel_before = np.array(model.get_layer("Conv3d_1a_7x7").conv_3d.kernel.numpy())
    clips = np.random.RandomState(0).rand(2, 4, 16, 16, 3).astype("float32")
    head.fit(clips, np.ones((2, 2), "float32"), epochs=1, verbose=0)
    for norm, mean in zip(norms, before):
        np.testing.assert_array_equal(norm.moving_mean.numpy(), mean)
    assert not np.array_equal(
        model.get_layer("Conv3d_1a_7x7").conv_3d.kernel.numpy(), kernel_before
    )
    # Inference-mode batch norm: the training output equals the test output.
    np.testing.assert_allclose(
        model(clips, training=True), model(clips, training=False), rtol=1e-5, atol=1e-6
    )
