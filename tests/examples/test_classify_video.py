"""`examples/classify_video.py`: its help, and a run on the bundled sample."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "classify_video.py"
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"


def run_example(*args):
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def test_help_is_whole_and_needs_no_tensorflow():
    result = run_example("--help")

    assert result.returncode == 0
    assert result.stderr == ""
    assert "as `keras-i3d predict VIDEO` does." in result.stdout
    assert "keras-i3d weights install kinetics400" in result.stdout


def test_classifies_the_sample(installed_kinetics400):
    result = run_example(str(SAMPLE), "--max-frames", "16")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith("arm wrestling (6)")
