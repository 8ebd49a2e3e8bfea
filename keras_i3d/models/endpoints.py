"""I3D's endpoints: DeepMind's names for the points along the network.

`I3D_BODY` is the one table of I3D's layers below the Logits head; the
endpoint names and channel counts are derived from it, and
`keras_i3d.models.i3d` builds the network from it. This module imports no
Keras, so the CLI can list the endpoints without starting TensorFlow.
"""

# The network below Logits, one row per endpoint:
# (endpoint, kind, arguments). "unit" rows are (filters, kernel, strides),
# "pool" rows are (pool size, strides), "mixed" rows the six filters of
# an Inception block.
I3D_BODY = (
    ("Conv3d_1a_7x7", "unit", (64, (7, 7, 7), (2, 2, 2))),
    ("MaxPool3d_2a_3x3", "pool", ((1, 3, 3), (1, 2, 2))),
    ("Conv3d_2b_1x1", "unit", (64, (1, 1, 1), (1, 1, 1))),
    ("Conv3d_2c_3x3", "unit", (192, (3, 3, 3), (1, 1, 1))),
    ("MaxPool3d_3a_3x3", "pool", ((1, 3, 3), (1, 2, 2))),
    ("Mixed_3b", "mixed", (64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", "mixed", (128, 128, 192, 32, 96, 64)),
    ("MaxPool3d_4a_3x3", "pool", ((3, 3, 3), (2, 2, 2))),
    ("Mixed_4b", "mixed", (192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", "mixed", (160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", "mixed", (128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", "mixed", (112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", "mixed", (256, 160, 320, 32, 128, 128)),
    ("MaxPool3d_5a_2x2", "pool", ((2, 2, 2), (2, 2, 2))),
    ("Mixed_5b", "mixed", (256, 160, 320, 32, 128, 128)),
    ("Mixed_5c", "mixed", (384, 192, 384, 48, 128, 128)),
)

# DeepMind's endpoint names, in network order.
ENDPOINTS = tuple(endpoint for endpoint, _, _ in I3D_BODY) + ("Logits",)


def _endpoint_channels():
    channels, width = {}, None
    for endpoint, kind, arguments in I3D_BODY:
        if kind == "unit":
            width = arguments[0]
        elif kind == "mixed":
            # The concatenation of branch 0, the two 3x3x3 convs and
            # branch 3 (`keras_i3d.layers.InceptionBlock3D`).
            width = sum(arguments[i] for i in (0, 2, 4, 5))
        channels[endpoint] = width  # A pool keeps its input's channels.
    return channels


# Channels at each endpoint below Logits (the Logits endpoint has
# `classes`).
ENDPOINT_CHANNELS = _endpoint_channels()


def check_endpoint(endpoint):
    """Returns `endpoint` if it is one of `ENDPOINTS`, else raises."""
    if endpoint not in ENDPOINTS:
        raise ValueError(f"Unknown endpoint {endpoint!r}. Expected one of {ENDPOINTS}.")
    return endpoint


def endpoint_model(model, endpoints, name=None):
    """Returns a model with the same input whose outputs are `endpoints`.

    Args:
        model: an I3D model (any `final_endpoint` that reaches the
            requested endpoints).
        endpoints: endpoint names, e.g. `("Mixed_4f", "Mixed_5c")`.
        name: name of the new model; defaults to `<model name>_endpoints`.

    Returns:
        A `keras.Model` that shares `model`'s layers and weights and returns
        a dict `{endpoint: tensor}`.

    Example:

    >>> from keras_i3d import I3D
    >>> i3d = I3D(weights=None, include_top=False, input_shape=(16, 224, 224, 3))
    >>> features = endpoint_model(i3d, ["Mixed_4f", "Mixed_5c"])
    >>> sorted(features.output)
    ['Mixed_4f', 'Mixed_5c']
    """
    import keras

    if isinstance(endpoints, str):
        endpoints = [endpoints]
    outputs = {}
    for endpoint in endpoints:
        check_endpoint(endpoint)
        try:
            outputs[endpoint] = model.get_layer(endpoint).output
        except ValueError:
            raise ValueError(
                f"The model {model.name!r} has no endpoint {endpoint!r}: "
                "it was built with an earlier `final_endpoint` (or without "
                "the top, for 'Logits')."
            ) from None
    return keras.Model(model.inputs, outputs, name=name or f"{model.name}_endpoints")
