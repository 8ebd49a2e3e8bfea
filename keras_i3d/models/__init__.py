"""Model builders in the keras.applications style."""

from keras_i3d.models.endpoints import ENDPOINTS
from keras_i3d.models.endpoints import endpoint_model
from keras_i3d.models.i3d import I3D
from keras_i3d.models.two_stream import TwoStreamI3D

__all__ = ["ENDPOINTS", "I3D", "TwoStreamI3D", "endpoint_model"]
