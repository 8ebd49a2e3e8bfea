"""Paths through Beam's `FileSystems`: local here, gs:// or s3:// on a cluster.

The per-video functions decode and write local files (OpenCV, PyAV and
`keras_i3d.atomic_files` need them). A remote input is copied to a local
temporary file first; a remote output is written locally, then copied in one
`FileSystems.create` (an object appears on gs:// or s3:// only when its
upload completes, which is atomic as `atomic_output` is locally).
"""

import contextlib
import os
import pathlib
import shutil
import tempfile

from apache_beam.io.filesystems import FileSystems

COPY_CHUNK_BYTES = 16 << 20


def is_local(path):
    """Whether `path` is on the local filesystem (no `scheme://`)."""
    return "://" not in os.fspath(path)


def join(folder, name):
    """`folder/name`, for local folders and gs://, s3:// URLs alike."""
    folder = os.fspath(folder)
    if is_local(folder):
        return os.path.join(folder, name)
    return FileSystems.join(folder, name)


def exists(path):
    """Whether `path` exists (a file, a folder, or an object)."""
    path = os.fspath(path)
    return os.path.exists(path) if is_local(path) else FileSystems.exists(path)


def video_id(path):
    """A video's output name: its file or folder name without extension."""
    return pathlib.PurePosixPath(os.fspath(path).rstrip("/")).stem


@contextlib.contextmanager
def local_input(path):
    """Yields a local path holding `path`'s content (`path` itself when local)."""
    path = os.fspath(path)
    if is_local(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="keras-i3d-input-") as folder:
        local = os.path.join(folder, pathlib.PurePosixPath(path).name)
        with FileSystems.open(path) as source, open(local, "wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
        yield local


def write_output(target, write):
    """Calls `write(local_path)`, which writes one file, and puts it at `target`.

    Args:
        target: the final path, local or remote.
        write: a function that writes the output file at the local path it
            is given (atomically, when that path is the target).

    Raises:
        ValueError: `write` made a folder for a remote `target`: a folder of
            objects cannot appear at once, so a rerun could not tell a
            finished one from a partial one.
    """
    target = os.fspath(target)
    if is_local(target):
        write(target)
        return
    with tempfile.TemporaryDirectory(prefix="keras-i3d-output-") as folder:
        local = os.path.join(folder, pathlib.PurePosixPath(target).name)
        write(local)
        if os.path.isdir(local):
            raise ValueError(
                f"{target}: a remote output must be one file, not a folder. Received: a folder"
            )
        with open(local, "rb") as source, FileSystems.create(target) as sink:
            shutil.copyfileobj(source, sink, COPY_CHUNK_BYTES)
