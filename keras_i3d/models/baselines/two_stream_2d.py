"""Two-Stream 2D: RGB and flow Inception-v1, late fusion (Quo Vadis, 2.3).

```
rgb frames  (B, T, 224, 224, 3)     flow stacks (B, T, 224, 224, 20)
  rgb_inception_v1_frames             flow_inception_v1_frames
  (Inception-v1 on each frame)        (Inception-v1 on each 10-frame stack)
  rgb_scores (B, T, classes)          flow_scores (B, T, classes)
                 stream_average: mean of the two streams
                 predictions: mean over the T sampled snapshots
```

T = 1 in training (one frame and the 10 flow frames that start there);
at test time T snapshots sampled across the video are averaged.
"""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_STACK_FRAMES
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.models import _builder
from keras_i3d.models.baselines._frames import flow_stack_channels
from keras_i3d.models.baselines._frames import frame_stream


def TwoStream2D(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=400,
    classifier_activation="softmax",
    flow_stack=FLOW_STACK_FRAMES,
    dropout_rate=0.2,
    name="two_stream_2d",
):
    """Instantiates the Two-Stream 2D baseline of Quo Vadis (Sec. 2.3).

    Simonyan & Zisserman's two-stream network with Inception-v1 (batch
    norm): an RGB network sees one frame, a flow network a stack of 10
    consecutive TV-L1 flow frames (20 channels, x/y interleaved; see
    `stack_flow_frames`), and their class scores are averaged. The paper
    trains the whole model end to end, averaging included.

    The inputs carry a snapshot axis: `[rgb (B, T, H, W, 3), flow
    (B, T, H, W, 2 * flow_stack)]`. Each snapshot goes through both
    streams, and the scores are averaged over the streams and then over
    the T snapshots: T = 1 to train, T = 25 (say) snapshots sampled across
    a video to test, as the paper does.

    Parameters: 12,087,680 with 400 classes (paper, Table 1: 12M): RGB
    Inception-v1 6,017,184 (body 5,607,184 + classifier 410,000) and flow
    Inception-v1 6,070,496 (its first conv takes 20 channels instead of 3:
    +53,312).

    Args:
        include_top: whether to include the two classifiers and the fusion.
            Without them the model returns both streams' pooled 1024-d
            features concatenated, `(B, T, 2048)`.
        weights: None (random initialisation) or the path of an ImageNet
            Inception-v1 `.weights.h5` file for both streams; the flow
            stream's first layer averages the RGB filters and replicates
            them over its channels, and both heads are initialised afresh
            unless `classes` equals the file's.
        input_tensor: optional pair `(rgb_tensor, flow_tensor)` of Keras
            tensors to use as the model's inputs.
        input_shape: optional `(snapshots, height, width, 3)` of the RGB
            input (the flow input has the same first three sizes); the
            snapshot count may be None. Defaults to `(None, 224, 224, 3)`.
        pooling: with `include_top=False`: None (per-snapshot features),
            `"avg"` or `"max"` over the snapshots.
        classes: number of classes.
        classifier_activation: applied to each stream's logits before the
            averages (float32); None averages logits.
        flow_stack: flow frames per stack (paper: 10).
        dropout_rate: dropout before each classifier (Inception-v1: 0.2).
        name: the model's name.

    Returns:
        A `keras.Model` with inputs `[rgb_frames, flow_stacks]`.

    Example:

    >>> import numpy as np
    >>> model = TwoStream2D(input_shape=(1, 224, 224, 3))
    >>> rgb = np.zeros((1, 1, 224, 224, 3)); flow = np.zeros((1, 1, 224, 224, 20))
    >>> model.predict([rgb, flow], verbose=0).shape
    (1, 400)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    flow_channels = flow_stack_channels(flow_stack)
    inputs, rgb, flow = _builder.two_stream_video_inputs(
        input_tensor,
        input_shape,
        default_shape=(None, CROP_SIZE, CROP_SIZE, RGB_CHANNELS),
        flow_channels=flow_channels,
        names=("rgb_frames", "flow_stacks"),
    )
    stream_kwargs = dict(include_top=include_top, classes=classes)
    if include_top:
        stream_kwargs.update(
            classifier_activation=classifier_activation,
            dropout_rate=dropout_rate,
        )
    else:
        stream_kwargs.update(pooling="avg")
    rgb = frame_stream(rgb, weights, RGB_CHANNELS, "rgb_inception_v1", **stream_kwargs)
    flow = frame_stream(
        flow,
        weights,
        flow_channels,
        "flow_inception_v1",
        **stream_kwargs,
    )
    if include_top:
        x = keras.layers.Average(dtype="float32", name="stream_average")([rgb, flow])
        x = keras.layers.GlobalAveragePooling1D(dtype="float32", name="predictions")(x)
    else:
        x = keras.layers.Concatenate(name="stream_features")([rgb, flow])
        if pooling == "avg":
            x = keras.layers.GlobalAveragePooling1D(name="avg_pool")(x)
        elif pooling == "max":
            x = keras.layers.GlobalMaxPooling1D(name="max_pool")(x)
    return _builder.finish_model(inputs, input_tensor, x, name)
