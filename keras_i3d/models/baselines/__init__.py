"""The baselines of Quo Vadis (Carreira & Zisserman, CVPR 2017, Sec. 2).

Each builder follows the keras.applications signature; `I3D` is the fifth
architecture of the paper's comparison.
"""

from keras_i3d.models.baselines.c3d import C3D
from keras_i3d.models.baselines.convnet_lstm import ConvNetLSTM
from keras_i3d.models.baselines.fused_two_stream import FusedTwoStream3D
from keras_i3d.models.baselines.two_stream_2d import TwoStream2D
from keras_i3d.preprocessing import stack_flow_frames

__all__ = [
    "C3D",
    "ConvNetLSTM",
    "FusedTwoStream3D",
    "TwoStream2D",
    "stack_flow_frames",
]
