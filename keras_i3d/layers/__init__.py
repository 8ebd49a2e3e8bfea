"""Keras layers that I3D and the baselines are built from."""

from keras_i3d.layers.clip_size import MinimumClipSize
from keras_i3d.layers.inception import InceptionBlock3D
from keras_i3d.layers.unit3d import Unit3D

__all__ = ["InceptionBlock3D", "MinimumClipSize", "Unit3D"]
