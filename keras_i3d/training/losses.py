"""Classification loss on integer labels, with optional label smoothing."""

import keras
from keras import ops

from keras_i3d.layers._serialization import register


@register
class SparseCategoricalCrossentropy(keras.losses.Loss):
    """Softmax cross-entropy on integer labels, with label smoothing.

    Keras' own `SparseCategoricalCrossentropy` has no `label_smoothing`;
    this loss one-hot encodes the labels and calls
    `keras.losses.categorical_crossentropy`, so the datasets can keep
    integer labels.

    Args:
        label_smoothing: in `[0, 1)`; the target puts
            `1 - label_smoothing + label_smoothing / classes` on the true
            class and `label_smoothing / classes` on every other class.
        from_logits: whether predictions are logits (the training models'
            default) or probabilities.
        **kwargs: standard `keras.losses.Loss` arguments.

    Example:

    >>> loss = SparseCategoricalCrossentropy(label_smoothing=0.1)
    >>> float(loss([0], [[10.0, 0.0]])) > float(
    ...     SparseCategoricalCrossentropy()([0], [[10.0, 0.0]]))
    True
    """

    def __init__(
        self,
        label_smoothing=0.0,
        from_logits=True,
        name="sparse_categorical_crossentropy",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if not 0.0 <= float(label_smoothing) < 1.0:
            raise ValueError(
                "`label_smoothing` must be in [0, 1). "
                f"Received: label_smoothing={label_smoothing!r}"
            )
        self.label_smoothing = float(label_smoothing)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        classes = ops.shape(y_pred)[-1]
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        targets = ops.one_hot(labels, classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            targets,
            y_pred,
            from_logits=self.from_logits,
            label_smoothing=self.label_smoothing,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "label_smoothing": self.label_smoothing,
                "from_logits": self.from_logits,
            }
        )
        return config
