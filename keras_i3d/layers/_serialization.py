"""One registration package for every keras-i3d layer."""

import keras

PACKAGE = "keras_i3d"


def register(cls):
    """Registers `cls` for `.keras` loading under the `keras_i3d` package."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)
