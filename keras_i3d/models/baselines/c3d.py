"""The 3D ConvNet baseline: C3D with batch norm (Quo Vadis, Sec. 2.2).

```
clip (B, 16, 112, 112, 3)
  conv1a 64                        pool1 2x2x2, stride 2 -> ( 8, 56, 56)
  conv2a 128                       pool2 2x2x2, stride 2 -> ( 4, 28, 28)
  conv3a, conv3b 256               pool3 2x2x2, stride 2 -> ( 2, 14, 14)
  conv4a, conv4b 512               pool4 2x2x2, stride 2 -> ( 1,  7,  7)
  conv5a, conv5b 512               pool5 2x2x2, stride 2 -> ( 1,  4,  4)
  fc6 4096, fc7 4096 (batch norm, ReLU, dropout), fc8 classes (`Logits`)
```

Every conv is 3x3x3, stride 1, "SAME", a `Unit3D` (no bias, batch norm,
ReLU).
"""

import keras

from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.layers.unit3d import Unit3D
from keras_i3d.models import _builder
from keras_i3d.weights.loading import load_weights_file

C3D_FRAMES = 16
C3D_CROP_SIZE = 112
C3D_INPUT_SHAPE = (C3D_FRAMES, C3D_CROP_SIZE, C3D_CROP_SIZE, RGB_CHANNELS)

# (stage, conv filters); each stage ends with pool<stage>.
C3D_BODY = (
    (1, (64,)),
    (2, (128,)),
    (3, (256, 256)),
    (4, (512, 512)),
    (5, (512, 512)),
)
FC_UNITS = 4096


def C3D(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=400,
    classifier_activation="softmax",
    dropout_rate=0.5,
    first_pool_temporal_stride=2,
    name="c3d",
):
    """Instantiates the C3D-like 3D ConvNet baseline of Quo Vadis (Sec. 2.2).

    Reference:
    - [Learning Spatiotemporal Features with 3D Convolutional Networks](
        https://arxiv.org/abs/1412.0767) (C3D)

    8 conv layers, 5 max-pool layers and 2 fully connected layers as in C3D,
    with the paper's two changes: batch norm after every conv and fully
    connected layer, and a temporal stride of 2 in the first pool ("which
    reduces the memory footprint and allows for bigger batches"; the
    original C3D uses 1). Trained from scratch (the paper uses no ImageNet
    weights here), on 16-frame clips of 112 x 112 crops.

    Parameters: 79,656,464 with 400 classes (paper, Table 1: 79M): convs
    27,653,184, their batch norms 8,256, fc6 33,554,432 (the 1 x 4 x 4 x 512
    = 8,192 pool5 values to 4,096), fc7 16,777,216, their batch norms
    24,576, fc8 (the layer `Logits`) 1,638,800. Convs and fc6/fc7 have no
    bias (batch norm's offset replaces it); batch norm has no scale, as in
    `Unit3D`.

    Args:
        include_top: whether to include fc6, fc7 and fc8. Without them the
            model ends at pool5.
        weights: None (random initialisation) or the path of a
            `.weights.h5` file saved from a full C3D (with the top) of the
            same clip size; it loads by layer name, so a model without the
            top takes its convs (give the file's `classes` then).
        input_tensor: optional Keras tensor to use as the model's input.
        input_shape: optional `(frames, height, width, 3)`; with the top,
            all sizes must be known (fc6 sees a fixed-size pool5). Defaults
            to `(16, 112, 112, 3)`.
        pooling: with `include_top=False`: None (pool5 maps), `"avg"` or
            `"max"`.
        classes: number of classes.
        classifier_activation: activation of fc8, the `Logits` layer
            (float32); None returns logits.
        dropout_rate: dropout after fc6 and fc7 (C3D: 0.5).
        first_pool_temporal_stride: 2 (the paper) or 1 (original C3D, whose
            pool1 is 1 x 2 x 2). Both give a 1 x 4 x 4 pool5 on 16 frames.
        name: the model's name.

    Returns:
        A `keras.Model`.

    Example:

    >>> import numpy as np
    >>> model = C3D()
    >>> model.predict(np.zeros((1, 16, 112, 112, 3)), verbose=0).shape
    (1, 400)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    if first_pool_temporal_stride not in (1, 2):
        raise ValueError(
            "`first_pool_temporal_stride` must be 2 (the paper) or 1 "
            f"(original C3D). Received: {first_pool_temporal_stride!r}"
        )
    inputs, x = _builder.video_input(
        input_tensor,
        input_shape,
        RGB_CHANNELS,
        default_shape=C3D_INPUT_SHAPE,
        name="rgb_clip",
    )
    if include_top and None in tuple(x.shape[1:4]):
        raise ValueError(
            "C3D's fully connected layers need a fixed clip size: give "
            "frames, height and width in `input_shape`, or use "
            f"`include_top=False`. Received: input shape {tuple(x.shape[1:])}"
        )
    for stage, filters in C3D_BODY:
        for conv, units in zip("ab", filters):
            x = Unit3D(units, (3, 3, 3), name=f"conv{stage}{conv}")(x)
        pool = (first_pool_temporal_stride, 2, 2) if stage == 1 else (2, 2, 2)
        x = keras.layers.MaxPooling3D(pool, strides=pool, padding="same", name=f"pool{stage}")(x)
    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        for fc in ("fc6", "fc7"):
            x = keras.layers.Dense(FC_UNITS, use_bias=False, name=fc)(x)
            x = keras.layers.BatchNormalization(
                momentum=0.999,
                epsilon=1e-3,
                scale=False,
                name=f"{fc}_batch_norm",
            )(x)
            x = keras.layers.ReLU(name=f"{fc}_relu")(x)
            x = keras.layers.Dropout(dropout_rate, name=f"{fc}_dropout")(x)
        x = keras.layers.Dense(classes, dtype="float32", name="Logits")(x)
        x = _builder.classifier_output(x, classifier_activation)
    else:
        x = _builder.global_pooling(x, pooling)
    model = _builder.finish_model(inputs, input_tensor, x, name)
    if weights is not None:
        # Weights files hold the full C3D; fc6 fixes the clip size, so the
        # reference takes this model's size when it is known.
        clip_shape = tuple(model.inputs[0].shape[1:])
        if None in clip_shape:
            clip_shape = C3D_INPUT_SHAPE
        load_weights_file(
            model,
            weights,
            build_reference=lambda file_classes: C3D(
                include_top=True,
                weights=None,
                input_shape=clip_shape,
                classes=file_classes,
                first_pool_temporal_stride=first_pool_temporal_stride,
                name=f"{name}_reference",
            ),
            architecture="C3D",
            classes=classes,
        )
    return model
