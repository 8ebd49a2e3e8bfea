"""I3D's endpoints: DeepMind's names for the points along the network."""

ENDPOINTS = (
    "Conv3d_1a_7x7",
    "MaxPool3d_2a_3x3",
    "Conv3d_2b_1x1",
    "Conv3d_2c_3x3",
    "MaxPool3d_3a_3x3",
    "Mixed_3b",
    "Mixed_3c",
    "MaxPool3d_4a_3x3",
    "Mixed_4b",
    "Mixed_4c",
    "Mixed_4d",
    "Mixed_4e",
    "Mixed_4f",
    "MaxPool3d_5a_2x2",
    "Mixed_5b",
    "Mixed_5c",
    "Logits",
)

# Channels at each endpoint (the Logits endpoint has `classes`).
ENDPOINT_CHANNELS = {
    "Conv3d_1a_7x7": 64,
    "MaxPool3d_2a_3x3": 64,
    "Conv3d_2b_1x1": 64,
    "Conv3d_2c_3x3": 192,
    "MaxPool3d_3a_3x3": 192,
    "Mixed_3b": 256,
    "Mixed_3c": 480,
    "MaxPool3d_4a_3x3": 480,
    "Mixed_4b": 512,
    "Mixed_4c": 512,
    "Mixed_4d": 512,
    "Mixed_4e": 528,
    "Mixed_4f": 832,
    "MaxPool3d_5a_2x2": 832,
    "Mixed_5b": 832,
    "Mixed_5c": 1024,
}


def check_endpoint(endpoint):
    """Returns `endpoint` if it is one of `ENDPOINTS`, else raises."""
    if endpoint not in ENDPOINTS:
        raise ValueError(
            f"Unknown endpoint {endpoint!r}. Expected one of {ENDPOINTS}."
        )
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
    return keras.Model(
        model.inputs, outputs, name=name or f"{model.name}_endpoints"
    )
