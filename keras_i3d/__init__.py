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

from keras_i3d._lazy import lazy_exports

_EXPORTS = {
    **{name: "keras_i3d.models" for name in _models.__all__},
    "decode_predictions": "keras_i3d.labels",
    "fuse_for_inference": "keras_i3d.models.fused",
    "load_labels": "keras_i3d.labels",
    "preprocess_input": "keras_i3d.preprocessing",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
