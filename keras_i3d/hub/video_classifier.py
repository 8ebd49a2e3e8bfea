"""A keras-hub video classification task, and its I3D instance.

keras-hub has no video task yet (keras-hub issue 1764); `VideoClassifier` is
modelled on its `ImageClassifier`: backbone -> `pooler` -> `output_dropout`
-> `Dense(name="predictions")`, with an optional preprocessor. Its I3D
subclass adds the pooling of I3D's own head, so that its logits are those
of `keras_i3d.I3D` on clips of any length:

```
uint8 frames (B, T, 224, 224, 3)
  I3DVideoClassifierPreprocessor -> I3DVideoConverter: keras_i3d.preprocess_input
  I3DBackbone                    -> (B, T/8, 7, 7, 1024) at Mixed_5c
  pooler "i3d"                   -> AvgPool3D (2, 7, 7) VALID, then the mean
  output_dropout, predictions    -> (B, classes)
```

I3D's head runs a 1x1x1 conv on every (2, 7, 7)-pooled position and averages
the results; the conv is linear, so averaging first and applying the same
kernel as a `Dense` gives the same logits (to float32 rounding). A global
average pool ("avg") weighs the first and last time steps of clips longer
than 16 frames differently.
"""

import keras
import keras_hub
from keras_hub.src.utils.tensor_utils import preprocessing_function

from keras_i3d.hub.backbone import I3DBackbone
from keras_i3d.hub.backbone import copy_reference_weights
from keras_i3d.hub.backbone import pretrained_reference
from keras_i3d.layers._serialization import register
from keras_i3d.models.i3d import LOGITS_CONV
from keras_i3d.models.i3d import LOGITS_POOL_SIZE
from keras_i3d.preprocessing import preprocess_input


@register
class VideoClassifierPreprocessor(keras_hub.models.Preprocessor):
    """Base class of the video classifiers' preprocessors.

    Like keras-hub's `ImageClassifierPreprocessor`: applies its
    `video_converter` to `x` and passes `y` and `sample_weight` through.

    Args:
        video_converter: a `keras_hub.layers.VideoConverter`, or None to
            pass `x` through.
        **kwargs: as for `keras_hub.models.Preprocessor`.
    """

    def __init__(self, video_converter=None, **kwargs):
        super().__init__(**kwargs)
        self.video_converter = video_converter

    @preprocessing_function
    def call(self, x, y=None, sample_weight=None):
        if self.video_converter:
            x = self.video_converter(x)
        return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)


@register
class VideoClassifier(keras_hub.models.Task):
    """Base class of video classification tasks (keras-hub style).

    Wraps a backbone with 5D outputs `(batch, time, height, width,
    channels)`: `pooler`, `output_dropout` and a `Dense` named
    `predictions`. `VideoClassifier.from_preset(preset)` returns the
    subclass whose `backbone_cls` is the preset's backbone (for keras-i3d
    presets, `I3DVideoClassifier`); with `num_classes=` it builds a new head
    for fine-tuning instead of loading the preset's.

    Args:
        backbone: a `keras_hub.models.Backbone` (or `keras.Model`) with 5D
            outputs.
        num_classes: the number of classes to predict.
        preprocessor: None, or a preprocessor applied by `fit`, `predict`
            and `evaluate`.
        pooling: `"avg"` (`GlobalAveragePooling3D`) or `"max"`
            (`GlobalMaxPooling3D`); subclasses may add their own.
        activation: None (logits, the default), or the activation of the
            `predictions` layer (e.g. `"softmax"`).
        dropout: the dropout rate before `predictions`.
        head_dtype: the dtype policy of the head; defaults to the backbone's.
        **kwargs: as for `keras_hub.models.Task` (`name`, `compile`).

    Raises:
        ValueError: an unknown `pooling`.

    Example:

    ```python
    classifier = keras_i3d.hub.VideoClassifier.from_preset("./i3d_preset")
    logits = classifier.predict(uint8_clips)  # (batch, frames, 224, 224, 3)
    ```
    """

    # The `pooling` values `make_pooler` knows.
    POOLINGS = ("avg", "max")

    def __init__(
        self,
        backbone,
        num_classes,
        preprocessor=None,
        pooling="avg",
        activation=None,
        dropout=0.0,
        head_dtype=None,
        **kwargs,
    ):
        head_dtype = head_dtype or backbone.dtype_policy

        # === Layers ===
        self.backbone = backbone
        self.preprocessor = preprocessor
        self.pooler = self.make_pooler(pooling, head_dtype)
        self.output_dropout = keras.layers.Dropout(dropout, dtype=head_dtype, name="output_dropout")
        self.output_dense = keras.layers.Dense(
            num_classes, activation=activation, dtype=head_dtype, name="predictions"
        )

        # === Functional Model ===
        inputs = self.backbone.input
        x = self.backbone(inputs)
        x = self.pooler(x)
        x = self.output_dropout(x)
        outputs = self.output_dense(x)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.activation = activation
        self.pooling = pooling
        self.dropout = dropout

    def make_pooler(self, pooling, dtype):
        """The layer named `pooler` that turns 5D features into vectors."""
        if pooling == "avg":
            return keras.layers.GlobalAveragePooling3D(dtype=dtype, name="pooler")
        if pooling == "max":
            return keras.layers.GlobalMaxPooling3D(dtype=dtype, name="pooler")
        raise ValueError(
            f"Unknown `pooling` of {type(self).__name__}: expected one of "
            f"{self.POOLINGS}. Received: pooling={pooling!r}"
        )

    def get_config(self):
        # The backbone and preprocessor are serialized by `Task`.
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "pooling": self.pooling,
                "activation": self.activation,
                "dropout": self.dropout,
            }
        )
        return config

    def compile(self, optimizer="auto", loss="auto", *, metrics="auto", **kwargs):
        """Configures the task for training, with `ImageClassifier`'s defaults.

        Args:
            optimizer: `"auto"` (Adam, learning rate 5e-5) or any optimizer
                `keras.Model.compile` accepts.
            loss: `"auto"` (sparse categorical cross-entropy, from logits
                unless `activation="softmax"`) or any loss.
            metrics: `"auto"` (sparse categorical accuracy) or a list.
            **kwargs: as for `keras.Model.compile`.
        """
        if optimizer == "auto":
            optimizer = keras.optimizers.Adam(5e-5)
        if loss == "auto":
            activation = keras.activations.get(getattr(self, "activation", None))
            from_logits = activation != keras.activations.softmax
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits)
        if metrics == "auto":
            metrics = [keras.metrics.SparseCategoricalAccuracy()]
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)


@register
class I3DVideoConverter(keras_hub.layers.VideoConverter):
    """Scales frames for I3D with `keras_i3d.preprocess_input`.

    RGB values in `[0, 255]` (uint8 or float) to `[-1, 1]`, or flow in
    pixels clipped to 20 and divided by 20. It does not resize: give it
    clips already resized and cropped (224 x 224 for the Kinetics
    checkpoints), e.g. with `keras_i3d.video.read_video(..., short_side=256)`
    and a centre crop.

    Args:
        stream: `"rgb"` or `"flow"`.
        **kwargs: as for `keras.layers.Layer`. keras-hub's `image_size`,
            `scale` and `offset` must be None: the scaling is the package's.

    Raises:
        ValueError: `image_size`, `scale` or `offset` is given.
    """

    backbone_cls = I3DBackbone

    def __init__(self, stream="rgb", image_size=None, scale=None, offset=None, **kwargs):
        given = {"image_size": image_size, "scale": scale, "offset": offset}
        given = {key: value for key, value in given.items() if value is not None}
        if given:
            raise ValueError(
                "I3DVideoConverter scales with keras_i3d.preprocess_input and "
                "does not resize; resize and crop the frames before it. "
                f"Received: {', '.join(f'{k}={v!r}' for k, v in given.items())}"
            )
        super().__init__(**kwargs)
        self.stream = stream

    @preprocessing_function
    def call(self, inputs):
        return preprocess_input(inputs, stream=self.stream)

    def get_config(self):
        config = super().get_config()
        config.update({"stream": self.stream})
        return config


@register
class I3DVideoClassifierPreprocessor(VideoClassifierPreprocessor):
    """The `VideoClassifierPreprocessor` of I3D: an `I3DVideoConverter`."""

    backbone_cls = I3DBackbone
    video_converter_cls = I3DVideoConverter


@register
class I3DVideoClassifier(VideoClassifier):
    """`VideoClassifier` on an `I3DBackbone`, pooled as I3D's head is.

    Args:
        backbone: an `I3DBackbone`.
        num_classes: the number of classes to predict.
        preprocessor: None or an `I3DVideoClassifierPreprocessor`.
        pooling: `"i3d"` (the default: `AveragePooling3D((2, 7, 7))` with
            stride 1 and VALID padding, then the mean of the pooled
            positions, as in I3D's head; needs clips of at least 9 frames
            and 193 pixels), `"avg"` or `"max"`.
        **kwargs: as for `VideoClassifier`.

    Example:

    ```python
    classifier = keras_i3d.hub.i3d_video_classifier(weights="kinetics400")
    logits = classifier.predict(uint8_clip)  # same top classes as keras_i3d.I3D
    ```
    """

    backbone_cls = I3DBackbone
    preprocessor_cls = I3DVideoClassifierPreprocessor
    POOLINGS = ("i3d", "avg", "max")

    def __init__(self, backbone, num_classes, preprocessor=None, pooling="i3d", **kwargs):
        super().__init__(
            backbone, num_classes, preprocessor=preprocessor, pooling=pooling, **kwargs
        )

    def make_pooler(self, pooling, dtype):
        if pooling != "i3d":
            return super().make_pooler(pooling, dtype)
        return keras.Sequential(
            [
                keras.layers.AveragePooling3D(
                    LOGITS_POOL_SIZE, strides=1, padding="valid", dtype=dtype, name="avg_pool"
                ),
                keras.layers.GlobalAveragePooling3D(dtype=dtype, name="mean"),
            ],
            name="pooler",
        )


def i3d_video_classifier(weights="kinetics400", stream="rgb", **kwargs):
    """An `I3DVideoClassifier` with keras-i3d's weights, backbone and head.

    The weights are resolved and checked by keras-i3d's loader; the head's
    1x1x1 conv (`Logits_Conv3d_0c_1x1`) becomes the `predictions` kernel, so
    the logits equal those of `keras_i3d.I3D(weights=weights,
    classifier_activation=None)` to float32 rounding.

    Args:
        weights: anything `keras_i3d.I3D` accepts as `weights=`.
        stream: `"rgb"` or `"flow"`.
        **kwargs: passed to `I3DVideoClassifier` (`activation`, `dropout`,
            `name`, ...).

    Returns:
        An `I3DVideoClassifier` with an `I3DVideoClassifierPreprocessor`.

    Example:

    ```python
    classifier = keras_i3d.hub.i3d_video_classifier(weights="kinetics400")
    classifier.save_to_preset("./i3d_rgb_kinetics400")
    ```
    """
    reference = pretrained_reference(weights, stream)
    return video_classifier_from_model(reference, stream, f"weights={weights!r}", **kwargs)


def video_classifier_from_model(model, stream, description, **kwargs):
    """An `I3DVideoClassifier` holding the weights of a `keras_i3d.I3D`.

    Args:
        model: an I3D of `stream` with its Logits head (any class count).
        stream: `"rgb"` or `"flow"`.
        description: what `model` holds, for error messages.
        **kwargs: passed to `I3DVideoClassifier`.

    Returns:
        An `I3DVideoClassifier` with an `I3DVideoClassifierPreprocessor`.
    """
    backbone = I3DBackbone(stream=stream)
    copy_reference_weights(model, backbone, description)
    kernel, bias = model.get_layer(LOGITS_CONV).get_weights()
    classifier = I3DVideoClassifier(
        backbone,
        num_classes=bias.shape[0],
        preprocessor=I3DVideoClassifierPreprocessor(I3DVideoConverter(stream=stream)),
        **kwargs,
    )
    classifier.output_dense.set_weights([kernel.reshape(kernel.shape[-2:]), bias])
    return classifier
