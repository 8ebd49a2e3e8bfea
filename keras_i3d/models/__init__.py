"""Model builders in the keras.applications style.

In the `keras-i3d` command line this package imports no public names, so
that building the parser (which reads `keras_i3d.models.endpoints`) does not
start TensorFlow; see `keras_i3d/__init__.py`.
"""

from keras_i3d import IS_CLI_PROCESS

__all__ = [
    "C3D",
    "ConvNetLSTM",
    "ENDPOINTS",
    "FusedTwoStream3D",
    "I3D",
    "InceptionV1",
    "TwoStream2D",
    "TwoStreamI3D",
    "endpoint_model",
    "get_model",
    "list_models",
    "stack_flow_frames",
]

if not IS_CLI_PROCESS:
    from keras_i3d.models.baselines import C3D
    from keras_i3d.models.baselines import ConvNetLSTM
    from keras_i3d.models.baselines import FusedTwoStream3D
    from keras_i3d.models.baselines import TwoStream2D
    from keras_i3d.models.endpoints import ENDPOINTS
    from keras_i3d.models.endpoints import endpoint_model
    from keras_i3d.models.i3d import I3D
    from keras_i3d.models.inception_v1 import InceptionV1
    from keras_i3d.models.registry import get_model
    from keras_i3d.models.registry import list_models
    from keras_i3d.models.two_stream import TwoStreamI3D
    from keras_i3d.preprocessing import stack_flow_frames
