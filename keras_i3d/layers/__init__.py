"""Keras layers that I3D and the baselines are built from.

Importing this package registers every layer for `.keras` loading.
"""

from keras_i3d.layers.clip_size import ClipSizeModel
from keras_i3d.layers.clip_size import MinimumClipSize
from keras_i3d.layers.frame_wise import FrameWise
from keras_i3d.layers.fused import FusedInceptionBlock3D
from keras_i3d.layers.fused import SpaceToDepthConv3D
from keras_i3d.layers.inception import InceptionBlock3D
from keras_i3d.layers.inception2d import InceptionBlock2D
from keras_i3d.layers.pool_as_2d import AveragePooling3DAs2D
from keras_i3d.layers.pool_as_2d import MaxPooling3DAs2D
from keras_i3d.layers.time_steps import LastTimeStep
from keras_i3d.layers.unit2d import Unit2D
from keras_i3d.layers.unit3d import Unit3D

__all__ = [
    "AveragePooling3DAs2D",
    "ClipSizeModel",
    "FrameWise",
    "FusedInceptionBlock3D",
    "InceptionBlock2D",
    "InceptionBlock3D",
    "LastTimeStep",
    "MaxPooling3DAs2D",
    "MinimumClipSize",
    "SpaceToDepthConv3D",
    "Unit2D",
    "Unit3D",
]
