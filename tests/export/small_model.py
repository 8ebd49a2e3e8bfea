"""A small one-stream classifier built like I3D, for fast export tests.

I3D's kinds of layers (a strided stem, SAME max pools, an Inception block
with its Branch_3 pool, the (2, 7, 7) VALID average pool, a `Logits` layer
and a softmax after it) at a few channels, so an export converts in seconds.
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.layers import InceptionBlock3D
from keras_i3d.layers import Unit3D

CLASSES = 5
CLIP_LENGTH = 8


def small_classifier(stream="rgb", seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(
        (None, CROP_SIZE, CROP_SIZE, STREAM_CHANNELS[stream]), name=f"{stream}_clip"
    )
    x = Unit3D(4, kernel_size=7, strides=(2, 4, 4), name="Conv3d_1a_7x7")(inputs)
    x = keras.layers.MaxPooling3D((1, 3, 3), (1, 2, 2), padding="same", name="MaxPool3d_2a_3x3")(x)
    x = InceptionBlock3D((2, 2, 3, 2, 3, 2), name="Mixed_3b")(x)
    x = keras.layers.MaxPooling3D(3, 2, padding="same", name="MaxPool3d_4a_3x3")(x)
    x = keras.layers.AveragePooling3D(
        (2, 7, 7), strides=1, padding="valid", name="Logits_AvgPool3d"
    )(x)
    x = Unit3D(
        CLASSES, use_batch_norm=False, use_bias=True, activation=None, name="Logits_Conv3d_0c_1x1"
    )(x)
    logits = keras.layers.GlobalAveragePooling3D(name="Logits")(x)
    outputs = keras.layers.Activation("softmax", name="Predictions")(logits)
    model = keras.Model(inputs, outputs, name=f"small_{stream}")
    # Random values in every weight (biases and batch-norm statistics
    # included, which initialise to constants), so that a lost or misplaced
    # weight changes the logits.
    for index, variable in enumerate(model.weights):
        shape = tuple(variable.shape)
        if "moving_variance" in variable.path:
            value = keras.random.uniform(shape, 0.5, 1.5, seed=seed + index)
        else:
            value = keras.random.normal(shape, stddev=0.2, seed=seed + index)
        variable.assign(value)
    return model
