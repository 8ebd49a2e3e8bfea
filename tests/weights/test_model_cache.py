"""`keras_i3d.weights.model_cache`: a model is loaded only under its own key."""

import json
import os

import keras
import numpy as np
import pytest

from keras_i3d.weights.model_cache import KEY_FILE
from keras_i3d.weights.model_cache import MODEL_FILE
from keras_i3d.weights.model_cache import cache_folder
from keras_i3d.weights.model_cache import is_cached
from keras_i3d.weights.model_cache import load_or_build
from keras_i3d.weights.model_cache import load_or_write
from keras_i3d.weights.model_cache import model_cache_dir
from keras_i3d.weights.model_cache import package_source_sha256

KEY = {"weights_sha256": "ab" * 32, "keras_i3d": "0.1.0", "stream": "rgb"}
INPUT = np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)


class CountingBuilder:
    """Builds a small Dense model with weights drawn from `seed`."""

    def __init__(self, seed=0):
        self.seed = seed
        self.calls = 0

    def __call__(self):
        self.calls += 1
        inputs = keras.Input((4,))
        dense = keras.layers.Dense(3, name="dense")
        model = keras.Model(inputs, dense(inputs))
        rng = np.random.default_rng(self.seed)
        dense.set_weights([rng.normal(size=(4, 3)), rng.normal(size=(3,))])
        return model


def test_the_second_call_loads_the_same_model(tmp_path):
    build = CountingBuilder()
    built, origin = load_or_build(KEY, build, cache_dir=tmp_path)
    assert origin == "built"
    loaded, origin = load_or_build(dict(reversed(KEY.items())), build, cache_dir=tmp_path)
    assert (origin, build.calls) == ("loaded", 1)
    np.testing.assert_array_equal(np.asarray(loaded(INPUT)), np.asarray(built(INPUT)))
    folder = cache_folder(KEY, tmp_path)
    assert sorted(path.name for path in folder.iterdir()) == [KEY_FILE, MODEL_FILE]
    assert json.loads((folder / KEY_FILE).read_text()) == KEY


def test_another_key_is_built_and_kept_beside(tmp_path):
    load_or_build(KEY, CountingBuilder(seed=0), cache_dir=tmp_path)
    other_key = dict(KEY, weights_sha256="cd" * 32)
    other_build = CountingBuilder(seed=1)
    other, origin = load_or_build(other_key, other_build, cache_dir=tmp_path)
    assert (origin, other_build.calls) == ("built", 1)
    np.testing.assert_array_equal(np.asarray(other(INPUT)), np.asarray(CountingBuilder(1)()(INPUT)))
    assert len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("damage", ["other key", "bad key file", "no key file", "bad model"])
def test_a_folder_without_its_key_or_whole_model_is_rebuilt(tmp_path, damage):
    load_or_build(KEY, CountingBuilder(seed=0), cache_dir=tmp_path)
    folder = cache_folder(KEY, tmp_path)
    if damage == "other key":
        (folder / KEY_FILE).write_text(json.dumps(dict(KEY, stream="flow")))
    elif damage == "bad key file":
        (folder / KEY_FILE).write_text("{not json")
    elif damage == "no key file":
        (folder / KEY_FILE).unlink()
    else:
        (folder / MODEL_FILE).write_bytes(b"not a zip")
    rebuild = CountingBuilder(seed=2)
    model, origin = load_or_build(KEY, rebuild, cache_dir=tmp_path)
    assert (origin, rebuild.calls) == ("built", 1)
    # The folder now holds the rebuilt model under the right key.
    loaded, origin = load_or_build(KEY, CountingBuilder(), cache_dir=tmp_path)
    assert origin == "loaded"
    np.testing.assert_array_equal(np.asarray(loaded(INPUT)), np.asarray(model(INPUT)))


def test_an_unwritable_cache_only_costs_the_saving(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    build = CountingBuilder()
    for _ in range(2):
        model, origin = load_or_build(KEY, build, cache_dir=blocked / "cache")
        assert origin == "built"
    assert build.calls == 2


def test_the_cache_lives_in_the_keras_i3d_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    assert model_cache_dir() == tmp_path / "model_cache"
    assert cache_folder(KEY).parent == tmp_path / "model_cache"


def test_a_key_that_is_not_json_is_refused(tmp_path):
    with pytest.raises(TypeError):
        load_or_build({"weights": object()}, CountingBuilder(), cache_dir=tmp_path)


def test_only_the_last_used_models_are_kept(tmp_path, monkeypatch):
    import keras_i3d.weights.model_cache as model_cache

    monkeypatch.setattr(model_cache, "MAX_CACHED_MODELS", 2)
    keys = [dict(KEY, keras_i3d=f"0.{minor}.0") for minor in range(3)]
    load_or_build(keys[0], CountingBuilder(), cache_dir=tmp_path)
    load_or_build(keys[1], CountingBuilder(), cache_dir=tmp_path)
    # Written long ago, in this order; used again, the first model becomes
    # the most recently used one.
    for nanoseconds, key in enumerate(keys[:2], start=1):
        os.utime(cache_folder(key, tmp_path) / KEY_FILE, ns=(nanoseconds, nanoseconds))
    assert load_or_build(keys[0], CountingBuilder(), cache_dir=tmp_path)[1] == "loaded"
    load_or_build(keys[2], CountingBuilder(), cache_dir=tmp_path)
    kept = {folder.name for folder in tmp_path.iterdir()}
    assert kept == {cache_folder(keys[0], tmp_path).name, cache_folder(keys[2], tmp_path).name}


class CountingFileWriter:
    """Writes `text` to the path it is given, counting the writes."""

    def __init__(self, text="graph bytes"):
        self.text = text
        self.calls = 0

    def __call__(self, path):
        self.calls += 1
        path.write_text(self.text)


def read_text(path):
    return path.read_text()


def test_a_file_is_written_once_then_loaded(tmp_path):
    write = CountingFileWriter()
    assert not is_cached(KEY, "model.onnx", cache_dir=tmp_path)
    assert load_or_write(KEY, "model.onnx", write, read_text, cache_dir=tmp_path) == (
        "graph bytes",
        "built",
    )
    assert is_cached(KEY, "model.onnx", cache_dir=tmp_path)
    assert load_or_write(KEY, "model.onnx", write, read_text, cache_dir=tmp_path) == (
        "graph bytes",
        "loaded",
    )
    assert write.calls == 1
    assert sorted(p.name for p in cache_folder(KEY, tmp_path).iterdir()) == [KEY_FILE, "model.onnx"]
    other = dict(KEY, stream="flow")
    assert not is_cached(other, "model.onnx", cache_dir=tmp_path)


def test_an_unreadable_or_half_written_file_is_written_again(tmp_path):
    def failing_write(path):
        path.write_text("half")
        raise RuntimeError("conversion failed")

    with pytest.raises(RuntimeError, match="conversion failed"):
        load_or_write(KEY, "model.onnx", failing_write, read_text, cache_dir=tmp_path)
    assert not cache_folder(KEY, tmp_path).exists()  # nothing half-written is kept

    def strict_load(path):
        text = path.read_text()
        if text != "graph bytes":
            raise ValueError("damaged")
        return text

    write = CountingFileWriter()
    load_or_write(KEY, "model.onnx", write, strict_load, cache_dir=tmp_path)
    (cache_folder(KEY, tmp_path) / "model.onnx").write_text("damaged")
    assert load_or_write(KEY, "model.onnx", write, strict_load, cache_dir=tmp_path) == (
        "graph bytes",
        "built",
    )
    assert write.calls == 2


def test_an_unwritable_cache_writes_the_file_aside_and_removes_it(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    paths = []

    def load(path):
        paths.append(path)
        return path.read_text()

    write = CountingFileWriter()
    for _ in range(2):
        assert load_or_write(KEY, "model.onnx", write, load, cache_dir=blocked / "cache") == (
            "graph bytes",
            "built",
        )
    assert write.calls == 2
    assert not any(path.exists() for path in paths)


def test_the_source_hash_follows_the_package_files(tmp_path):
    layers = package_source_sha256(("layers",))
    assert package_source_sha256(("layers",)) == layers
    assert package_source_sha256(("layers", "models")) != layers
    with_a_file = package_source_sha256(("layers", "conventions.py"))
    assert with_a_file not in (layers, package_source_sha256(("layers", "labels")))
