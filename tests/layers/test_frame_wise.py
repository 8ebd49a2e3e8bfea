import keras
import numpy as np
import pytest

from keras_i3d.layers import FrameWise


def small_network():
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x), name="frame_net")


def test_matches_the_network_on_each_frame():
    network = small_network()
    clips = np.random.default_rng(0).normal(size=(2, 5, 9, 7, 3)).astype("float32")
    outputs = keras.ops.convert_to_numpy(FrameWise(network)(clips))
    assert outputs.shape == (2, 5, 4)
    for clip in range(2):
        for frame in range(5):
            expected = keras.ops.convert_to_numpy(network(clips[clip, frame][None]))[0]
            np.testing.assert_allclose(outputs[clip, frame], expected, rtol=1e-5, atol=1e-5)


def test_unknown_time_and_size_and_training_flag():
    network = small_network()
    inputs = keras.Input((None, None, None, 3))
    wrapped = FrameWise(network, name="frames")
    model = keras.Model(inputs, wrapped(inputs))
    assert model.output.shape == (None, None, 4)
    clips = np.ones((1, 3, 6, 6, 3), "float32")
    assert model(clips).shape == (1, 3, 4)
    # Training mode reaches the wrapped batch norm: its statistics move.
    before = network.get_layer("bn").moving_mean.numpy().copy()
    model(clips + 1.0, training=True)
    assert not np.allclose(network.get_layer("bn").moving_mean.numpy(), before)
    with pytest.raises(ValueError, match="keras.layers.Layer"):
        FrameWise("conv")


def test_keras_round_trip(tmp_path):
    inputs = keras.Input((4, 8, 8, 3))
    model = keras.Model(inputs, FrameWise(small_network(), name="f")(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    clips = np.random.default_rng(1).normal(size=(2, 4, 8, 8, 3))
    np.testing.assert_allclose(
        loaded.predict(clips, verbose=0), model.predict(clips, verbose=0), atol=1e-6
    )
    assert type(loaded.get_layer("f")) is FrameWise
