"""`TwoStreamI3D`: an RGB I3D and a flow I3D with late fusion of logits."""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.layers import ClipSizeModel
from keras_i3d.models import _builder
from keras_i3d.models.i3d import I3D
from keras_i3d.weights import records


class _SameAsWeights:
    """The default of `rgb_weights` and `flow_weights`: use `weights`."""

    def __repr__(self):
        return "SAME_AS_WEIGHTS"


# `rgb_weights=SAME_AS_WEIGHTS` (the default) takes `weights`; None means
# random initialisation for that stream.
SAME_AS_WEIGHTS = _SameAsWeights()


def TwoStreamI3D(
    weights="kinetics400",
    rgb_weights=SAME_AS_WEIGHTS,
    flow_weights=SAME_AS_WEIGHTS,
    clip_length=None,
    height=CROP_SIZE,
    width=CROP_SIZE,
    classes=400,
    classifier_activation="softmax",
    dropout_rate=0.5,
    name="two_stream_i3d",
    include_top=True,
    input_tensor=None,
    input_shape=None,
    pooling=None,
):
    """Instantiates two-stream I3D: joint scores = softmax(rgb + flow logits).

    This is DeepMind's test-time fusion: each stream is trained alone with
    its own softmax loss, and the two streams' logits are added with equal
    weights. The model takes `[rgb_clips, flow_clips]` (the same frames,
    crop and flip for both) and returns a dict with the joint scores and
    each stream's logits:

    ```
    {"predictions": (B, classes), "rgb_logits": ..., "flow_logits": ...}
    ```

    With `include_top=False` it returns each stream's features instead,
    `{"rgb_features": ..., "flow_features": ...}` (`Mixed_5c` maps, or
    vectors with `pooling`).

    Args:
        weights: the weights for both streams (an alias such as
            `"kinetics400"`, resolved per stream), or None.
        rgb_weights: the RGB stream's weights, if not `weights`; None
            initialises the stream randomly.
        flow_weights: the flow stream's weights, if not `weights`; None
            initialises the stream randomly (pretrained RGB and a new flow
            stream is the usual start of fine-tuning).
        clip_length: number of frames of both inputs, or None (any); a
            shorthand for `input_shape`.
        height: height of both inputs, or None.
        width: width of both inputs, or None.
        classes: number of classes.
        classifier_activation: applied to the summed logits; None returns
            the summed logits as `"predictions"`.
        dropout_rate: dropout before each stream's classifier.
        name: the model's name.
        include_top: whether to include the streams' Logits heads and the
            fusion.
        input_tensor: optional pair `(rgb_tensor, flow_tensor)` of Keras
            tensors to use as the model's inputs.
        input_shape: optional `(frames, height, width, 3)` of the RGB
            input; the flow input has the same frames, height and width and
            2 channels. Replaces `clip_length`, `height` and `width`.
        pooling: with `include_top=False`: None (5D feature maps), `"avg"`
            or `"max"` (one feature vector per clip and stream).

    Returns:
        A `keras.Model` with inputs `[rgb_clip, flow_clip]`.

    Example:

    >>> import numpy as np
    >>> model = TwoStreamI3D(weights=None, input_shape=(16, 224, 224, 3))
    >>> rgb = np.zeros((1, 16, 224, 224, 3)); flow = np.zeros((1, 16, 224, 224, 2))
    >>> model.predict([rgb, flow], verbose=0)["predictions"].shape
    (1, 400)
    """
    _builder.check_builder_args(include_top, pooling, classes)
    if input_shape is not None and (clip_length, height, width) != (None, CROP_SIZE, CROP_SIZE):
        raise ValueError(
            "Give the input size either as `input_shape` or as "
            "`clip_length`, `height` and `width`. Received: "
            f"input_shape={input_shape}, clip_length={clip_length}, "
            f"height={height}, width={width}"
        )
    if input_shape is None and input_tensor is None:
        input_shape = (clip_length, height, width, RGB_CHANNELS)
    stream_weights = {
        "rgb": weights if rgb_weights is SAME_AS_WEIGHTS else rgb_weights,
        "flow": weights if flow_weights is SAME_AS_WEIGHTS else flow_weights,
    }
    # Fail on an alias that has no weights for one stream before building
    # (and loading) the other.
    for stream, chosen in stream_weights.items():
        if isinstance(chosen, str):
            records.resolve_alias(chosen, stream)
    inputs, rgb, flow = _builder.two_stream_video_inputs(
        input_tensor,
        input_shape,
        default_shape=(None, CROP_SIZE, CROP_SIZE, RGB_CHANNELS),
        flow_channels=FLOW_CHANNELS,
        names=("rgb_clip", "flow_clip"),
    )
    outputs = {}
    for stream, x in (("rgb", rgb), ("flow", flow)):
        stream_model = I3D(
            stream=stream,
            include_top=include_top,
            weights=stream_weights[stream],
            input_shape=tuple(x.shape[1:]),
            pooling=pooling,
            classes=classes,
            classifier_activation=None,
            dropout_rate=dropout_rate,
            name=f"i3d_{stream}",
        )
        output_name = f"{stream}_logits" if include_top else (f"{stream}_features")
        outputs[output_name] = keras.layers.Identity(name=output_name)(stream_model(x))
    if include_top:
        joint_logits = keras.layers.Add(dtype="float32", name="joint_logits")(
            [outputs["rgb_logits"], outputs["flow_logits"]]
        )
        outputs = {
            "predictions": _builder.classifier_output(joint_logits, classifier_activation),
            **outputs,
        }
    return _builder.finish_model(
        inputs,
        input_tensor,
        outputs,
        name,
        model_class=ClipSizeModel if include_top else keras.Model,
    )
