"""The model an export holds: raw frames in, logits and probabilities out.

```
frames (batch, frames, H, W, C)   uint8 RGB [0, 255], or float32 flow in pixels
  keras_i3d.preprocess_input      RGB: x / 127.5 - 1; flow: clip +-20, / 20
  the classifier                  its `Logits` layer's output
  -> {"logits": (batch, classes), "probabilities": softmax(logits)}
```
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream
from keras_i3d.preprocessing import preprocess_input

LOGITS_LAYER = "Logits"
INPUT_NAME = "frames"
OUTPUT_NAMES = ("logits", "probabilities")
STREAM_INPUT_DTYPES = {"rgb": "uint8", "flow": "float32"}


class NotAClassifierError(ValueError):
    """The model cannot be exported as a one-stream video classifier."""


def logits_model(model):
    """`model` up to its `Logits` layer (the classifier of every model).

    Args:
        model: a functional keras-i3d classifier with one 5D video input,
            e.g. `keras_i3d.I3D(...)` with any `classifier_activation`.

    Returns:
        `model` itself when its output is the `Logits` layer's, else a
        `keras.Model` from its input to that layer's output (dropping a
        softmax after it).

    Raises:
        NotAClassifierError: the model has several inputs, a non-5D input,
            or no layer named `Logits`.
    """
    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 5:
        raise NotAClassifierError(
            f"{model.name}: an export takes one stream's clips, (batch, "
            "frames, height, width, channels). Received: a model with inputs "
            f"{[tuple(x.shape) for x in model.inputs]}"
        )
    names = [layer.name for layer in model.layers]
    if LOGITS_LAYER not in names:
        raise NotAClassifierError(
            f"{model.name}: no layer named {LOGITS_LAYER!r}, the classifier "
            "layer of every keras-i3d model (build it with include_top=True). "
            f"Received: a model whose last layers are {names[-3:]}"
        )
    logits = model.get_layer(LOGITS_LAYER).output
    if model.outputs[0] is logits:
        return model
    return keras.Model(model.input, logits, name=model.name)


def stream_of(model):
    """`"rgb"` or `"flow"`, from the channels of the model's input.

    Raises:
        NotAClassifierError: the channel count is neither stream's.
    """
    channels = model.inputs[0].shape[-1]
    for stream, stream_channels in STREAM_CHANNELS.items():
        if channels == stream_channels:
            return stream
    raise NotAClassifierError(
        f"{model.name}: its input has {channels} channels; an I3D stream has "
        f"{STREAM_CHANNELS}. Received: input shape "
        f"{tuple(model.inputs[0].shape)}"
    )


def frame_size(model):
    """The `(height, width)` of the model's frames (CROP_SIZE where free)."""
    height, width = model.inputs[0].shape[2:4]
    return (height or CROP_SIZE, width or CROP_SIZE)


class ServingModel(keras.Model):
    """Preprocessing, a classifier and its softmax, as one exportable model.

    Args:
        classifier: a model returning logits (see `logits_model`).
        stream: `"rgb"` (inputs uint8 in `[0, 255]`) or `"flow"` (float32
            flow in pixels).
        **kwargs: standard model arguments.

    Example:

    >>> serving = ServingModel(logits_model(I3D(weights=None)), "rgb")  # doctest: +SKIP
    >>> outputs = serving(np.zeros((1, 16, 224, 224, 3), "uint8"))  # doctest: +SKIP
    >>> sorted(outputs)  # doctest: +SKIP
    ['logits', 'probabilities']
    """

    def __init__(self, classifier, stream, **kwargs):
        super().__init__(**kwargs)
        self.classifier = classifier
        self.stream = check_stream(stream)

    def call(self, frames):
        clips = preprocess_input(frames, stream=self.stream)
        logits = self.classifier(clips, training=False)
        logits = keras.ops.cast(logits, "float32")
        return {"logits": logits, "probabilities": keras.ops.softmax(logits, axis=-1)}


def serving_input_spec(model, stream, batch_size=None, clip_length=None):
    """The `tf.TensorSpec` of an export's input, named `frames`.

    Args:
        model: the classifier (its frame size and channels are used).
        stream: `"rgb"` (uint8) or `"flow"` (float32).
        batch_size: a fixed batch size, or None (dynamic).
        clip_length: a fixed number of frames, or None (dynamic).

    Returns:
        A `tf.TensorSpec` `(batch_size, clip_length, height, width,
        channels)`.
    """
    import tensorflow as tf

    height, width = frame_size(model)
    shape = (batch_size, clip_length, height, width, STREAM_CHANNELS[stream])
    return tf.TensorSpec(shape, STREAM_INPUT_DTYPES[stream], name=INPUT_NAME)
