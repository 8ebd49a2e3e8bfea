"""The model registry: the paper's architectures by name.

`get_model(name, **kwargs)` builds an architecture from its name, as
`timm.create_model` and `torchvision.models.get_model` do; `list_models()`
lists the names. The names are the keys of
`keras_i3d.data.PAPER_INPUTS`, so an architecture's builder and its input
view share one name:

| name                  | builder                      |
|-----------------------|------------------------------|
| `c3d`                 | `C3D`                        |
| `convnet_lstm`        | `ConvNetLSTM`                |
| `fused_two_stream_3d` | `FusedTwoStream3D`           |
| `i3d_flow`            | `I3D(stream="flow")`         |
| `i3d_rgb`             | `I3D(stream="rgb")`          |
| `two_stream_2d`       | `TwoStream2D`                |
| `two_stream_i3d`      | `TwoStreamI3D`               |

Listing the names does not import TensorFlow; building does.
"""

import fnmatch
import importlib

from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import RGB_CHANNELS

# How a model takes `input_shape`: one input; an RGB shape and `flow_stack`
# (the 2D two-stream baselines); or the RGB shape alone, the flow input
# following it with 2 channels (Two-Stream I3D).
_ONE_INPUT = "one_input"
_RGB_AND_FLOW_STACKS = "rgb_and_flow_stacks"
_RGB_SHAPE_ONLY = "rgb_shape_only"

# name -> (module, builder, the arguments the name fixes, its inputs).
_MODELS = {
    "c3d": ("keras_i3d.models.baselines", "C3D", {}, _ONE_INPUT),
    "convnet_lstm": ("keras_i3d.models.baselines", "ConvNetLSTM", {}, _ONE_INPUT),
    "fused_two_stream_3d": (
        "keras_i3d.models.baselines",
        "FusedTwoStream3D",
        {},
        _RGB_AND_FLOW_STACKS,
    ),
    "i3d_flow": ("keras_i3d.models.i3d", "I3D", {"stream": "flow"}, _ONE_INPUT),
    "i3d_rgb": ("keras_i3d.models.i3d", "I3D", {"stream": "rgb"}, _ONE_INPUT),
    "two_stream_2d": ("keras_i3d.models.baselines", "TwoStream2D", {}, _RGB_AND_FLOW_STACKS),
    "two_stream_i3d": (
        "keras_i3d.models.two_stream",
        "TwoStreamI3D",
        {},
        _RGB_SHAPE_ONLY,
    ),
}


def list_models(include=None, exclude=None):
    """The names `get_model` builds, sorted.

    Args:
        include: optional `fnmatch` pattern (or list of patterns); only
            names that match one are listed.
        exclude: optional pattern (or list of patterns); names that match
            one are left out.

    Returns:
        A sorted list of model names.

    Example:

    >>> list_models(include="*two_stream*")
    ['fused_two_stream_3d', 'two_stream_2d', 'two_stream_i3d']
    >>> list_models(include="i3d_*")
    ['i3d_flow', 'i3d_rgb']
    """
    names = sorted(_MODELS)
    if include is not None:
        names = [n for n in names if _matches(n, include)]
    if exclude is not None:
        names = [n for n in names if not _matches(n, exclude)]
    return names


def _matches(name, patterns):
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def get_model(name, /, **kwargs):
    """Builds the architecture `name` with the builder's arguments.

    The keyword arguments go to the builder (`weights`, `include_top`,
    `input_shape`, `pooling`, `classes`, `classifier_activation`,
    `dropout_rate`, `name`, ...), whose defaults apply: the I3D models
    default to `weights="kinetics400"`, the baselines to None (random).
    `i3d_rgb` and `i3d_flow` fix I3D's `stream`.

    `input_shape` may be given to every model, also as the pair
    `(rgb_shape, flow_shape)` that `InputView.input_shapes` returns for a
    two-stream view: Two-Stream 2D and 3D-Fused then get the RGB shape and
    `flow_stack` (the flow channels over 2), Two-Stream I3D the RGB shape.

    Args:
        name: a name of `list_models()` (positional: a `name=` keyword is
            the builder's, the Keras model's name).
        **kwargs: the builder's arguments.

    Returns:
        A `keras.Model`.

    Raises:
        ValueError: an unknown name, an argument the name fixes (a
            different `stream`), or input shapes the model cannot take.

    Example:

    >>> from keras_i3d.models import get_model
    >>> model = get_model("c3d", input_shape=(16, 112, 112, 3), classes=10)
    >>> model.output_shape
    (None, 10)
    """
    if name not in _MODELS:
        raise ValueError(f"Unknown model {name!r}. Available: {list_models()}")
    module, builder_name, fixed, inputs = _MODELS[name]
    for argument, value in fixed.items():
        if kwargs.get(argument, value) != value:
            raise ValueError(
                f"Model {name!r} has `{argument}={value!r}`. Received: "
                f"{argument}={kwargs[argument]!r}"
            )
    builder = getattr(importlib.import_module(module), builder_name)
    kwargs = {**kwargs, **fixed}
    input_shape = kwargs.pop("input_shape", None)
    if input_shape is not None:
        kwargs.update(_input_arguments(name, inputs, input_shape, kwargs))
    return builder(**kwargs)


def _input_arguments(name, inputs, input_shape, kwargs):
    """The builder's arguments for `input_shape` (a shape, or the pair of
    a two-stream view's RGB and flow shapes)."""
    shapes = _as_shapes(name, input_shape)
    if inputs == _ONE_INPUT:
        if len(shapes) == 2:
            raise ValueError(
                f"Model {name!r} takes one input shape. Received: input_shape={input_shape!r}"
            )
        return {"input_shape": shapes[0]}
    rgb_shape = shapes[0]
    if len(shapes) == 2:
        flow_shape = shapes[1]
        if rgb_shape[:-1] != flow_shape[:-1]:
            raise ValueError(
                f"Model {name!r} takes RGB and flow inputs of the same "
                "steps, height and width. Received: "
                f"input_shape={input_shape!r}"
            )
    if inputs == _RGB_SHAPE_ONLY:
        if rgb_shape[-1] != RGB_CHANNELS or (len(shapes) == 2 and flow_shape[-1] != FLOW_CHANNELS):
            raise ValueError(
                f"The inputs of {name!r} have {RGB_CHANNELS} (RGB) and "
                f"{FLOW_CHANNELS} (flow) channels. Received: "
                f"input_shape={input_shape!r}"
            )
        return {"input_shape": rgb_shape}
    if len(shapes) == 1:
        return {"input_shape": rgb_shape}
    flow_stack, remainder = divmod(flow_shape[-1], FLOW_CHANNELS)
    if remainder or not flow_stack:
        raise ValueError(
            f"The flow input of {name!r} stacks x/y flow frames: its "
            f"channels must be a positive multiple of {FLOW_CHANNELS}. "
            f"Received: input_shape={input_shape!r}"
        )
    if kwargs.get("flow_stack", flow_stack) != flow_stack:
        raise ValueError(
            f"`input_shape` says {flow_stack} flow frames per stack. "
            f"Received: input_shape={input_shape!r}, "
            f"flow_stack={kwargs['flow_stack']!r}"
        )
    return {"input_shape": rgb_shape, "flow_stack": flow_stack}


def _as_shapes(name, input_shape):
    """`input_shape` as a tuple of one or two shapes of rank 4."""
    if input_shape and all(isinstance(s, (tuple, list)) for s in input_shape):
        shapes = tuple(tuple(s) for s in input_shape)
    else:
        shapes = (tuple(input_shape),)
    if len(shapes) > 2 or any(len(shape) != 4 for shape in shapes):
        raise ValueError(
            f"`input_shape` of {name!r} must be `(steps, height, width, "
            "channels)`, or the pair `(rgb_shape, flow_shape)` of a "
            f"two-stream model. Received: input_shape={input_shape!r}"
        )
    return shapes
