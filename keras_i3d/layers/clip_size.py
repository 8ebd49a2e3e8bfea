"""`MinimumClipSize`: a clear error for clips too small for the network.

`ClipSizeModel` is the functional model of networks that hold it: its
`predict` checks the clips in Python first, so a too-small clip gives a
short `ValueError` even when the traced graph has lost the clip's sizes.
"""

import keras

from keras_i3d.layers._serialization import register


@register
class MinimumClipSize(keras.layers.Layer):
    """Passes a clip through unchanged, after checking its size.

    I3D's head averages `Mixed_5c` over a (2, 7, 7) VALID window, so the
    logits need at least 9 frames and 193 x 193 pixels. A smaller clip
    would fail deep inside TensorFlow with a shape error; this layer fails
    first, with a message that says what the clip needs. Sizes known when
    the graph is traced (always under JAX, and for the first batch under
    TensorFlow) raise `ValueError`; sizes only known at run time are checked
    with a TensorFlow assertion that carries the same message (and
    `ClipSizeModel.predict` checks the clips in Python before that).

    Args:
        min_frames: the smallest number of frames accepted.
        min_pixels: the smallest height and width accepted.
        **kwargs: standard layer arguments.
    """

    def __init__(self, min_frames, min_pixels, **kwargs):
        super().__init__(**kwargs)
        self.min_frames = int(min_frames)
        self.min_pixels = int(min_pixels)

    def message(self, shape):
        return (
            f"I3D needs clips of at least {self.min_frames} frames and "
            f"{self.min_pixels}x{self.min_pixels} pixels to reach the "
            f"logits (its head pools a (2, 7, 7) window of Mixed_5c). "
            f"Received: a clip of shape {shape} (batch, frames, height, "
            "width, channels). Use more frames or larger crops, or "
            "`include_top=False` for features of small clips."
        )

    def check_static_shape(self, shape):
        """Raises ValueError if a known size of `shape` is too small."""
        shape = tuple(shape)
        minimums = (self.min_frames, self.min_pixels, self.min_pixels)
        if any(s is not None and s < m for s, m in zip(shape[1:4], minimums)):
            raise ValueError(self.message(shape))

    def call(self, inputs):
        self.check_static_shape(inputs.shape)
        sizes = tuple(inputs.shape)[1:4]
        if keras.backend.backend() == "tensorflow" and None in sizes:
            import tensorflow as tf

            dynamic = tf.shape(inputs)
            ok = tf.logical_and(
                dynamic[1] >= self.min_frames,
                tf.reduce_min(dynamic[2:4]) >= self.min_pixels,
            )
            with tf.control_dependencies(
                [tf.debugging.Assert(ok, [self.message("(see below)"), dynamic])]
            ):
                return tf.identity(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        self.check_static_shape(input_shape)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"min_frames": self.min_frames, "min_pixels": self.min_pixels})
        return config


def clip_size_layers(model):
    """The `MinimumClipSize` layers of `model` and of its nested models."""
    found = []
    for layer in model.layers:
        if isinstance(layer, MinimumClipSize):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(clip_size_layers(layer))
    return found


@register
class ClipSizeModel(keras.Model):
    """A functional model whose `predict` checks its clips' sizes first.

    Keras traces `predict` again with unknown sizes once it has seen clips
    of several lengths; `MinimumClipSize` can then only fail inside the
    graph, with a long `InvalidArgumentError`. This model checks every 5D
    input against each `MinimumClipSize` it holds, in Python, and raises a
    short `ValueError` instead. Built like `keras.Model(inputs, outputs)`.
    """

    def predict(self, x, *args, **kwargs):
        arrays = x if isinstance(x, (list, tuple)) else [x]
        if isinstance(x, dict):
            arrays = list(x.values())
        shapes = [tuple(array.shape) for array in arrays if len(getattr(array, "shape", ())) == 5]
        for layer in clip_size_layers(self):
            for shape in shapes:
                layer.check_static_shape(shape)
        return super().predict(x, *args, **kwargs)
