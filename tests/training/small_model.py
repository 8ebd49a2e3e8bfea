"""A small I3D-like classifier the training tests can afford on CPU.

I3D's real stem (`Conv3d_1a_7x7` and `MaxPool3d_2a_3x3`, built by `I3D`
with `final_endpoint`) followed by a global average pool and a dense
layer that returns logits.
"""

import keras

from keras_i3d import I3D


def small_i3d(
    classes=4,
    clip_length=8,
    size=32,
    final_endpoint="MaxPool3d_2a_3x3",
    frozen_batch_norm=False,
    dropout_rate=0.0,
):
    backbone = I3D(
        weights=None,
        include_top=False,
        final_endpoint=final_endpoint,
        input_shape=(clip_length, size, size, 3),
    )
    if frozen_batch_norm:
        from keras_i3d.training import freeze_batch_norm

        freeze_batch_norm(backbone)
    x = keras.layers.GlobalAveragePooling3D(name="avg_pool")(backbone.output)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name="dropout")(x)
    logits = keras.layers.Dense(classes, dtype="float32", name="Logits")(x)
    return keras.Model(backbone.input, logits, name="small_i3d")
