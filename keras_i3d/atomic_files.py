"""Writing files and folders so that they are either complete or absent.

Everything keras-i3d writes for later (training states, weights files,
features, flow, TFRecord shards) goes through `atomic_output`: the content
is written under a hidden temporary name beside the target,
`.partial-<8 hex digits>-<name>` (the target's suffix is kept, so a writer
that checks it, such as `model.save_weights`, accepts the name), flushed to
disk, and renamed into place with `os.replace` (atomic on POSIX) only when
the writing finished without an exception. A target that exists is
therefore always whole; a process killed while writing leaves at worst a
temporary, which `remove_partial_outputs` clears.

Temporaries are created with the usual permissions, `0o666 & ~umask` for
files and `0o777 & ~umask` for folders, as `open` and `os.mkdir` give
(`tempfile.mkstemp`/`mkdtemp` would give 0600/0700 whatever the umask).

This module imports nothing from keras-i3d, so every part of the package
may use it.
"""

import contextlib
import glob
import os
import pathlib
import secrets
import shutil

PARTIAL_PREFIX = ".partial-"
_TOKEN_HEX_DIGITS = 8
_FILE_MODE = 0o666  # Narrowed by the umask, as `open` does.
_FOLDER_MODE = 0o777  # Narrowed by the umask, as `os.mkdir` does.


@contextlib.contextmanager
def atomic_output(path, folder=False, overwrite=True):
    """Yields a temporary path that becomes `path` when the block completes.

    The temporary is created before it is yielded (an empty file, or an
    empty folder when `folder=True`) so that its name is reserved; a writer
    that opens it for writing truncates it and keeps its permissions. The
    parent folder of `path` is created if needed.

    Args:
        path: the final path (`str` or `pathlib.Path`).
        folder: whether the output is a folder rather than a file.
        overwrite: whether an existing `path` is replaced. When False and
            `path` appears while the block runs, `FileExistsError` is
            raised and the temporary removed.

    Yields:
        The temporary `pathlib.Path` to write to.

    Raises:
        FileExistsError: `path` exists and `overwrite` is False.

    Example:

    >>> import json, pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "result.json"
    >>> with atomic_output(target) as temporary:
    ...     _ = temporary.write_text(json.dumps({"done": True}))
    >>> json.loads(target.read_text())
    {'done': True}
    """
    path = pathlib.Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _create_temporary(path, folder)
    try:
        yield temporary
        if not folder:
            _fsync(temporary)
        _move_into_place(temporary, path, overwrite)
    finally:
        _remove(temporary)
    _fsync_folder(path.parent)


def atomic_write(path, write, overwrite=True):
    """Writes a file through `atomic_output`.

    Args:
        path: the final path.
        write: a function that writes the content to the binary file object
            it is given.
        overwrite: whether an existing `path` is replaced.

    Returns:
        `path` as a `pathlib.Path`.
    """
    with (
        atomic_output(path, overwrite=overwrite) as temporary,
        open(temporary, "wb") as file,
    ):
        write(file)
    return pathlib.Path(path)


def partial_outputs(path):
    """The temporaries that `atomic_output` calls for `path` left behind."""
    path = pathlib.Path(path)
    token = "?" * _TOKEN_HEX_DIGITS
    pattern = f"{PARTIAL_PREFIX}{token}-{glob.escape(path.name)}"
    return sorted(path.parent.glob(pattern))


def remove_partial_outputs(path):
    """Removes what interrupted writes to `path` left behind.

    Only call it when no other process is writing to `path`.

    Returns:
        The number of temporary files and folders removed.
    """
    leftovers = partial_outputs(path)
    for leftover in leftovers:
        _remove(leftover)
    return len(leftovers)


def _create_temporary(path, folder):
    while True:
        token = secrets.token_hex(_TOKEN_HEX_DIGITS // 2)
        temporary = path.with_name(f"{PARTIAL_PREFIX}{token}-{path.name}")
        try:
            if folder:
                os.mkdir(temporary, _FOLDER_MODE)
            else:
                os.close(
                    os.open(
                        temporary,
                        os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                        _FILE_MODE,
                    )
                )
        except FileExistsError:
            continue
        return temporary


def _move_into_place(temporary, path, overwrite):
    if not overwrite and path.exists():
        raise FileExistsError(
            f"{path} appeared while it was being written; pass overwrite=True to replace it"
        )
    if path.is_dir() and not path.is_symlink():
        # `os.replace` cannot replace a folder that has files in it.
        shutil.rmtree(path)
    os.replace(temporary, path)


def _fsync(file_path):
    descriptor = os.open(file_path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder):
    """Flushes a folder's entries (the rename) to disk where the OS allows."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()
