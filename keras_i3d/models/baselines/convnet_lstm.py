"""ConvNet+LSTM: Inception-v1 on every frame, then an LSTM (Quo Vadis, 2.1).

```
frames (B, T, 224, 224, 3)         T = 25 frames at 5 fps to train, 50 to test
  inception_v1_frames  Inception-v1 (batch norm) on each frame,
                       global average pool            -> (B, T, 1024)
  lstm                 LSTM, 512 units, every step    -> (B, T, 512)
  lstm_batch_norm      batch norm                     -> (B, T, 512)
  logits               fully connected, every step    -> (B, T, classes)
  last_step | mean_over_steps                         -> (B, classes)
```
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.layers.time_steps import LastTimeStep
from keras_i3d.models import _builder
from keras_i3d.models.baselines._frames import frame_stream

PREDICTIONS = ("last", "mean", "all")


def ConvNetLSTM(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=400,
    classifier_activation="softmax",
    lstm_units=512,
    prediction="last",
    name="convnet_lstm",
):
    """Instantiates the ConvNet+LSTM baseline of Quo Vadis (Sec. 2.1).

    An ImageNet Inception-v1 with batch norm extracts a 1024-d feature from
    every frame (its last average pool); an LSTM with 512 units and batch
    norm runs over the frames and a fully connected layer classifies every
    step. The paper trains on 25 frames sampled at 5 fps (every 5th frame
    of 25 fps video) with a cross-entropy loss at every step, and predicts
    from the last step at test time, on 50 frames.

    Parameters: 8,962,208 with 400 classes (paper, Table 1: 9M): Inception-v1
    body 5,607,184 + LSTM 3,147,776 + batch norm 2,048 + classifier 205,200.
    The paper's batch norm is Cooijmans et al.'s recurrent batch norm inside
    the LSTM; Keras has no such cell, so this model normalises the LSTM's
    outputs instead (a few thousand parameters apart, same LSTM size).

    Args:
        include_top: whether to include the classifier. Without it the
            model returns the LSTM's (normalised) outputs.
        weights: None (random initialisation) or the path of an ImageNet
            Inception-v1 `.weights.h5` file (see
            `weights_conversion/convert_tfslim_inception_v1.py`) for the
            per-frame network; the LSTM and classifier start random.
        input_tensor: optional Keras tensor to use as the model's input.
        input_shape: optional `(frames, height, width, 3)`; frames may be
            None (any number). Defaults to `(None, 224, 224, 3)`.
        pooling: with `include_top=False`: None (per-step features
            `(B, T, 512)`), `"avg"` or `"max"` over the steps.
        classes: number of classes.
        classifier_activation: activation of the classifier (float32);
            None returns logits.
        lstm_units: the LSTM's size (paper: 512).
        prediction: with `include_top=True`: `"last"` (the paper's test
            prediction, `(B, classes)`), `"mean"` (averaged over the steps)
            or `"all"` (every step, `(B, T, classes)`: train on it with the
            clip label repeated over the steps to get the paper's loss).
        name: the model's name.

    Returns:
        A `keras.Model`.

    Example:

    >>> import numpy as np
    >>> model = ConvNetLSTM(input_shape=(25, 224, 224, 3))
    >>> model.predict(np.zeros((1, 25, 224, 224, 3)), verbose=0).shape
    (1, 400)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    if prediction not in PREDICTIONS:
        raise ValueError(
            f"`prediction` must be one of {PREDICTIONS}. Received: prediction={prediction!r}"
        )
    inputs, x = _builder.video_input(
        input_tensor,
        input_shape,
        RGB_CHANNELS,
        default_shape=(None, CROP_SIZE, CROP_SIZE, RGB_CHANNELS),
        name="rgb_frames",
    )
    x = frame_stream(
        x,
        weights,
        RGB_CHANNELS,
        "inception_v1",
        include_top=False,
        pooling="avg",
    )
    x = keras.layers.LSTM(lstm_units, return_sequences=True, name="lstm")(x)
    x = keras.layers.BatchNormalization(name="lstm_batch_norm")(x)
    if include_top:
        x = keras.layers.Dense(classes, name="Logits")(x)
        if prediction == "last":
            x = LastTimeStep(name="last_step")(x)
        elif prediction == "mean":
            x = keras.layers.GlobalAveragePooling1D(name="mean_over_steps")(x)
        x = _builder.classifier_output(x, classifier_activation)
    elif pooling == "avg":
        x = keras.layers.GlobalAveragePooling1D(name="avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling1D(name="max_pool")(x)
    return _builder.finish_model(inputs, input_tensor, x, name)
