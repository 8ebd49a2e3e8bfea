"""`classify_video` loads the fused graph from the model cache after one build."""

import os
import pathlib

import numpy as np
import pytest

from keras_i3d.models.inference_cache import graph_source_sha256
from keras_i3d.models.inference_cache import inference_cache_key
from keras_i3d.tasks import classify_video
from keras_i3d.tasks.classify import InferenceProfile
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.resolving import resolve_weights

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"
BUILT = "build + load weights + fuse + cache"
LOADED = "load cached model"


def _fresh_home(tmp_path, monkeypatch):
    """A KERAS_I3D_HOME with the installed weights and no model cache."""
    installed = pathlib.Path(os.environ["KERAS_I3D_HOME"]) / "weights"
    home = tmp_path / "home"
    home.mkdir()
    (home / "weights").symlink_to(installed)
    monkeypatch.setenv("KERAS_I3D_HOME", str(home))
    return home


def _classify(**kwargs):
    profile = InferenceProfile()
    result = classify_video(SAMPLE, num_frames=16, top=400, profile=profile, **kwargs)
    logits = np.array([ranked.logit for ranked in sorted(result.top, key=lambda r: r.index)])
    return logits, set(profile.seconds)


def test_the_cached_graph_gives_the_built_graphs_logits(
    installed_kinetics400, tmp_path, monkeypatch
):
    home = _fresh_home(tmp_path, monkeypatch)
    uncached, phases = _classify(model_cache=False)
    assert "build + load weights + fuse" in phases
    assert not (home / "model_cache").exists()
    first, phases = _classify()
    assert BUILT in phases and LOADED not in phases
    assert len(list((home / "model_cache").iterdir())) == 1
    second, phases = _classify()
    assert LOADED in phases and BUILT not in phases
    np.testing.assert_array_equal(first, uncached)
    np.testing.assert_array_equal(second, uncached)
    # The reference graph is cached under a key of its own.
    _, phases = _classify(fused=False)
    assert BUILT in phases
    assert len(list((home / "model_cache").iterdir())) == 2


def test_the_key_names_the_weights_bytes_the_code_and_the_graph(installed_kinetics400):
    key = inference_cache_key("kinetics400", "rgb", True, "float32")
    path = resolve_weights("kinetics400", "rgb", None).path
    assert key["weights_sha256"] == file_sha256(path)
    assert key["graph_source_sha256"] == graph_source_sha256()
    assert (key["stream"], key["fused"], key["precision"]) == ("rgb", True, "float32")
    assert inference_cache_key("kinetics400", "rgb", False, "float32") != key
    assert inference_cache_key("kinetics400", "rgb", True, "mixed_bfloat16") != key


# Slow: it builds and loads both streams three times (about 20 s); the RGB
# cache test above covers the mechanism in the default suite.
@pytest.mark.slow
def test_two_streams_load_each_stream_from_the_cache(installed_kinetics400, tmp_path, monkeypatch):
    from keras_i3d.tasks import two_stream_logits_model
    from tests.models.stream_weights import write_random_stream_weights

    flow_weights = write_random_stream_weights(tmp_path / "flow.weights.h5", "flow")
    home = _fresh_home(tmp_path, monkeypatch)
    rng = np.random.default_rng(0)
    clips = [
        rng.uniform(-1, 1, (1, 9, 224, 224, channels)).astype("float32") for channels in (3, 2)
    ]

    def logits(**kwargs):
        model = two_stream_logits_model("kinetics400", str(flow_weights), **kwargs)
        outputs = model.predict_on_batch(clips)
        return np.concatenate([outputs["rgb_logits"], outputs["flow_logits"]])

    built = logits(model_cache=False)
    assert not (home / "model_cache").exists()
    first = logits(model_cache=True)
    assert len(list((home / "model_cache").iterdir())) == 2  # One graph per stream.

    def no_building(*args, **kwargs):
        raise AssertionError("a cached stream was built again")

    monkeypatch.setattr("keras_i3d.models.fused.pretrained_inference_model", no_building)
    second = logits(model_cache=True)
    assert len(list((home / "model_cache").iterdir())) == 2
    np.testing.assert_array_equal(first, built)
    np.testing.assert_array_equal(second, built)
