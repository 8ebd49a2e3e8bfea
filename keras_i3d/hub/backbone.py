"""I3DBackbone: I3D up to `Mixed_5c` as a keras-hub `Backbone`."""

import contextlib

import keras
import keras_hub

from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.layers._serialization import register
from keras_i3d.models.i3d import I3D
from keras_i3d.weights.loading import copy_weights_by_layer_name
from keras_i3d.weights.resolving import resolve_weights


@register
class I3DBackbone(keras_hub.models.Backbone):
    """One I3D stream without its head, as a keras-hub `Backbone`.

    A functional model: the layers of `keras_i3d.I3D(include_top=False)`,
    named with DeepMind's endpoint names, from the clip to `final_endpoint`
    (5D feature maps, `(batch, frames / 8, 7, 7, 1024)` at `Mixed_5c` for
    224-pixel clips). Its config holds only these constructor arguments, so
    `from_config(get_config())` rebuilds it, and
    `keras_hub.models.Backbone.from_preset` finds it as
    `keras_i3d>I3DBackbone` once `keras_i3d` is imported.

    Args:
        stream: `"rgb"` (3 input channels) or `"flow"` (2 input channels).
        final_endpoint: the endpoint the backbone ends at (see
            `keras_i3d.ENDPOINTS`, anything before `"Logits"`).
        input_shape: optional `(frames, height, width, channels)`, as for
            `keras_i3d.I3D`; defaults to `(None, 224, 224, channels)`.
        dtype: the dtype policy of the model and its layers (keras-hub's
            argument, e.g. `"bfloat16"` or `"mixed_float16"`); None for
            Keras's global policy.
        **kwargs: `name` and `trainable`, as for `keras.Model`.

    Example:

    ```python
    backbone = keras_i3d.hub.i3d_backbone(weights="kinetics400")
    backbone.save_to_preset("./i3d_preset")
    backbone = keras_hub.models.Backbone.from_preset("./i3d_preset")
    ```
    """

    def __init__(
        self,
        stream="rgb",
        final_endpoint="Mixed_5c",
        input_shape=None,
        dtype=None,
        **kwargs,
    ):
        with _layer_dtype_policy(dtype):
            network = I3D(
                stream=stream,
                include_top=False,
                weights=None,
                input_shape=input_shape,
                final_endpoint=final_endpoint,
            )
        super().__init__(inputs=network.input, outputs=network.output, dtype=dtype, **kwargs)
        self.stream = stream
        self.final_endpoint = final_endpoint
        self.clip_shape = None if input_shape is None else tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "stream": self.stream,
                "final_endpoint": self.final_endpoint,
                "input_shape": None if self.clip_shape is None else list(self.clip_shape),
            }
        )
        return config


@contextlib.contextmanager
def _layer_dtype_policy(dtype):
    """Makes `dtype` the global policy while the builder creates layers.

    `keras_i3d.I3D` takes no `dtype` (its layers use the global policy);
    keras-hub backbones pass theirs to every layer.
    """
    if dtype is None or isinstance(dtype, keras.dtype_policies.DTypePolicyMap):
        yield
        return
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(keras.dtype_policies.get(dtype))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def i3d_backbone(weights="kinetics400", stream="rgb", final_endpoint="Mixed_5c", **kwargs):
    """An `I3DBackbone` with keras-i3d's weights.

    The weights are resolved and checked by keras-i3d's own loader (records,
    pinned Hub revisions, sha256), loaded into the full reference graph and
    copied into the backbone by layer name, so its features are exactly
    those of `keras_i3d.I3D(weights=weights, include_top=False)`.

    Args:
        weights: anything `keras_i3d.I3D` accepts as `weights=` (a record
            name, `"kinetics400"`, a `.weights.h5` path, `"hf://..."`), or
            None for a randomly initialised backbone.
        stream: `"rgb"` or `"flow"`.
        final_endpoint: the endpoint the backbone ends at.
        **kwargs: passed to `I3DBackbone` (`input_shape`, `dtype`, `name`).

    Returns:
        An `I3DBackbone`.
    """
    backbone = I3DBackbone(stream=stream, final_endpoint=final_endpoint, **kwargs)
    if weights is not None:
        reference = pretrained_reference(weights, stream)
        copy_reference_weights(reference, backbone, f"weights={weights!r}")
    return backbone


def copy_reference_weights(reference, backbone, description):
    """Copies every weight of `backbone` from `reference` by layer name.

    Raises:
        keras_i3d.weights.porting.WeightsMismatchError: a layer of
            `backbone` is missing from `reference` or has other shapes.
    """
    copy_weights_by_layer_name(reference, backbone, f"{description} ({reference.name})")


def pretrained_reference(weights, stream):
    """The full I3D of `stream` (logits head, clips of any size) with
    `weights` loaded by keras-i3d's loader, at the checkpoint's class count.

    Returns:
        A `keras.Model` that outputs logits.
    """
    # 400 (I3D's default) is assumed only for a file that does not say.
    resolved = resolve_weights(weights, stream, classes=400)
    return I3D(
        stream=stream,
        weights=weights,
        classes=resolved.classes,
        classifier_activation=None,
        input_shape=(None, None, None, STREAM_CHANNELS[stream]),
    )
