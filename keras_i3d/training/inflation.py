"""Inflation: 2D Inception-v1 weights into I3D (Carreira & Zisserman, Sec. 2.4).

Each N x N kernel of the 2D network becomes a T x N x N kernel of I3D, where
T is the temporal size of the I3D layer (`I3D_BODY` and
`InceptionBlock3D`: 7 for `Conv3d_1a_7x7`, 3 for the 3x3 convs, 1 for the
1x1 convs): the 2D kernel is repeated T times in time and divided by T.
Batch norm offsets and moving statistics are copied unchanged. On a
"boring" video (one image repeated in time) every conv then gives the 2D
response at every frame whose receptive field stays inside the clip, and
so does every ReLU and pool after it: the inflated network's activations
equal the 2D network's on that image (the boring-video fixed point).

First layer of the flow stream: the 2D network sees 3 RGB channels, I3D's
flow stream 2 (x and y flow). Its `Conv3d_1a_7x7` filters are averaged over
the RGB channels and the average is replicated to the 2 flow channels
(`average_input_channels`, the cross-modality initialisation of Temporal
Segment Networks), then inflated in time like every other kernel.

The classifier is inflated too when the class counts agree (a 2D network
fine-tuned on the same labels); from ImageNet (1001 classes) to Kinetics
(400) the I3D head keeps its initialisation and is reported as skipped.
"""

import numpy as np

from keras_i3d.conventions import check_stream
from keras_i3d.layers.inception import InceptionBlock3D
from keras_i3d.layers.inception2d import InceptionBlock2D
from keras_i3d.models.i3d import I3D
from keras_i3d.models.i3d import I3D_BODY
from keras_i3d.models.i3d import LOGITS_CONV as I3D_LOGITS_CONV
from keras_i3d.models.inception_v1 import LOGITS_CONV as INCEPTION_LOGITS_CONV
from keras_i3d.models.inception_v1 import InceptionV1
from keras_i3d.models.inception_v1 import average_input_channels
from keras_i3d.models.inception_v1 import load_inception_v1_weights


def inflate_kernel(kernel_2d, time_size):
    """Inflates a 2D conv kernel into a 3D one (repeat in time, divide).

    Args:
        kernel_2d: array `(height, width, in_channels, filters)`.
        time_size: the temporal size T of the 3D kernel.

    Returns:
        A float32 array `(T, height, width, in_channels, filters)` whose sum
        over time is `kernel_2d`.

    Example:

    >>> inflate_kernel(np.ones((3, 3, 2, 4)), 3).shape
    (3, 3, 3, 2, 4)
    """
    kernel_2d = np.asarray(kernel_2d, dtype=np.float32)
    if kernel_2d.ndim != 4:
        raise ValueError(
            "A 2D kernel has shape (height, width, in_channels, filters). "
            f"Received: shape {kernel_2d.shape}"
        )
    if not isinstance(time_size, int) or time_size < 1:
        raise ValueError(f"`time_size` must be a positive int. Received: {time_size!r}")
    inflated = np.repeat(kernel_2d[np.newaxis], time_size, axis=0)
    return inflated / np.float32(time_size)


def layer_pairs(i3d_model, include_logits=True):
    """Pairs each I3D conv unit with its Inception-v1 layer name.

    Args:
        i3d_model: an I3D model (any stream, endpoint or head).
        include_logits: whether to pair the classifier conv too.

    Returns:
        A list of `(inception_v1_layer_name, i3d_layer_name)` for the I3D
        layers that hold weights, in network order: `Conv3d_*` rows of
        `I3D_BODY` pair with `Conv2d_*`, `Mixed_*` with `Mixed_*`, and the
        I3D classifier conv with slim's `Logits_Conv2d_0c_1x1`.
    """
    present = {layer.name for layer in i3d_model.layers}
    pairs = []
    for endpoint, kind, _ in I3D_BODY:
        if kind == "pool" or endpoint not in present:
            continue
        pairs.append((endpoint.replace("Conv3d", "Conv2d"), endpoint))
    if include_logits and I3D_LOGITS_CONV in present:
        pairs.append((INCEPTION_LOGITS_CONV, I3D_LOGITS_CONV))
    return pairs


def inflate_weights(inception_v1_model, i3d_model):
    """Inflates a 2D Inception-v1's weights into an I3D model, in place.

    Args:
        inception_v1_model: an `InceptionV1` model with 3 input channels
            that reaches at least as far as `i3d_model`.
        i3d_model: an `I3D` model (RGB or flow, any class count).

    Returns:
        A dict: `"inflated"`, the I3D layer names that received weights;
        `"skipped"`, those left as initialised (the classifier when the
        class counts differ); `"unused"`, the 2D layers with weights that
        found no I3D counterpart (empty unless the I3D model ends earlier).

    Raises:
        ValueError: if a layer is missing or a weight's shape cannot be
            inflated into the I3D layer's.
    """
    inflated, skipped = [], []
    used = set()
    for source_name, target_name in layer_pairs(i3d_model):
        try:
            source = inception_v1_model.get_layer(source_name)
        except ValueError:
            raise ValueError(
                f"The 2D model {inception_v1_model.name!r} has no layer "
                f"{source_name!r} to inflate into I3D's {target_name!r}."
            ) from None
        target = i3d_model.get_layer(target_name)
        used.add(source_name)
        if target_name == I3D_LOGITS_CONV and (
            source.get_weights()[0].shape[-1] != target.get_weights()[0].shape[-1]
        ):
            skipped.append(target_name)
            continue
        for source_unit, target_unit in _unit_pairs(source, target):
            target_unit.set_weights(_inflate_unit(source_unit, target_unit, target_name))
        inflated.append(target_name)
    unused = [
        layer.name
        for layer in inception_v1_model.layers
        if layer.get_weights() and layer.name not in used
    ]
    return {"inflated": inflated, "skipped": skipped, "unused": unused}


def inflated_i3d(weights, stream="rgb", classes=400, **i3d_kwargs):
    """Builds an I3D initialised from 2D ImageNet Inception-v1 weights.

    Args:
        weights: the path of an Inception-v1 `.weights.h5` file (see
            `weights_conversion/convert_tfslim_inception_v1.py`), or an
            `InceptionV1` model with 3 input channels.
        stream: `"rgb"` or `"flow"`.
        classes: number of classes of the I3D head (initialised afresh
            unless it equals the 2D network's).
        **i3d_kwargs: further arguments of `I3D` (`input_shape`,
            `dropout_rate`, `classifier_activation`, ...).

    Returns:
        A `keras.Model` (an `I3D`) holding the inflated weights.

    Example:

    >>> model = inflated_i3d("inception_v1_imagenet.weights.h5", "flow")
    """
    check_stream(stream)
    if isinstance(weights, (str, bytes)) or hasattr(weights, "__fspath__"):
        source = InceptionV1(weights=None, input_shape=(None, None, 3), name="inception_v1_2d")
        load_inception_v1_weights(source, weights)
    else:
        source = weights
    model = I3D(stream=stream, weights=None, classes=classes, **i3d_kwargs)
    inflate_weights(source, model)
    return model


def _unit_pairs(source, target):
    if isinstance(source, InceptionBlock2D) != isinstance(target, InceptionBlock3D):
        raise ValueError(
            f"Cannot inflate {type(source).__name__} {source.name!r} into "
            f"{type(target).__name__} {target.name!r}."
        )
    if isinstance(source, InceptionBlock2D):
        if source.filters != target.filters:
            raise ValueError(
                f"{source.name!r} has filters {source.filters}, I3D's "
                f"{target.name!r} has {target.filters}."
            )
        return list(zip(source.units, target.units))
    return [(source, target)]


def _inflate_unit(source_unit, target_unit, target_name):
    """Returns the target unit's weights: kernel inflated, the rest copied."""
    source_weights = source_unit.get_weights()
    target_shapes = [w.shape for w in target_unit.get_weights()]
    kernel = source_weights[0]
    target_kernel_shape = target_shapes[0]
    if kernel.shape[-2] != target_kernel_shape[-2]:
        kernel = average_input_channels(kernel, target_kernel_shape[-2])
    inflated = [inflate_kernel(kernel, int(target_kernel_shape[0]))]
    inflated += [np.asarray(w) for w in source_weights[1:]]
    shapes = [w.shape for w in inflated]
    if shapes != target_shapes:
        raise ValueError(
            f"Cannot inflate into {target_name!r}/{target_unit.name}: the 2D "
            f"weights give shapes {shapes}, I3D needs {target_shapes}."
        )
    return inflated
