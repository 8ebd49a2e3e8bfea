"""Stream weights files for tests: no flow checkpoint is distributed."""

import numpy as np

from keras_i3d.conventions import FLOW_CHANNELS


def write_flow_weights_like_rgb(path, rgb_weights="kinetics400"):
    """Writes a flow `.weights.h5` whose weights are the RGB stream's.

    Every layer is copied from the RGB checkpoint except the stem's kernel,
    of which the first `FLOW_CHANNELS` input channels are kept: a flow
    stream in the right layout with the magnitudes of a trained network, so
    that comparisons of graphs are as demanding as with a real checkpoint.

    Returns:
        `path`.
    """
    from keras_i3d.models.endpoints import I3D_BODY
    from keras_i3d.models.fused import pretrained_inference_model
    from keras_i3d.models.i3d import i3d_reference_model
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    rgb = pretrained_inference_model(rgb_weights, "rgb", fused=False)
    flow = i3d_reference_model("flow", classes=rgb.output_shape[-1])
    stem = I3D_BODY[0][0]
    for layer in flow.layers:
        if not layer.weights:
            continue
        arrays = rgb.get_layer(layer.name).get_weights()
        if layer.name == stem:
            arrays = [arrays[0][..., :FLOW_CHANNELS, :], *arrays[1:]]
        layer.set_weights([np.asarray(array) for array in arrays])
    save_weights_file(flow, path, WeightsFileInfo(stream="flow", classes=flow.output_shape[-1]))
    return path


def write_random_stream_weights(path, stream, seed=0):
    """Writes a `.weights.h5` of `stream` with random weights and batch-norm
    statistics far from (0, 1), as training leaves them.

    A file, unlike `weights=None`, gives every model built from it the same
    weights, so that two graphs of it can be compared.

    Returns:
        `path`.
    """
    import keras

    from keras_i3d.models.i3d import i3d_reference_model
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    keras.utils.set_random_seed(seed)
    model = i3d_reference_model(stream, classes=400)
    spread_batch_norm_statistics(model, seed)
    save_weights_file(model, path, WeightsFileInfo(stream=stream, classes=400))
    return path


def spread_batch_norm_statistics(model, seed=0):
    """Gives every batch norm of `model` statistics far from (0, 1), so that
    folding them into the convolutions is tested."""
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        if "moving_mean" in variable.path:
            variable.assign(rng.normal(0, 0.1, variable.shape).astype("float32"))
        elif "moving_variance" in variable.path:
            variable.assign(rng.uniform(0.2, 2.0, variable.shape).astype("float32"))
