"""The input conventions of the I3D checkpoints, stated once.

Every other module (models, weights records, the video side, the CLI) imports
these names instead of repeating the numbers. They are the conventions of
DeepMind's `kinetics-i3d` release (Carreira & Zisserman, CVPR 2017):

* Tensors are channels-last, `(batch, time, height, width, channels)`.
* RGB frames are scaled from `[0, 255]` to `[-1, 1]` as `x / 127.5 - 1`.
* Optical flow is TV-L1 on grayscale frames, in pixels, clipped to
  `[-20, 20]` and divided by 20, so it also lies in `[-1, 1]`. Channel 0 is
  the horizontal (x) component, channel 1 the vertical (y) component.
* Videos are sampled at 25 frames per second, the short side is resized to
  256 pixels and a 224 x 224 crop is taken (random when training, central
  when evaluating).
"""

RGB_CHANNELS = 3
FLOW_CHANNELS = 2
STREAM_CHANNELS = {"rgb": RGB_CHANNELS, "flow": FLOW_CHANNELS}
STREAMS = tuple(STREAM_CHANNELS)

RGB_SCALE = 127.5  # x / 127.5 - 1 maps [0, 255] to [-1, 1].
FLOW_CLIP_PIXELS = 20.0  # Flow is clipped to +-20 px, then divided by 20.

# The 2D two-stream flow input (Simonyan & Zisserman, 2014; the paper's
# Two-Stream and 3D-Fused baselines): 10 consecutive flow frames stacked on
# the channel axis, x/y interleaved (20 channels).
FLOW_STACK_FRAMES = 10

TARGET_FPS = 25.0
RESIZE_SHORT_SIDE = 256
CROP_SIZE = 224

# The Logits head average-pools Mixed_5c with a (2, 7, 7) VALID window, so a
# clip needs at least 2 time steps and 7 x 7 pixels at Mixed_5c: 9 frames and
# 193 pixels at the input (the stem and pools divide time by 8, space by 32).
MIN_FRAMES_FOR_LOGITS = 9
MIN_PIXELS_FOR_LOGITS = 193

# Kinetics results are reported as top-1 and top-5 accuracy; the CLI, the
# classification result and the metrics rank this many classes by default.
DEFAULT_TOP_K = 5


def check_stream(stream):
    """Returns `stream` if it names a known stream, else raises ValueError."""
    if stream not in STREAM_CHANNELS:
        raise ValueError(f"`stream` must be one of {STREAMS}. Received: stream={stream!r}")
    return stream


def center_crop_offsets(height, width, crop_size=CROP_SIZE):
    """`(top, left)` of the central `crop_size` x `crop_size` window.

    Works on Python ints and on scalar tensors.
    """
    return (height - crop_size) // 2, (width - crop_size) // 2
