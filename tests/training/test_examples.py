"""The examples run end to end on a tiny generated dataset (slow: full I3D)."""

import json
import os
import subprocess
import sys

import pytest

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TINY = ["--frames", "9", "--resize", "193", "--crop-size", "193",
        "--batch-size", "2", "--epochs", "1", "--steps-per-epoch", "2",
        "--precision", "float32"]


def _finetune(tmp_path, weights):
    result = subprocess.run(
        [sys.executable, "examples/finetune.py", str(tmp_path / "data"),
         "--make-synthetic", "3", "--output-dir", str(tmp_path / "run"),
         "--weights", weights, *TINY],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=PROJECT_ROOT,
                 TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((tmp_path / "run" / "finetune.json").read_text())
    assert summary["classes"] == ["down", "left", "right", "up"]
    assert len(summary["history"]["val_top1"]) == 1
    for name in ("finetuned.keras", "curves.png", "log.csv"):
        assert (tmp_path / "run" / name).is_file()
    return result.stdout


@pytest.mark.slow
def test_finetune_from_random_weights(tmp_path):
    output = _finetune(tmp_path, "none")
    assert "before training: val_top1" in output


@pytest.mark.slow
def test_finetune_from_a_saved_weights_file(tmp_path):
    pytest.importorskip("keras_i3d.weights.loading",
                        reason="the weights loader is not on this branch")
    from keras_i3d import I3D

    path = tmp_path / "random_kinetics.weights.h5"
    I3D(weights=None, input_shape=(None, None, None, 3)).save_weights(path)
    _finetune(tmp_path, str(path))
