"""I3D: the Two-Stream Inflated 3D ConvNet (Carreira & Zisserman, 2017).

```
video (B, T, 224, 224, C)            C = 3 for RGB, 2 for flow
  Conv3d_1a_7x7    7x7x7, stride 2         -> (T/2, 112, 112, 64)
  MaxPool3d_2a_3x3 1x3x3, stride (1, 2, 2) -> (T/2,  56,  56, 64)
  Conv3d_2b_1x1    1x1x1                   -> 64
  Conv3d_2c_3x3    3x3x3                   -> 192
  MaxPool3d_3a_3x3 1x3x3, stride (1, 2, 2) -> (T/2,  28,  28, 192)
  Mixed_3b, Mixed_3c                       -> 256, 480
  MaxPool3d_4a_3x3 3x3x3, stride 2         -> (T/4,  14,  14, 480)
  Mixed_4b ... Mixed_4f                    -> 512, 512, 512, 528, 832
  MaxPool3d_5a_2x2 2x2x2, stride 2         -> (T/8,   7,   7, 832)
  Mixed_5b, Mixed_5c                       -> 832, 1024
  Logits: AvgPool3d (2, 7, 7) VALID, dropout, 1x1x1 conv with bias,
          averaged over the remaining time steps -> (classes,)
```

Every conv is a `Unit3D`; every `Mixed_*` an `InceptionBlock3D`. Layer
names are DeepMind's endpoint names.
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import MIN_PIXELS_FOR_LOGITS
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream
from keras_i3d.layers import ClipSizeModel
from keras_i3d.layers import InceptionBlock3D
from keras_i3d.layers import MinimumClipSize
from keras_i3d.layers import Unit3D
from keras_i3d.models import _builder
from keras_i3d.models.endpoints import I3D_BODY
from keras_i3d.models.endpoints import check_endpoint

LOGITS_POOL_SIZE = (2, 7, 7)
LOGITS_CONV = "Logits_Conv3d_0c_1x1"


def I3D(
    stream="rgb",
    include_top=True,
    weights="kinetics400",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=400,
    classifier_activation="softmax",
    dropout_rate=0.5,
    final_endpoint="Logits",
    name=None,
):
    """Instantiates one stream of I3D (Inception-v1, inflated to 3D).

    Reference:
    - [Quo Vadis, Action Recognition? A New Model and the Kinetics Dataset](
        https://arxiv.org/abs/1705.07750) (CVPR 2017)

    Inputs are channels-last clips `(batch, frames, height, width,
    channels)` preprocessed with `keras_i3d.preprocess_input`: RGB in
    `[-1, 1]`, or TV-L1 flow clipped to 20 pixels and divided by 20.

    Args:
        stream: `"rgb"` (3 input channels) or `"flow"` (2 input channels).
        include_top: whether to include the Logits head. With `False` the
            model ends at `Mixed_5c` (or `final_endpoint`).
        weights: None (random initialisation), `"kinetics400"` (resolved for
            the stream), the name of a weights record (see
            `keras_i3d.weights.list_weights()`), the path of a weights file,
            or `"hf://owner/repo"`.
        input_tensor: optional Keras tensor to use as the model's input.
        input_shape: optional `(frames, height, width, channels)`; any of
            frames, height and width may be None. Defaults to
            `(None, 224, 224, channels)`.
        pooling: with `include_top=False`: None (5D feature maps), `"avg"` or
            `"max"` (one feature vector per clip).
        classes: number of classes of the head. With pretrained weights and
            a different number of classes, the backbone is loaded and the
            head re-initialised (for fine-tuning).
        classifier_activation: activation of the head, applied in float32;
            None returns the logits.
        dropout_rate: dropout before the 1x1x1 classifier conv (active
            only in training).
        final_endpoint: the endpoint at which the model ends (see
            `keras_i3d.models.endpoints.ENDPOINTS`); anything before
            `"Logits"` needs `include_top=False`.
        name: model name; defaults to `"i3d_rgb"` or `"i3d_flow"`.

    Returns:
        A `keras.Model`.

    Example:

    >>> import numpy as np
    >>> from keras_i3d import I3D
    >>> model = I3D(weights=None, input_shape=(16, 224, 224, 3))
    >>> model.predict(np.zeros((1, 16, 224, 224, 3)), verbose=0).shape
    (1, 400)
    """
    check_stream(stream)
    check_endpoint(final_endpoint)
    _builder.check_builder_args(include_top, pooling, classes)
    if include_top and final_endpoint != "Logits":
        raise ValueError(
            f"`final_endpoint={final_endpoint!r}` ends the network before "
            "the Logits head: pass `include_top=False` with it."
        )
    channels = STREAM_CHANNELS[stream]
    inputs, x = _builder.video_input(
        input_tensor,
        input_shape,
        channels,
        default_shape=(None, CROP_SIZE, CROP_SIZE, channels),
        name=f"{stream}_clip",
    )
    if include_top:
        x = MinimumClipSize(MIN_FRAMES_FOR_LOGITS, MIN_PIXELS_FOR_LOGITS, name="clip_size")(x)
    x = i3d_body(x, final_endpoint)
    if include_top:
        x = i3d_logits(x, classes, dropout_rate)
        x = _builder.classifier_output(x, classifier_activation)
    else:
        x = _builder.global_pooling(x, pooling)
    model = _builder.finish_model(
        inputs,
        input_tensor,
        x,
        name or f"i3d_{stream}",
        model_class=ClipSizeModel if include_top else keras.Model,
    )
    if weights is not None:
        from keras_i3d.weights.loading import load_pretrained

        load_pretrained(
            model,
            weights,
            stream=stream,
            build_reference=i3d_reference_model,
            include_top=include_top,
            classes=classes,
        )
    return model


def i3d_body(x, final_endpoint="Mixed_5c"):
    """Applies I3D's layers from `Conv3d_1a_7x7` up to `final_endpoint`."""
    return _builder.apply_layer_table(
        x,
        I3D_BODY,
        final_endpoint,
        Unit3D,
        keras.layers.MaxPooling3D,
        InceptionBlock3D,
    )


def i3d_logits(x, classes, dropout_rate):
    """I3D's head: (2, 7, 7) VALID average pool, dropout, 1x1x1 conv, mean.

    The 1x1x1 conv runs on every pooled position and its outputs are then
    averaged (over time, and over space for inputs larger than 224); a
    global average before the conv would weigh the border frames of long
    clips differently.
    """
    x = keras.layers.AveragePooling3D(
        LOGITS_POOL_SIZE, strides=1, padding="valid", name="Logits_AvgPool3d"
    )(x)
    x = keras.layers.Dropout(dropout_rate, name="Logits_Dropout")(x)
    x = Unit3D(
        classes,
        use_batch_norm=False,
        use_bias=True,
        activation=None,
        name=LOGITS_CONV,
    )(x)
    return keras.layers.GlobalAveragePooling3D(dtype="float32", name="Logits")(x)


def i3d_reference_model(stream, classes):
    """The graph a keras-i3d weights file of `stream` is saved from.

    The full model (every endpoint and the Logits head, logits output) for
    clips of any size: `keras_i3d.weights` loads a checkpoint into it, then
    copies the weights by name into the model that was asked for.

    Args:
        stream: `"rgb"` or `"flow"`.
        classes: the checkpoint's class count.

    Returns:
        A `keras.Model` without weights loaded.
    """
    return I3D(
        stream=stream,
        weights=None,
        classes=classes,
        input_shape=(None, None, None, STREAM_CHANNELS[stream]),
        classifier_activation=None,
    )
