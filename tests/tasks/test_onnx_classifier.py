"""The pretrained fused I3D on ONNX Runtime: converted once, cached, the reference's logits."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d.export.check_clip import load_check_clip
from keras_i3d.tasks import onnx_classifier
from keras_i3d.tasks.onnx_classifier import ONNX_GRAPH_FILE
from keras_i3d.tasks.onnx_classifier import OnnxRuntimeClassifier
from keras_i3d.tasks.onnx_classifier import OnnxRuntimeUnavailableError
from keras_i3d.tasks.onnx_classifier import onnx_graph_is_cached
from keras_i3d.tasks.onnx_classifier import onnx_graph_key
from keras_i3d.tasks.onnx_classifier import onnx_runtime_classifier
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.model_cache import cache_folder
from keras_i3d.weights.model_cache import package_source_sha256
from keras_i3d.weights.resolving import resolve_weights

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"


@pytest.fixture(scope="module")
def converted(installed_kinetics400):
    """The model cache holding the converted Kinetics-400 graph, and its classifier.

    The installed home's own cache, which `keras-i3d predict`'s tests share:
    one conversion (about 13 s) per test session.
    """
    from keras_i3d.weights.model_cache import model_cache_dir

    classifier, _ = onnx_runtime_classifier("kinetics400")
    return model_cache_dir(), classifier


def test_the_logits_are_the_reference_graphs(converted):
    from keras_i3d.models.fused import pretrained_inference_model
    from keras_i3d.preprocessing import preprocess_input

    _, classifier = converted
    clip = load_check_clip("rgb", clip_length=40)[None]
    reference = pretrained_inference_model("kinetics400", fused=False)
    expected = np.asarray(reference(preprocess_input(clip), training=False))
    logits = classifier.logits(clip)
    assert logits.shape == (1, 400) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, expected, atol=1e-4, rtol=0)
    assert int(np.argmax(logits)) == 6  # arm wrestling


def test_the_graph_is_converted_once_then_loaded(converted):
    cache_dir, _ = converted
    assert onnx_graph_is_cached("kinetics400", cache_dir=cache_dir)
    _, origin = onnx_runtime_classifier("kinetics400", cache_dir=cache_dir)
    assert origin == "loaded"
    folder = cache_folder(onnx_graph_key("kinetics400"), cache_dir)
    assert (folder / ONNX_GRAPH_FILE).stat().st_size > 40e6


def test_the_key_names_the_weights_the_versions_and_the_code(installed_kinetics400):
    key = onnx_graph_key("kinetics400")
    path = resolve_weights("kinetics400", "rgb", None).path
    assert key["weights_sha256"] == file_sha256(path)
    assert key["stream"] == "rgb"
    assert set(key["versions"]) == {"keras", "tensorflow", "tf2onnx", "onnx"}
    assert all(key["versions"].values())
    assert key["graph_source_sha256"] == package_source_sha256(
        ("layers", "models", "weights", "export", "tasks/onnx_classifier.py")
    )
    json.dumps(key)


def test_a_cached_graph_runs_without_importing_tensorflow(converted):
    cache_dir, classifier = converted
    code = (
        "import json, sys\n"
        "sys.argv = ['keras-i3d']  # the CLI process: `keras_i3d` imports no public names\n"
        "from keras_i3d.tasks.onnx_classifier import onnx_runtime_classifier\n"
        "from keras_i3d.tasks.classify import classify_video\n"
        f"classifier, origin = onnx_runtime_classifier(cache_dir={str(cache_dir)!r})\n"
        f"result = classify_video({str(SAMPLE)!r}, num_frames=24, model=classifier)\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules)\n"
        "print(json.dumps([origin, result.top[0].label, result.top[0].logit, heavy]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    origin, label, logit, heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert (origin, label, heavy) == ("loaded", "arm wrestling", [])
    clip = load_check_clip("rgb", clip_length=24)[None]
    assert logit == pytest.approx(float(classifier.logits(clip)[0, 6]), abs=1e-5)


def test_clips_of_the_wrong_type_or_shape_are_refused(converted):
    _, classifier = converted
    for bad in (
        np.zeros((1, 16, 224, 224, 3), np.float32),
        np.zeros((16, 224, 224, 3), np.uint8),
        np.zeros((1, 16, 256, 256, 3), np.uint8),
    ):
        with pytest.raises(ValueError, match=r"takes uint8 clips \(batch, frames, 224, 224, 3\)"):
            classifier.logits(bad)


def test_a_missing_package_is_named(monkeypatch, installed_kinetics400, tmp_path):
    monkeypatch.setattr(
        onnx_classifier,
        "missing_modules",
        lambda modules: [name for name in modules if name == "onnxruntime"],
    )
    with pytest.raises(OnnxRuntimeUnavailableError, match="onnxruntime, which is not installed"):
        onnx_runtime_classifier("kinetics400", cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def test_the_classifier_reads_any_converted_file(converted):
    cache_dir, classifier = converted
    folder = cache_folder(onnx_graph_key("kinetics400"), cache_dir)
    again = OnnxRuntimeClassifier(folder / ONNX_GRAPH_FILE, threads=1)
    clip = load_check_clip("rgb", clip_length=16)[None]
    np.testing.assert_array_equal(again.logits(clip), classifier.logits(clip))


# Slow: a second conversion (about 13 s); the cached path is the default.
@pytest.mark.slow
def test_without_the_cache_the_graph_is_converted_aside(installed_kinetics400, tmp_path):
    classifier, origin = onnx_runtime_classifier(
        "kinetics400", model_cache=False, cache_dir=tmp_path
    )
    assert origin == "built"
    assert not any(tmp_path.iterdir())
    clip = load_check_clip("rgb", clip_length=16)[None]
    assert int(np.argmax(classifier.logits(clip))) == 6
