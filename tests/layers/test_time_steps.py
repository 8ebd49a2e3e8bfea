import keras
import numpy as np

from keras_i3d.layers.time_steps import LastTimeStep


def test_keeps_last_step():
    steps = np.arange(12, dtype="float32").reshape(2, 3, 2)
    out = keras.ops.convert_to_numpy(LastTimeStep()(steps))
    np.testing.assert_array_equal(out, steps[:, -1])
    assert LastTimeStep().compute_output_shape((None, 5, 7)) == (None, 7)
