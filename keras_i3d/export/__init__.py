"""Export a keras-i3d classifier to SavedModel, ONNX or LiteRT, checked.

ONNX needs `tf2onnx`, `onnx` and `onnxruntime` (dependencies of keras-i3d,
which `keras-i3d predict` runs on), LiteRT `ai-edge-litert` (the optional
extra, `pip install "keras-i3d[export]"`); they are imported only when an
export of that format runs. The command line is `keras-i3d export`.

Every export takes raw frames (uint8 RGB, or float32 flow in pixels), does
the package's preprocessing inside, returns `{"logits", "probabilities"}`,
and is run back after writing on a real clip: its logits must be within
1e-4 of the Keras model's. TF.js is not supported: its converter rejects
`.keras` files and depends on tf-keras; use ONNX or the SavedModel.

Example:

```python
from keras_i3d import I3D
from keras_i3d.export import export_model, load_check_clip

report = export_model(I3D(weights="kinetics400"), "i3d.onnx", "onnx",
                      check_clip=load_check_clip("rgb", clip_length=16))
print("\\n".join(report.format_lines()))
```
"""

from keras_i3d import IS_CLI_PROCESS
from keras_i3d.export.choices import DEFAULT_CLIP_LENGTH
from keras_i3d.export.choices import FORMATS
from keras_i3d.export.choices import PARITY_TOLERANCE

__all__ = [
    "DEFAULT_CLIP_LENGTH",
    "FORMATS",
    "PARITY_TOLERANCE",
    "ExportError",
    "ExportParityError",
    "ExportReport",
    "MissingExportDependencyError",
    "NotAClassifierError",
    "PoolRewriteError",
    "ServingModel",
    "export_model",
    "load_check_clip",
    "logits_model",
    "rewrite_3d_pools",
]

# In the `keras-i3d` command line, building the parser reads `choices` only,
# so nothing here may import Keras there (see keras_i3d/__init__.py).
if not IS_CLI_PROCESS:
    from keras_i3d.export.check_clip import load_check_clip
    from keras_i3d.export.dependencies import MissingExportDependencyError
    from keras_i3d.export.formats import ExportError
    from keras_i3d.export.formats import ExportParityError
    from keras_i3d.export.formats import ExportReport
    from keras_i3d.export.formats import export_model
    from keras_i3d.export.pools import PoolRewriteError
    from keras_i3d.export.pools import rewrite_3d_pools
    from keras_i3d.export.serving import NotAClassifierError
    from keras_i3d.export.serving import ServingModel
    from keras_i3d.export.serving import logits_model
