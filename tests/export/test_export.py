"""Each export format round-trips with its parity check (small models)."""

import re
import sys

import keras
import numpy as np
import pytest

from keras_i3d.export import ExportParityError
from keras_i3d.export import MissingExportDependencyError
from keras_i3d.export import export_model
from keras_i3d.export import formats
from keras_i3d.export import load_check_clip
from keras_i3d.export import logits_model
from keras_i3d.preprocessing import preprocess_input
from tests.export.small_model import CLIP_LENGTH
from tests.export.small_model import small_classifier

PATHS = {"savedmodel": "model", "onnx": "model.onnx", "tflite": "model.tflite"}


@pytest.fixture(scope="module")
def check_clips():
    """The real clip (the bundled example video) of both streams."""
    return {stream: load_check_clip(stream, CLIP_LENGTH) for stream in ("rgb", "flow")}


@pytest.mark.parametrize("stream", ["rgb", "flow"])
@pytest.mark.parametrize("export_format", ["savedmodel", "onnx", "tflite"])
def test_export_round_trips_with_its_parity_check(tmp_path, check_clips, export_format, stream):
    model = small_classifier(stream)
    path = tmp_path / PATHS[export_format]
    report = export_model(model, path, export_format, check_clips[stream])
    assert report.passed
    assert path.exists()
    assert report.max_abs_logits_diff <= 1e-5
    assert report.check_shape == (1,) + check_clips[stream].shape
    channels = 3 if stream == "rgb" else 2
    dtype = "uint8" if stream == "rgb" else "float32"
    assert report.input_dtype == dtype
    if export_format == "tflite":
        assert report.input_shape == (1, CLIP_LENGTH, 224, 224, channels)
    else:
        assert report.input_shape == (None, None, 224, 224, channels)
    assert any("max |logit diff|" in line for line in report.format_lines())
    # Not an I3D (its own widths): exported as it is.
    assert report.graph == "reference"


def test_an_i3d_is_exported_fused_and_checked_against_its_reference(tmp_path):
    from keras_i3d import I3D

    model = I3D(weights=None, classes=7)
    clip = load_check_clip("rgb", 16)  # I3D's head needs 9 frames or more.
    report = export_model(model, tmp_path / "model", "savedmodel", clip)
    assert report.graph == "fused" and report.passed
    assert report.max_abs_logits_diff <= 1e-4
    assert "fused graph" in report.format_lines()[0]


@pytest.mark.parametrize("export_format", ["savedmodel", "onnx"])
def test_dynamic_exports_take_other_batch_sizes_and_clip_lengths(
    tmp_path, check_clips, export_format
):
    model = small_classifier("rgb")
    path = tmp_path / PATHS[export_format]
    export_model(model, path, export_format, check_clips["rgb"])
    clip = check_clips["rgb"]
    frames = np.stack([clip[:6].repeat(2, axis=0), np.concatenate([clip[::-1], clip[:4]])])
    outputs, _, _ = formats._RUNNERS[export_format](path, frames)
    expected = logits_model(model)(preprocess_input(frames))
    np.testing.assert_allclose(outputs["logits"], keras.ops.convert_to_numpy(expected), atol=1e-5)
    np.testing.assert_allclose(outputs["probabilities"].sum(axis=-1), 1.0, rtol=1e-5)


def test_a_failed_parity_check_leaves_nothing_at_the_path(tmp_path, check_clips, monkeypatch):
    run_onnx = formats._RUNNERS["onnx"]

    def perturbed(path, frames):
        outputs, shape, dtype = run_onnx(path, frames)
        return dict(outputs, logits=outputs["logits"] + 2e-4), shape, dtype

    monkeypatch.setitem(formats._RUNNERS, "onnx", perturbed)
    path = tmp_path / "model.onnx"
    with pytest.raises(ExportParityError, match="exceeds 0.0001") as caught:
        export_model(small_classifier("rgb"), path, "onnx", check_clips["rgb"])
    assert caught.value.report.max_abs_logits_diff == pytest.approx(2e-4, rel=1e-2)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "module, export_format, advice",
    [
        ("tf2onnx", "onnx", "a dependency of keras-i3d; install it: pip install tf2onnx"),
        ("onnxruntime", "onnx", "a dependency of keras-i3d; install it: pip install onnxruntime"),
        ("ai_edge_litert.interpreter", "tflite", 'pip install "keras-i3d[export]"'),
    ],
)
def test_a_missing_dependency_says_how_to_install_it(
    tmp_path, check_clips, monkeypatch, module, export_format, advice
):
    monkeypatch.setitem(sys.modules, module, None)  # Import fails.
    with pytest.raises(MissingExportDependencyError, match=re.escape(advice)):
        export_model(
            small_classifier("rgb"),
            tmp_path / PATHS[export_format],
            export_format,
            check_clips["rgb"],
        )


def test_existing_path_is_kept_without_overwrite(tmp_path, check_clips):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"previous")
    with pytest.raises(FileExistsError):
        export_model(small_classifier("rgb"), path, "onnx", check_clips["rgb"])
    assert path.read_bytes() == b"previous"
    export_model(small_classifier("rgb"), path, "onnx", check_clips["rgb"], overwrite=True)
    assert path.read_bytes() != b"previous"


def test_export_rejects_a_path_without_the_format_suffix(tmp_path, check_clips):
    with pytest.raises(ValueError, match=r"ending in \.tflite"):
        export_model(small_classifier("rgb"), tmp_path / "model.onnx", "tflite", check_clips["rgb"])


def test_export_rejects_a_model_without_logits(tmp_path, check_clips):
    inputs = keras.Input((None, 224, 224, 3))
    outputs = keras.layers.GlobalAveragePooling3D(name="avg_pool")(inputs)
    model = keras.Model(inputs, outputs)
    with pytest.raises(ValueError, match="no layer named 'Logits'"):
        export_model(model, tmp_path / "m.onnx", "onnx", check_clips["rgb"])


def test_logits_model_drops_the_softmax():
    model = small_classifier("rgb")
    assert model.layers[-1].name == "Predictions"
    assert logits_model(model).layers[-1].name == "Logits"
