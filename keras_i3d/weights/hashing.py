"""Content hashes of weights files and tensors."""

import hashlib

import numpy as np


def file_sha256(path, chunk_size=1 << 20):
    """Returns the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tensors_sha256(arrays):
    """Returns a sha256 of named arrays that ignores file-format metadata.

    The hash covers each array's name, dtype, shape and little-endian bytes,
    in sorted name order, so two faithful conversions of one checkpoint give
    the same hash even when their HDF5 files differ (HDF5 stores times).

    Args:
        arrays: dict of name to array.
    """
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        value = value.astype(value.dtype.newbyteorder("<"), copy=False)
        header = f"{name}|{value.dtype.str}|{value.shape}\n"
        digest.update(header.encode("utf-8"))
        digest.update(value.tobytes())
    return digest.hexdigest()
