"""Inception-v1 with batch norm: the 2D ImageNet network I3D is inflated from.

The layout, layer names and numerics of TF-slim's `nets/inception_v1.py`
(the network of the `inception_v1_2016_08_28` ImageNet checkpoint):

```
image (B, 224, 224, C)               C = 3 for RGB (or 2 x flow frames)
  Conv2d_1a_7x7   7x7, stride 2        -> (112, 112,  64)
  MaxPool_2a_3x3  3x3, stride 2        -> ( 56,  56,  64)
  Conv2d_2b_1x1   1x1                  ->             64
  Conv2d_2c_3x3   3x3                  ->            192
  MaxPool_3a_3x3  3x3, stride 2        -> ( 28,  28, 192)
  Mixed_3b, Mixed_3c                   ->        256, 480
  MaxPool_4a_3x3  3x3, stride 2        -> ( 14,  14, 480)
  Mixed_4b ... Mixed_4f                -> 512, 512, 512, 528, 832
  MaxPool_5a_2x2  2x2, stride 2        -> (  7,   7, 832)
  Mixed_5b, Mixed_5c                   ->       832, 1024
  Logits: average pool, dropout, 1x1 conv with bias -> (classes,)
```

Every conv is a `Unit2D` (conv without bias, batch norm without scale,
epsilon 1e-3, ReLU); every `Mixed_*` an `InceptionBlock2D`. Slim's scopes
become layer names with `/` replaced by `_` (`InceptionV1/Logits/
Conv2d_0c_1x1` is the layer `Logits_Conv2d_0c_1x1`).
"""

import keras
import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.layers.inception2d import InceptionBlock2D
from keras_i3d.layers.unit2d import Unit2D
from keras_i3d.models import _builder
from keras_i3d.weights.loading import copy_weights_by_layer_name
from keras_i3d.weights.loading import load_weights_file

# Slim's ImageNet checkpoints have 1001 classes (class 0 is "background");
# 1000-class Inception-v1 checkpoints exist too.
IMAGENET_CLASSES = 1001

# The network below Logits, one row per endpoint, as in `I3D_BODY`:
# "unit" rows are (filters, kernel, strides), "pool" rows (pool size,
# strides), "mixed" rows the six filters of an Inception block.
INCEPTION_V1_BODY = (
    ("Conv2d_1a_7x7", "unit", (64, (7, 7), (2, 2))),
    ("MaxPool_2a_3x3", "pool", ((3, 3), (2, 2))),
    ("Conv2d_2b_1x1", "unit", (64, (1, 1), (1, 1))),
    ("Conv2d_2c_3x3", "unit", (192, (3, 3), (1, 1))),
    ("MaxPool_3a_3x3", "pool", ((3, 3), (2, 2))),
    ("Mixed_3b", "mixed", (64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", "mixed", (128, 128, 192, 32, 96, 64)),
    ("MaxPool_4a_3x3", "pool", ((3, 3), (2, 2))),
    ("Mixed_4b", "mixed", (192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", "mixed", (160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", "mixed", (128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", "mixed", (112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", "mixed", (256, 160, 320, 32, 128, 128)),
    ("MaxPool_5a_2x2", "pool", ((2, 2), (2, 2))),
    ("Mixed_5b", "mixed", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5c", "mixed", (384, 192, 384, 48, 128, 128)),
)

INCEPTION_V1_ENDPOINTS = tuple(row[0] for row in INCEPTION_V1_BODY) + ("Logits",)
FIRST_CONV = "Conv2d_1a_7x7"
LOGITS_CONV = "Logits_Conv2d_0c_1x1"


def InceptionV1(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=IMAGENET_CLASSES,
    classifier_activation="softmax",
    dropout_rate=0.2,
    final_endpoint="Logits",
    name="inception_v1",
):
    """Instantiates Inception-v1 with batch norm (TF-slim's `inception_v1`).

    References:
    - [Going Deeper with Convolutions](https://arxiv.org/abs/1409.4842)
    - [Batch Normalization](https://arxiv.org/abs/1502.03167)

    Inputs are channels-last images in `[-1, 1]` (slim's Inception
    preprocessing, the same scaling as `keras_i3d.preprocess_input` for
    RGB). The Logits head averages `Mixed_5c` over all positions, which for
    224 x 224 inputs is slim's 7 x 7 average pool exactly, and keeps working
    for other sizes (slim's `global_pool=True`).

    Args:
        include_top: whether to include the Logits head.
        weights: None (random initialisation) or the path of an Inception-v1
            `.weights.h5` file made by
            `weights_conversion/convert_tfslim_inception_v1.py` (1001 or 1000
            classes, 3 input channels). With another class count the head is
            re-initialised; with another channel count the first layer's
            filters are averaged over the RGB channels and replicated (see
            `average_input_channels`).
        input_tensor: optional Keras tensor to use as the model's input.
        input_shape: optional `(height, width, channels)`; height and width
            may be None. Defaults to `(224, 224, 3)`.
        pooling: with `include_top=False`: None (4D feature maps), `"avg"`
            or `"max"` (a 1024-d feature vector per image).
        classes: number of classes of the head (slim: 1001).
        classifier_activation: activation of the head, applied in float32;
            None returns the logits.
        dropout_rate: dropout before the classifier (slim keeps 0.8).
        final_endpoint: where the network ends, one of
            `INCEPTION_V1_ENDPOINTS`; anything before `"Logits"` needs
            `include_top=False`.
        name: the model's name.

    Returns:
        A `keras.Model`.

    Example:

    >>> import numpy as np
    >>> model = InceptionV1(weights=None, classes=1001)
    >>> model.predict(np.zeros((1, 224, 224, 3)), verbose=0).shape
    (1, 1001)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    if final_endpoint not in INCEPTION_V1_ENDPOINTS:
        raise ValueError(
            f"Unknown endpoint {final_endpoint!r}. Expected one of {INCEPTION_V1_ENDPOINTS}."
        )
    if include_top and final_endpoint != "Logits":
        raise ValueError(
            f"`final_endpoint={final_endpoint!r}` ends the network before "
            "the Logits head: pass `include_top=False` with it."
        )
    inputs, x = _builder.image_input(
        input_tensor,
        input_shape,
        default_shape=(CROP_SIZE, CROP_SIZE, RGB_CHANNELS),
        name="image",
    )
    x = inception_v1_body(x, final_endpoint)
    if include_top:
        x = inception_v1_logits(x, classes, dropout_rate)
        x = _builder.classifier_output(x, classifier_activation)
    else:
        x = _builder.global_pooling_2d(x, pooling)
    model = _builder.finish_model(inputs, input_tensor, x, name)
    if weights is not None:
        load_inception_v1_weights(model, weights)
    return model


def inception_v1_body(x, final_endpoint="Mixed_5c"):
    """Applies Inception-v1's layers from `Conv2d_1a_7x7` to `final_endpoint`."""
    return _builder.apply_layer_table(
        x,
        INCEPTION_V1_BODY,
        final_endpoint,
        Unit2D,
        keras.layers.MaxPooling2D,
        InceptionBlock2D,
    )


def inception_v1_logits(x, classes, dropout_rate):
    """Slim's head: average pool, dropout, 1x1 conv with bias, squeeze."""
    x = keras.layers.GlobalAveragePooling2D(keepdims=True, name="Logits_AvgPool_0a_7x7")(x)
    x = keras.layers.Dropout(dropout_rate, name="Logits_Dropout_0b")(x)
    x = Unit2D(
        classes,
        use_batch_norm=False,
        use_bias=True,
        activation=None,
        name=LOGITS_CONV,
    )(x)
    return keras.layers.Flatten(dtype="float32", name="Logits")(x)


def average_input_channels(kernel, channels):
    """Adapts a first-layer kernel to another number of input channels.

    The cross-modality initialisation of Temporal Segment Networks (Wang et
    al., 2016), used for flow streams started from ImageNet weights: the
    filters are averaged over their input (RGB) channels and the average is
    replicated `channels` times. A flow input whose channels all hold the
    same value `v` then gets `channels / 3` times the response of an RGB
    image of grey level `v`; batch norm after the conv absorbs the scale
    once its statistics are re-estimated in training.

    Args:
        kernel: array `(..., in_channels, filters)` (2D or 3D kernel).
        channels: the new number of input channels.

    Returns:
        A float32 array `(..., channels, filters)`.
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    mean = kernel.mean(axis=-2, keepdims=True)
    return np.repeat(mean, channels, axis=-2)


def load_inception_v1_weights(model, weights_path):
    """Loads an Inception-v1 `.weights.h5` file into `model` by layer name.

    Through `keras_i3d.weights.loading.load_weights_file`: the file is
    loaded into the full network it was saved from (its class count read
    from the classifier's shape), then copied by layer name. `model` may
    differ in its class count (its head is then left as initialised), in
    its input channels (the first layer goes through
    `average_input_channels`) or in where it ends.

    Args:
        model: an `InceptionV1` model (any class count, channels or end).
        weights_path: path of the weights file.

    Returns:
        The names of the layers of `model` left as initialised.

    Raises:
        ValueError: if the file does not exist, is not Inception-v1
            weights, or does not fit `model`.
    """
    report = load_weights_file(
        model,
        weights_path,
        build_reference=inception_v1_reference_model,
        architecture="InceptionV1",
        classes=IMAGENET_CLASSES,
        **_COPY_RULES,
    )
    return list(report.reinitialised)


def copy_inception_v1_weights(source, target):
    """Copies weights by layer name between two Inception-v1 models.

    The same rules as `load_inception_v1_weights`, from a model in memory.

    Args:
        source: an `InceptionV1` model holding the weights.
        target: an `InceptionV1` model to load them into.

    Returns:
        The names of the target layers left as initialised (the head when
        the class counts differ, else an empty list).

    Raises:
        ValueError: if a target layer with weights has no counterpart in
            `source`, or a weight's shape cannot be matched.
    """
    report = copy_weights_by_layer_name(source, target, f"the model {source.name!r}", **_COPY_RULES)
    return list(report.reinitialised)


def inception_v1_reference_model(classes):
    """The graph Inception-v1 weights files are saved from (3 channels)."""
    return InceptionV1(
        weights=None,
        classes=classes,
        input_shape=(None, None, RGB_CHANNELS),
        classifier_activation=None,
        name="inception_v1_reference",
    )


def _adapt_first_conv(values, target_shapes):
    kernel = values[0]
    if kernel.shape != target_shapes[0]:
        channels = target_shapes[0][-2]
        values = [average_input_channels(kernel, channels)] + values[1:]
    return values


# A new class count re-initialises the head; other input channels average
# the first layer's filters.
_COPY_RULES = {
    "reinitialise_if_mismatched": (LOGITS_CONV,),
    "adapt": {FIRST_CONV: _adapt_first_conv},
}
