"""3D-Fused Two-Stream: 2D streams fused by a 3D conv (Quo Vadis, Sec. 2.3).

```
rgb frames  (B, 5, 224, 224, 3)       flow stacks (B, 5, 224, 224, 20)
  rgb_inception_v1_frames               flow_inception_v1_frames
  Mixed_5c of each frame (B, 5, 7, 7, 1024) for each stream
                  stream_concat          -> (B, 5, 7, 7, 2048)
                  fusion_Conv3d_3x3x3    3x3x3, 512, batch norm, ReLU
                  fusion_MaxPool3d_3x3x3 3x3x3, stride 2 -> (B, 3, 4, 4, 512)
                  fusion_AvgPool, dropout, logits (fully connected)
```
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_STACK_FRAMES
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.layers.unit3d import Unit3D
from keras_i3d.models import _builder
from keras_i3d.models.baselines._frames import flow_stack_channels
from keras_i3d.models.baselines._frames import frame_stream

FUSED_SNAPSHOTS = 5  # RGB frames 10 frames apart, each with its flow stack.
FUSION_FILTERS = 512


def FusedTwoStream3D(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=400,
    classifier_activation="softmax",
    flow_stack=FLOW_STACK_FRAMES,
    dropout_rate=0.5,
    name="fused_two_stream_3d",
):
    """Instantiates the 3D-Fused Two-Stream baseline of Quo Vadis (Sec. 2.3).

    After Feichtenhofer et al.'s convolutional two-stream fusion: 5 RGB
    frames sampled 10 frames apart and the 5 corresponding 10-frame flow
    stacks go through the two ImageNet Inception-v1 streams; their last
    feature maps before the average pool (5 x 7 x 7 per stream) are
    concatenated and fused by a 3 x 3 x 3 3D conv with 512 outputs (batch
    norm, ReLU), a 3 x 3 x 3 3D max pool and a fully connected classifier.
    Trained end to end.

    Parameters: 39,785,968 with 400 classes (paper, Table 1: 39M): RGB body
    5,607,184, flow body 5,660,496 (20-channel first conv), fusion conv
    28,311,552 and its batch norm 1,536, classifier 205,200. The paper does
    not say what the fully connected layer sees; a layer on the flattened
    3 x 4 x 4 x 512 pool output would add 9.6M parameters (49M in all), so
    the pool output is averaged to 512 values first, which matches the
    paper's total.

    Args:
        include_top: whether to include the average pool and classifier.
            Without them the model ends after the fusion max pool.
        weights: None (random initialisation) or the path of an ImageNet
            Inception-v1 `.weights.h5` file for both streams (the flow
            stream's first layer averages the RGB filters over channels);
            the fusion layers start random, as in the paper.
        input_tensor: optional pair `(rgb_tensor, flow_tensor)` of Keras
            tensors to use as the model's inputs.
        input_shape: optional `(snapshots, height, width, 3)` of the RGB
            input; the flow input has the same first three sizes. Defaults
            to `(5, 224, 224, 3)`.
        pooling: with `include_top=False`: None (the fused 5D maps),
            `"avg"` or `"max"`.
        classes: number of classes.
        classifier_activation: activation of the classifier (float32);
            None returns logits.
        flow_stack: flow frames per stack (paper: 10).
        dropout_rate: dropout before the classifier.
        name: the model's name.

    Returns:
        A `keras.Model` with inputs `[rgb_frames, flow_stacks]`.

    Example:

    >>> import numpy as np
    >>> model = FusedTwoStream3D()
    >>> rgb = np.zeros((1, 5, 224, 224, 3)); flow = np.zeros((1, 5, 224, 224, 20))
    >>> model.predict([rgb, flow], verbose=0).shape
    (1, 400)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    flow_channels = flow_stack_channels(flow_stack)
    inputs, rgb, flow = _builder.two_stream_video_inputs(
        input_tensor,
        input_shape,
        default_shape=(FUSED_SNAPSHOTS, CROP_SIZE, CROP_SIZE, RGB_CHANNELS),
        flow_channels=flow_channels,
        names=("rgb_frames", "flow_stacks"),
    )
    rgb = frame_stream(rgb, weights, RGB_CHANNELS, "rgb_inception_v1", include_top=False)
    flow = frame_stream(
        flow,
        weights,
        flow_channels,
        "flow_inception_v1",
        include_top=False,
    )
    x = keras.layers.Concatenate(name="stream_concat")([rgb, flow])
    x = Unit3D(FUSION_FILTERS, (3, 3, 3), name="fusion_Conv3d_3x3x3")(x)
    x = keras.layers.MaxPooling3D(
        (3, 3, 3),
        strides=(2, 2, 2),
        padding="same",
        name="fusion_MaxPool3d_3x3x3",
    )(x)
    if include_top:
        x = keras.layers.GlobalAveragePooling3D(name="fusion_AvgPool")(x)
        x = keras.layers.Dropout(dropout_rate, name="fusion_Dropout")(x)
        x = keras.layers.Dense(classes, dtype="float32", name="Logits")(x)
        x = _builder.classifier_output(x, classifier_activation)
    else:
        x = _builder.global_pooling(x, pooling)
    return _builder.finish_model(inputs, input_tensor, x, name)
