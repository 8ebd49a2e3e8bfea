"""Model builders in the keras.applications style.

Names resolve on first use, so importing a light module of this package
(`keras_i3d.models.endpoints`, say) does not start TensorFlow.
"""

from keras_i3d._lazy import lazy_exports

_EXPORTS = {
    "C3D": "keras_i3d.models.baselines",
    "ConvNetLSTM": "keras_i3d.models.baselines",
    "ENDPOINTS": "keras_i3d.models.endpoints",
    "FusedTwoStream3D": "keras_i3d.models.baselines",
    "I3D": "keras_i3d.models.i3d",
    "InceptionV1": "keras_i3d.models.inception_v1",
    "TwoStream2D": "keras_i3d.models.baselines",
    "TwoStreamI3D": "keras_i3d.models.two_stream",
    "endpoint_model": "keras_i3d.models.endpoints",
    "get_model": "keras_i3d.models.registry",
    "list_models": "keras_i3d.models.registry",
    "stack_flow_frames": "keras_i3d.preprocessing",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
