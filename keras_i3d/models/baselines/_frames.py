"""Helpers the 2D-backbone baselines share: per-frame Inception-v1 streams."""

from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.layers.frame_wise import FrameWise
from keras_i3d.models.inception_v1 import InceptionV1


def frame_stream(x, weights, channels, name, **inception_kwargs):
    """Applies an Inception-v1 to every frame of `x` `(B, T, H, W, C)`.

    Args:
        x: a 5D Keras tensor.
        weights: None or an Inception-v1 `.weights.h5` path (ImageNet).
        channels: the frames' channel count (3, or 2 x flow frames).
        name: the stream's name: the Inception-v1 model is `<name>` and
            the `FrameWise` wrapper `<name>_frames`.
        **inception_kwargs: further `InceptionV1` arguments.

    Returns:
        The per-frame outputs, `(B, T, ...)`.
    """
    frame_shape = tuple(x.shape[2:4]) + (channels,)
    network = InceptionV1(
        weights=weights,
        input_shape=frame_shape,
        name=name,
        **inception_kwargs,
    )
    return FrameWise(network, name=f"{name}_frames")(x)


def flow_stack_channels(flow_stack):
    """The channels of a stack of `flow_stack` flow frames: `2 * flow_stack`.

    Channel `2k` holds the horizontal and `2k + 1` the vertical flow of the
    k-th frame of the stack (see `keras_i3d.preprocessing.stack_flow_frames`).
    """
    if not isinstance(flow_stack, int) or flow_stack < 1:
        raise ValueError(
            f"`flow_stack` must be a positive int. Received: flow_stack={flow_stack!r}"
        )
    return FLOW_CHANNELS * flow_stack
