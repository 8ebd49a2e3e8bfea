"""keras-i3d: I3D (Carreira & Zisserman, CVPR 2017) and its baselines in Keras 3.

Example:

```python
from keras_i3d import I3D, decode_predictions, preprocess_input

model = I3D(stream="rgb", weights="kinetics400")
probabilities = model.predict(preprocess_input(clip_uint8, stream="rgb"))
print(decode_predictions(probabilities, top=5))
```
"""

__version__ = "0.1.0"

# Public names resolve on first use, so `import keras_i3d` (and the CLI's
# `--help`) does not start TensorFlow. The model builders come from
# `keras_i3d.models`, which resolves them lazily in turn.
from keras_i3d import models as _models

_EXPORTS = {
    **{name: "keras_i3d.models" for name in _models.__all__},
    "decode_predictions": "keras_i3d.labels",
    "fuse_for_inference": "keras_i3d.models.fused",
    "load_labels": "keras_i3d.labels",
    "preprocess_input": "keras_i3d.preprocessing",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keras_i3d' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
