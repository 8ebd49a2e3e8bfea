"""Freezing batch-norm statistics for small-batch fine-tuning.

I3D was trained with 6 clips per GPU. Fine-tuning with 2-8 clips per step
makes the batch statistics noisy; updating the moving averages with them
(and normalising with them) makes accuracy collapse, which users of other
I3D ports report. Freezing batch norm runs every `BatchNormalization` in
inference mode: it normalises with the pretrained moving statistics,
leaves them unchanged and stops training its offset.
"""

import keras


def batch_norm_layers(model):
    """Returns every `BatchNormalization` layer of `model`, nested ones too."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, keras.layers.BatchNormalization)
    ]


def freeze_batch_norm(model):
    """Puts every batch-norm layer of `model` in inference mode for training.

    In Keras 3 a `BatchNormalization` layer with `trainable=False` always
    normalises with its moving statistics and never updates them, even in
    `model.fit`. Call this before `compile` (it changes which variables are
    trainable).

    Args:
        model: a Keras model (I3D's batch norms sit inside `Unit3D` and
            `InceptionBlock3D` layers; they are found recursively).

    Returns:
        The number of batch-norm layers frozen.

    Example:

    >>> from keras_i3d import I3D
    >>> model = I3D(weights=None, include_top=False,
    ...             final_endpoint="Conv3d_2c_3x3")
    >>> freeze_batch_norm(model)
    3
    """
    layers = batch_norm_layers(model)
    for layer in layers:
        layer.trainable = False
    return len(layers)


def set_batch_norm_momentum(model, momentum):
    """Sets the moving-average momentum of every batch norm in `model`.

    The builders use the checkpoints' 0.999 (and Keras' 0.99 where no
    checkpoint says otherwise); a run of a few dozen steps never moves such
    moving statistics away from their initial values, and validation,
    which uses them, sees an untrained network. ~0.9 follows the batches
    within tens of steps.

    Returns:
        The number of batch-norm layers changed.
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"`momentum` must be in [0, 1). Received: momentum={momentum}")
    layers = batch_norm_layers(model)
    for layer in layers:
        layer.momentum = momentum
    return len(layers)
