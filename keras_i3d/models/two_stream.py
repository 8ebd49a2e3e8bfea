"""`TwoStreamI3D`: an RGB I3D and a flow I3D with late fusion of logits."""

import keras

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.models import _builder
from keras_i3d.models.i3d import I3D
from keras_i3d.weights import records


def TwoStreamI3D(
    weights="kinetics400",
    rgb_weights=None,
    flow_weights=None,
    frames=None,
    height=CROP_SIZE,
    width=CROP_SIZE,
    classes=400,
    classifier_activation="softmax",
    dropout_rate=0.5,
    name="two_stream_i3d",
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

    Args:
        weights: the weights for both streams (an alias such as
            `"kinetics400"`, resolved per stream), or None.
        rgb_weights: overrides `weights` for the RGB stream.
        flow_weights: overrides `weights` for the flow stream.
        frames: number of frames of both inputs, or None (any).
        height: height of both inputs, or None.
        width: width of both inputs, or None.
        classes: number of classes.
        classifier_activation: applied to the summed logits; None returns
            the summed logits as `"predictions"`.
        dropout_rate: dropout before each stream's classifier.
        name: the model's name.

    Returns:
        A `keras.Model` with inputs `[rgb_clip, flow_clip]`.

    Example:

    >>> import numpy as np
    >>> model = TwoStreamI3D(weights=None, frames=16)
    >>> rgb = np.zeros((1, 16, 224, 224, 3)); flow = np.zeros((1, 16, 224, 224, 2))
    >>> model.predict([rgb, flow], verbose=0)["predictions"].shape
    (1, 400)
    """
    rgb_weights = weights if rgb_weights is None else rgb_weights
    flow_weights = weights if flow_weights is None else flow_weights
    # Fail on an alias that has no weights for one stream before building
    # (and loading) the other.
    for stream, stream_weights in (("rgb", rgb_weights),
                                   ("flow", flow_weights)):
        if isinstance(stream_weights, str):
            records.resolve_alias(stream_weights, stream)
    streams = {}
    for stream, channels, stream_weights in (
        ("rgb", RGB_CHANNELS, rgb_weights),
        ("flow", FLOW_CHANNELS, flow_weights),
    ):
        streams[stream] = I3D(
            stream=stream,
            weights=stream_weights,
            input_shape=(frames, height, width, channels),
            classes=classes,
            classifier_activation=None,
            dropout_rate=dropout_rate,
            name=f"i3d_{stream}",
        )
    rgb_input = keras.Input((frames, height, width, RGB_CHANNELS),
                            name="rgb_clip")
    flow_input = keras.Input((frames, height, width, FLOW_CHANNELS),
                             name="flow_clip")
    rgb_logits = streams["rgb"](rgb_input)
    flow_logits = streams["flow"](flow_input)
    joint_logits = keras.layers.Add(dtype="float32", name="joint_logits")(
        [rgb_logits, flow_logits]
    )
    predictions = _builder.classifier_output(
        joint_logits, classifier_activation
    )
    outputs = {
        "predictions": predictions,
        "rgb_logits": keras.layers.Identity(name="rgb_logits")(rgb_logits),
        "flow_logits": keras.layers.Identity(name="flow_logits")(flow_logits),
    }
    return keras.Model([rgb_input, flow_input], outputs, name=name)
