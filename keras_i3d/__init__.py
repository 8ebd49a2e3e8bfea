"""keras-i3d: I3D (Carreira & Zisserman, CVPR 2017) and its baselines in Keras 3.

Example:

```python
from keras_i3d import I3D, decode_predictions, preprocess_input

model = I3D(stream="rgb", weights="kinetics400")
probabilities = model.predict(preprocess_input(clip_uint8, stream="rgb"))
print(decode_predictions(probabilities, top=5))
```

`import keras_i3d` imports every public name (and so TensorFlow) and
registers every layer, so `keras.saving.load_model("finetuned.keras")` works
after it in a new process.

The one exception is the `keras-i3d` command line (`python -m keras_i3d` or
the console script). Python imports this package before any CLI code runs, so
a plain import here would make `keras-i3d --help` wait for TensorFlow
(3-4 s). In that process this package and `keras_i3d.models` import no public
names; the CLI builds its parser from light modules and each command imports,
when it runs, the modules that define what it uses. The alternatives are
worse: lazy names (PEP 562) cannot register layers before Keras deserializes
a model, and a launcher outside this package cannot build the parser without
importing `keras_i3d.conventions`, which runs this file anyway.
"""

import os
import sys

__version__ = "0.1.0"


def _module_run_with_dash_m():
    """The module named by `python -m MODULE`, or None."""
    interpreter_args = getattr(sys, "orig_argv", [])[1:]
    for index, arg in enumerate(interpreter_args):
        if arg == "-m":
            following = interpreter_args[index + 1 : index + 2]
            return following[0] if following else None
        if arg.startswith("-m"):
            return arg[2:]
    return None


def _is_cli_process():
    """Whether this process is the `keras-i3d` command line.

    `python -m keras_i3d` imports this package while `sys.argv[0]` is "-m"
    (Python sets it so while it locates the module); the console script
    imports it with `sys.argv[0]` naming the `keras-i3d` script.
    """
    program = sys.argv[0] if sys.argv else ""
    if program == "-m":
        module = _module_run_with_dash_m() or ""
        return module == "keras_i3d" or module.startswith("keras_i3d.cli")
    script_name, _ = os.path.splitext(os.path.basename(program))
    return script_name == "keras-i3d"


IS_CLI_PROCESS = _is_cli_process()

__all__ = [
    "C3D",
    "ConvNetLSTM",
    "decode_predictions",
    "endpoint_model",
    "ENDPOINTS",
    "fuse_for_inference",
    "FusedTwoStream3D",
    "get_model",
    "I3D",
    "InceptionV1",
    "list_models",
    "load_labels",
    "preprocess_input",
    "stack_flow_frames",
    "TwoStream2D",
    "TwoStreamI3D",
]

if not IS_CLI_PROCESS:
    import keras_i3d.layers  # noqa: F401 (registers every layer)
    from keras_i3d.hub import register_when_keras_hub_is_imported
    from keras_i3d.labels import decode_predictions
    from keras_i3d.labels import load_labels
    from keras_i3d.models import C3D
    from keras_i3d.models import ENDPOINTS
    from keras_i3d.models import I3D
    from keras_i3d.models import ConvNetLSTM
    from keras_i3d.models import FusedTwoStream3D
    from keras_i3d.models import InceptionV1
    from keras_i3d.models import TwoStream2D
    from keras_i3d.models import TwoStreamI3D
    from keras_i3d.models import endpoint_model
    from keras_i3d.models import get_model
    from keras_i3d.models import list_models
    from keras_i3d.models import stack_flow_frames
    from keras_i3d.models.fused import fuse_for_inference
    from keras_i3d.preprocessing import preprocess_input

    # keras-hub's from_preset finds keras_i3d>I3DBackbone once keras-hub is
    # imported, in either order; keras-hub itself is not imported here.
    register_when_keras_hub_is_imported()
