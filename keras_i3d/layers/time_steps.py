"""`LastTimeStep`: keeps the last step of a sequence (no `Lambda` needed)."""

import keras

from keras_i3d.layers._serialization import register


@register
class LastTimeStep(keras.layers.Layer):
    """Returns `inputs[:, -1]` for inputs shaped `(batch, steps, ...)`.

    ConvNet+LSTM predicts from the output at its last time step (Carreira &
    Zisserman, Sec. 2.1); this layer takes that step out of the per-step
    outputs.

    Example:

    >>> steps = keras.ops.reshape(keras.ops.arange(6.0), (1, 3, 2))
    >>> keras.ops.convert_to_numpy(LastTimeStep()(steps)).tolist()
    [[4.0, 5.0]]
    """

    def call(self, inputs):
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])
