"""Models built from weights files, kept as `.keras` files for the next run.

Building a pretrained inference graph means building the reference graph,
loading the checkpoint into it by layer name and fusing it (1.5-2.5 s on a
quiet 2-core CPU, more than the rest of `keras-i3d predict`'s set-up);
loading the same graph back from a `.keras` file takes about half of that
and gives the same logits bit for bit. `load_or_build` keeps such models in
`$KERAS_I3D_HOME/model_cache/`, one folder per key:

```
model_cache/<first 24 hex digits of the key's sha256>/
    key.json      the key, exactly as the caller gave it
    model.keras   the model
```

`load_or_write` keeps any other file the same way (the ONNX graphs of
`keras_i3d.tasks.onnx_classifier`, `model.onnx`), written by the caller's
function and read back by its loader.

A cached model is used only when its `key.json` equals the caller's key, so
the key must name everything the model depends on: the weights file's
sha256, the versions of keras-i3d and Keras, the source of the code that
builds the graph, and the graph's arguments (the caller builds it; this
module never imports a builder). A folder that is stale, damaged or
unreadable is rebuilt and replaced; it is written whole or not at all
(`keras_i3d.atomic_files`), and a home folder that cannot be written only
costs the saving. Each model is about as large as its weights file (51 MB
for I3D), so only the `MAX_CACHED_MODELS` last used are kept: a new
version of keras-i3d or of the weights does not leave the old ones behind.

Example:

```python
model, origin = load_or_build(key, lambda: pretrained_inference_model("kinetics400"))
origin  # "built" the first time, "loaded" after
```
"""

import hashlib
import json
import os
import pathlib
import shutil

from keras_i3d.weights.paths import home_dir

MODEL_CACHE_DIR_NAME = "model_cache"
KEY_FILE = "key.json"
MODEL_FILE = "model.keras"
# Hex digits of the key's sha256 that name its folder (96 bits: collisions
# are harmless anyway, `key.json` is compared in full).
_FOLDER_NAME_HEX_DIGITS = 24
# What `load_or_build` says it did.
CACHE_ORIGINS = ("loaded", "built")
# The models kept, the last used (by the time of their key file).
MAX_CACHED_MODELS = 4


def model_cache_dir():
    """The folder of cached models: `$KERAS_I3D_HOME/model_cache`."""
    return home_dir() / MODEL_CACHE_DIR_NAME


def package_source_sha256(package_names):
    """The sha256 of the `.py` files of these parts of `keras_i3d`, for keys.

    Args:
        package_names: subpackage folders or module files, relative to the
            package, e.g. `("layers", "models", "tasks/classify.py")`.
    """
    package = pathlib.Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in package_names:
        part = package / name
        for path in [part] if part.is_file() else sorted(part.rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_folder(key, cache_dir=None):
    """The folder a model with `key` (a JSON-serializable dict) is kept in.

    Raises:
        TypeError: `key` cannot be written as JSON.
    """
    cache_dir = model_cache_dir() if cache_dir is None else pathlib.Path(cache_dir)
    digest = hashlib.sha256(_key_json(key).encode()).hexdigest()
    return cache_dir / digest[:_FOLDER_NAME_HEX_DIGITS]


def load_or_build(key, build, cache_dir=None):
    """The cached model of `key`, or `build()`'s, which is then cached.

    Args:
        key: a JSON-serializable dict naming everything the model depends on
            (see the module docstring).
        build: a function of no arguments returning the model.
        cache_dir: the cache folder (default: `model_cache_dir()`).

    Returns:
        `(model, origin)`: origin is `"loaded"` (from the cache) or
        `"built"` (by `build`, and saved unless the folder is not writable).

    Raises:
        TypeError: `key` cannot be written as JSON.
    """
    folder = cache_folder(key, cache_dir)
    model = _load_cached(folder, key, MODEL_FILE, _load_keras_model)
    if model is not _NOT_CACHED:
        return model, "loaded"
    model = build()
    if _save(model, key, folder):
        _remove_least_recently_used(folder.parent, MAX_CACHED_MODELS)
    return model, "built"


def is_cached(key, file_name, cache_dir=None):
    """Whether the model cache holds `file_name` under `key` (it may still
    prove unreadable when loaded; `load_or_write` then writes it again)."""
    folder = cache_folder(key, cache_dir)
    return _stored_key(folder) == _key_json(key) and (folder / file_name).is_file()


def load_or_write(key, file_name, write, load, cache_dir=None):
    """`load(path)` of the cached file of `key`, written first by `write(path)` if needed.

    The file is written into a temporary folder that becomes the key's
    folder only when `write` returns, so a failed or interrupted write
    leaves nothing behind. A cached file that `load` cannot read is
    written again. When the cache folder cannot be written, the file is
    written into a temporary folder, loaded and removed.

    Args:
        key: a JSON-serializable dict naming everything the file depends on.
        file_name: the file's name in the key's folder (e.g. `"model.onnx"`).
        write: a function of the path to write the file to.
        load: a function of the file's path returning what the caller uses;
            it must not need the file after it returns.
        cache_dir: the cache folder (default: `model_cache_dir()`).

    Returns:
        `(loaded, origin)`: origin is `"loaded"` (from the cache) or
        `"built"` (written by `write` now).

    Raises:
        TypeError: `key` cannot be written as JSON.
    """
    from keras_i3d.atomic_files import atomic_output

    folder = cache_folder(key, cache_dir)
    loaded = _load_cached(folder, key, file_name, load)
    if loaded is not _NOT_CACHED:
        return loaded, "loaded"
    try:
        with atomic_output(folder, folder=True) as temporary:
            write(temporary / file_name)
            (temporary / KEY_FILE).write_text(_key_json(key) + "\n")
    except OSError:
        # A read-only home: written, used and removed.
        return load_written_aside(file_name, write, load), "built"
    _remove_least_recently_used(folder.parent, MAX_CACHED_MODELS)
    return load(folder / file_name), "built"


def load_written_aside(file_name, write, load):
    """`load(path)` of a file `write(path)` writes into a temporary folder,
    removed afterwards: `load_or_write` without the cache."""
    import tempfile

    with tempfile.TemporaryDirectory() as temporary:
        path = pathlib.Path(temporary) / file_name
        write(path)
        return load(path)


# What `_load_cached` returns when the key's folder holds nothing usable.
_NOT_CACHED = object()


def _load_cached(folder, key, file_name, load):
    """`load` of `folder`'s file if its key is `key` (the folder then marked
    used), else `_NOT_CACHED`; a file `load` cannot read counts as absent."""
    if _stored_key(folder) != _key_json(key):
        return _NOT_CACHED
    try:
        loaded = load(folder / file_name)
    except Exception:  # noqa: BLE001 (a damaged file is rebuilt, not fatal)
        return _NOT_CACHED
    _mark_used(folder)
    return loaded


def _load_keras_model(path):
    import keras

    import keras_i3d.layers  # noqa: F401 (registers the layers to load)

    return keras.saving.load_model(path, compile=False)


def _key_json(key):
    return json.dumps(key, sort_keys=True)


def _stored_key(folder):
    """The key JSON stored in `folder`, normalised, or None."""
    try:
        return _key_json(json.loads((folder / KEY_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _save(model, key, folder):
    """Writes `folder` whole (model, then key) or leaves it as it was;
    returns whether it was written."""
    from keras_i3d.atomic_files import atomic_output

    try:
        with atomic_output(folder, folder=True) as temporary:
            model.save(temporary / MODEL_FILE)
            (temporary / KEY_FILE).write_text(_key_json(key) + "\n")
    except OSError:
        # A read-only home: the model is used uncached.
        return False
    return True


def _mark_used(folder):
    """Sets the time of `folder`'s key file, which orders the folders by use."""
    try:
        os.utime(folder / KEY_FILE)
    except OSError:
        pass


def _remove_least_recently_used(cache_dir, keep):
    """Removes all but the `keep` last used model folders of `cache_dir`."""
    from keras_i3d.atomic_files import PARTIAL_PREFIX

    used = []
    for folder in cache_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith(PARTIAL_PREFIX):
            continue
        try:
            used.append((os.stat(folder / KEY_FILE).st_mtime_ns, folder))
        except OSError:
            used.append((0, folder))  # No key file: never loaded, removed first.
    for _, folder in sorted(used, reverse=True)[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
