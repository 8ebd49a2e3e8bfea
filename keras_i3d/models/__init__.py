"""Model builders in the keras.applications style.

Names resolve on first use, so importing a light module of this package
(`keras_i3d.models.endpoints`, say) does not start TensorFlow.
"""

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
    "stack_flow_frames": "keras_i3d.models.baselines",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(
        f"module 'keras_i3d.models' has no attribute {name!r}"
    )


def __dir__():
    return sorted(list(globals()) + __all__)
