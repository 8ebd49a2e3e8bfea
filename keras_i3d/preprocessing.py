"""Input scaling for the two I3D streams (see `keras_i3d.conventions`).

The functions take numpy arrays (and return numpy) or TensorFlow tensors
(and return tensors, so `tf.data` pipelines call the same code).
"""

import numpy as np

from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import FLOW_CLIP_PIXELS
from keras_i3d.conventions import RGB_SCALE
from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.conventions import check_stream


def _is_tf_tensor(x):
    return type(x).__module__.startswith("tensorflow")


def _float32(x):
    if _is_tf_tensor(x):
        import tensorflow as tf

        return tf.cast(x, tf.float32)
    return np.asarray(x, dtype=np.float32)


def preprocess_rgb(frames):
    """Scales RGB frames from `[0, 255]` to `[-1, 1]` (`x / 127.5 - 1`).

    Args:
        frames: RGB values in `[0, 255]` (uint8 or float), channels last: a
            numpy array (or array-like) or a TensorFlow tensor.

    Returns:
        float32 values of the same shape in `[-1, 1]`, as a numpy array (or
        a tensor for a tensor input).
    """
    return _float32(frames) / np.float32(RGB_SCALE) - np.float32(1.0)


def preprocess_flow(flow):
    """Clips optical flow to `[-20, 20]` pixels and divides it by 20.

    Args:
        flow: flow in pixels, channels last, channel 0 the horizontal and
            channel 1 the vertical component: a numpy array (or
            array-like) or a TensorFlow tensor.

    Returns:
        float32 values of the same shape in `[-1, 1]`, as a numpy array (or
        a tensor for a tensor input).
    """
    flow = _float32(flow)
    bound = np.float32(FLOW_CLIP_PIXELS)
    if _is_tf_tensor(flow):
        import tensorflow as tf

        return tf.clip_by_value(flow, -bound, bound) / bound
    return np.clip(flow, -bound, bound) / bound


def preprocess_input(x, stream="rgb"):
    """Preprocesses a clip for an I3D stream.

    Args:
        x: numpy array (or array-like) or TensorFlow tensor with a trailing
            channel axis: RGB values in `[0, 255]` for `stream="rgb"` (3
            channels), flow in pixels for `stream="flow"` (2 channels).
        stream: `"rgb"` or `"flow"`.

    Returns:
        float32 values in `[-1, 1]`, the model's expected input (numpy, or a
        tensor for a tensor input).

    Example:

    >>> clip = np.full((1, 16, 224, 224, 3), 255, dtype=np.uint8)
    >>> float(preprocess_input(clip, stream="rgb").max())
    1.0
    """
    check_stream(stream)
    if not _is_tf_tensor(x):
        x = np.asarray(x)
    channels = STREAM_CHANNELS[stream]
    shape = tuple(x.shape)
    if not shape or shape[-1] not in (channels, None):
        raise ValueError(
            f"A {stream} input needs {channels} channels on its last axis. "
            f"Received: an array of shape {shape}"
        )
    if stream == "rgb":
        return preprocess_rgb(x)
    return preprocess_flow(x)


def stack_flow_frames(flow):
    """Stacks consecutive flow frames on the channel axis, x/y interleaved.

    The flow input of the 2D two-stream networks (`FLOW_STACK_FRAMES`
    frames make 20 channels).

    Args:
        flow: array or tensor `(..., frames, height, width, 2)`.

    Returns:
        `(..., height, width, 2 * frames)`: channel `2k` is the x flow of
        frame `k`, channel `2k + 1` its y flow (numpy for numpy input, a
        tensor for a tensor, so `tf.data` calls the same code).

    Example:

    >>> stack_flow_frames(np.zeros((10, 224, 224, 2))).shape
    (224, 224, 20)
    """
    if not _is_tf_tensor(flow):
        flow = np.asarray(flow)
    if len(flow.shape) < 4 or flow.shape[-1] != FLOW_CHANNELS:
        raise ValueError(
            f"Flow frames need shape (..., frames, height, width, "
            f"{FLOW_CHANNELS}) (x, y on the last axis). Received: shape "
            f"{tuple(flow.shape)}"
        )
    if _is_tf_tensor(flow):
        import tensorflow as tf

        rank = flow.shape.rank
        order = list(range(rank - 4)) + [rank - 3, rank - 2, rank - 4, rank - 1]
        stacked = tf.transpose(flow, order)
        shape = tf.shape(stacked)
        return tf.reshape(stacked, tf.concat([shape[:-2], [shape[-2] * shape[-1]]], 0))
    stacked = np.moveaxis(flow, -4, -2)
    return stacked.reshape(stacked.shape[:-2] + (-1,))


def stack_flow_steps(flow, flow_stack):
    """Groups flow frames into stacks, one per time step.

    `(..., steps * flow_stack, H, W, 2)` -> `(..., steps, H, W,
    2 * flow_stack)`: consecutive runs of `flow_stack` frames are stacked
    with `stack_flow_frames`. With `flow_stack` 0 or 1 the flow is returned
    unchanged (I3D's flow stream). Numpy in, numpy out; tensor in, tensor
    out.

    Example:

    >>> stack_flow_steps(np.zeros((3 * 10, 224, 224, 2)), 10).shape
    (3, 224, 224, 20)
    """
    if flow_stack <= 1:
        return flow
    if _is_tf_tensor(flow):
        import tensorflow as tf

        shape = tf.shape(flow)
        rank = flow.shape.rank
        grouped = tf.reshape(
            flow,
            tf.concat(
                [shape[: rank - 4], [shape[rank - 4] // flow_stack, flow_stack], shape[rank - 3 :]],
                axis=0,
            ),
        )
        return stack_flow_frames(grouped)
    flow = np.asarray(flow)
    frames = flow.shape[-4]
    if frames % flow_stack:
        raise ValueError(f"{frames} flow frames do not split into stacks of {flow_stack}")
    grouped = flow.reshape(flow.shape[:-4] + (frames // flow_stack, flow_stack) + flow.shape[-3:])
    return stack_flow_frames(grouped)
