import keras
import numpy as np

from keras_i3d.layers.unit2d import Unit2D


def test_shapes_and_weights():
    unit = Unit2D(8, kernel_size=(3, 3), strides=(2, 2), name="Conv2d_0a")
    assert unit(np.zeros((1, 9, 9, 3), "float32")).shape == (1, 5, 5, 8)
    # Kernel, then beta, moving mean, moving variance: no bias, no gamma.
    assert [tuple(w.shape) for w in unit.weights] == [(3, 3, 3, 8), (8,), (8,), (8,)]


def test_classifier_unit_has_bias_and_no_activation():
    unit = Unit2D(4, use_batch_norm=False, use_bias=True, activation=None)
    out = unit(-np.ones((1, 2, 2, 3), "float32"))
    assert len(unit.weights) == 2
    assert keras.ops.convert_to_numpy(out).shape == (1, 2, 2, 4)


def test_config_round_trip():
    unit = Unit2D(8, kernel_size=7, strides=2, name="Conv2d_1a_7x7")
    clone = Unit2D.from_config(unit.get_config())
    assert clone.kernel_size == (7, 7)
    assert clone.strides == (2, 2)
    assert clone.name == "Conv2d_1a_7x7"
