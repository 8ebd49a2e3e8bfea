"""The shared skeleton of every keras-i3d builder.

Argument checks, the video input (with `input_tensor` adoption), the
classifier or pooling head and the final model live here, so that a model
file holds only its architecture.
"""

import keras

from keras_i3d.conventions import RGB_CHANNELS

POOLINGS = (None, "avg", "max")


def check_builder_args(include_top, pooling, classes):
    """Checks the arguments every keras.applications-style builder shares."""
    if pooling not in POOLINGS:
        raise ValueError(f"`pooling` must be None, 'avg' or 'max'. Received: pooling={pooling!r}")
    if not isinstance(classes, int) or classes < 1:
        raise ValueError(f"`classes` must be a positive int. Received: classes={classes!r}")
    if not isinstance(include_top, bool):
        raise ValueError(
            f"`include_top` must be True or False. Received: include_top={include_top!r}"
        )
    if include_top and pooling is not None:
        raise ValueError(
            f"`pooling` applies only with `include_top=False`. Received: pooling={pooling!r}"
        )


def video_input(input_tensor, input_shape, channels, default_shape, name):
    """Returns `(inputs, x)`: the model's Input and the tensor to build on.

    Args:
        input_tensor: an optional Keras tensor to build the model on.
        input_shape: an optional `(frames, height, width, channels)` tuple;
            frames, height and width may be None.
        channels: the number of channels the stream needs.
        default_shape: the shape to use when neither is given.
        name: the Input layer's name.
    """
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    if input_shape is None:
        input_shape = default_shape
    input_shape = tuple(input_shape)
    if len(input_shape) != 4:
        raise ValueError(
            "`input_shape` must be (frames, height, width, channels). "
            f"Received: input_shape={input_shape}"
        )
    if input_shape[-1] != channels:
        raise ValueError(
            f"This stream takes {channels} input channels. Received: input_shape={input_shape}"
        )
    for size in input_shape[:3]:
        if size is not None and (not isinstance(size, int) or size < 1):
            raise ValueError(
                "Frames, height and width must be positive ints or None. "
                f"Received: input_shape={input_shape}"
            )
    return _adopt_input(input_tensor, input_shape, name)


def _adopt_input(input_tensor, input_shape, name):
    """Returns `(inputs, x)` for a checked shape, adopting `input_tensor`."""
    if input_tensor is None:
        inputs = keras.Input(shape=input_shape, name=name)
        return inputs, inputs
    if not keras.backend.is_keras_tensor(input_tensor):
        inputs = keras.Input(tensor=input_tensor, shape=input_shape, name=name)
        return inputs, inputs
    return input_tensor, input_tensor


def apply_layer_table(x, table, final_endpoint, unit, pool, block):
    """Applies an architecture table up to `final_endpoint`.

    Args:
        x: the input tensor.
        table: rows `(endpoint, kind, arguments)`: "unit" rows hold
            `(filters, kernel, strides)`, "pool" rows `(pool size, strides)`
            and "mixed" rows an Inception block's six filters.
        final_endpoint: the last row to apply.
        unit: the conv unit class (`Unit3D` or `Unit2D`).
        pool: the max-pool class (`MaxPooling3D` or `MaxPooling2D`).
        block: the Inception block class.
    """
    for endpoint, kind, arguments in table:
        if kind == "unit":
            filters, kernel_size, strides = arguments
            x = unit(filters, kernel_size, strides, name=endpoint)(x)
        elif kind == "pool":
            pool_size, strides = arguments
            x = pool(pool_size, strides, padding="same", name=endpoint)(x)
        else:
            x = block(arguments, name=endpoint)(x)
        if endpoint == final_endpoint:
            break
    return x


def global_pooling(x, pooling):
    """Applies the `pooling="avg"|"max"` head of `include_top=False` models."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling3D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling3D(name="max_pool")(x)
    return x


def classifier_output(logits, classifier_activation):
    """Applies the classifier activation (in float32) to the logits."""
    if classifier_activation is None:
        return logits
    return keras.layers.Activation(classifier_activation, dtype="float32", name="Predictions")(
        logits
    )


def two_stream_video_inputs(input_tensor, input_shape, default_shape, flow_channels, names):
    """Returns `(inputs, rgb, flow)` for a model of an RGB and a flow input.

    Args:
        input_tensor: None, or a pair `(rgb_tensor, flow_tensor)` of Keras
            tensors to build the model on (the order of the model's inputs).
        input_shape: an optional `(frames, height, width, 3)` of the RGB
            input; the flow input has the same first three sizes and
            `flow_channels` channels.
        default_shape: the RGB shape to use when neither is given.
        flow_channels: the flow input's channel count.
        names: the two Input layers' names, RGB first.

    Returns:
        `([rgb_input, flow_input], rgb, flow)`: the model's inputs and the
        two tensors to build on.
    """
    if input_tensor is None:
        rgb_tensor = flow_tensor = None
    elif isinstance(input_tensor, (list, tuple)) and len(input_tensor) == 2:
        rgb_tensor, flow_tensor = input_tensor
    else:
        raise ValueError(
            "`input_tensor` of a two-stream model must be a pair "
            "(rgb_tensor, flow_tensor). "
            f"Received: input_tensor={input_tensor!r}"
        )
    rgb_input, rgb = video_input(rgb_tensor, input_shape, RGB_CHANNELS, default_shape, names[0])
    flow_shape = None
    if flow_tensor is None:
        flow_shape = tuple(rgb.shape[1:4]) + (flow_channels,)
    flow_input, flow = video_input(flow_tensor, flow_shape, flow_channels, flow_shape, names[1])
    return [rgb_input, flow_input], rgb, flow


def finish_model(inputs, input_tensor, outputs, name, model_class=keras.Model):
    """Builds the functional model, adopting `input_tensor`'s sources.

    `input_tensor` may be one tensor or, for two-stream models, a pair.
    `model_class` is `keras.Model` or a functional subclass such as
    `keras_i3d.layers.ClipSizeModel`.
    """
    if input_tensor is not None:
        tensors = input_tensor if isinstance(input_tensor, (list, tuple)) else [input_tensor]
        inputs = []
        for tensor in tensors:
            for source in keras.utils.get_source_inputs(tensor):
                if all(source is not known for known in inputs):
                    inputs.append(source)
    return model_class(inputs, outputs, name=name)


def image_input(input_tensor, input_shape, default_shape, name):
    """Returns `(inputs, x)` for a 2D (image) model; see `video_input`.

    Args:
        input_tensor: an optional Keras tensor to build the model on.
        input_shape: an optional `(height, width, channels)` tuple; height
            and width may be None, channels must be a positive int.
        default_shape: the shape to use when neither is given.
        name: the Input layer's name.
    """
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape)[1:]
    if input_shape is None:
        input_shape = default_shape
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(
            f"`input_shape` must be (height, width, channels). Received: input_shape={input_shape}"
        )
    channels = input_shape[-1]
    if not isinstance(channels, int) or channels < 1:
        raise ValueError(
            f"The channel count must be a positive int. Received: input_shape={input_shape}"
        )
    for size in input_shape[:2]:
        if size is not None and (not isinstance(size, int) or size < 1):
            raise ValueError(
                "Height and width must be positive ints or None. "
                f"Received: input_shape={input_shape}"
            )
    return _adopt_input(input_tensor, input_shape, name)


def global_pooling_2d(x, pooling):
    """The `pooling="avg"|"max"` head of `include_top=False` 2D models."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x
