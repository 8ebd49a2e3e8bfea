"""A training process killed mid-epoch resumes to the uninterrupted weights."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d.training.checkpoint import list_states

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# 2 epochs of 4 steps, a state every 3 steps and at each epoch end: states
# at steps 3, 4, 6 and 8. Killed once it reports step 7, the process has
# written the state of step 6 (in the middle of the second epoch).
TRAINING_ARGS = [
    "--epochs",
    "2",
    "--steps-per-epoch",
    "4",
    "--checkpoint-every",
    "3",
    "--dropout",
    "0.5",
]
KILL_AFTER_STEP = 7


def _command(output, checkpoint_dir, *extra):
    return [
        sys.executable,
        "-m",
        "tests.training.worker_script",
        str(output),
        "--checkpoint-dir",
        str(checkpoint_dir),
        *TRAINING_ARGS,
        *extra,
    ]


def _environment():
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=PROJECT_ROOT)


def _run(command):
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=_environment(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_weights(tmp_path):
    reference = tmp_path / "reference.npz"
    _run(_command(reference, tmp_path / "reference_state"))

    state_dir = tmp_path / "state"
    resumed = tmp_path / "resumed.npz"
    process = subprocess.Popen(
        _command(resumed, state_dir, "--step-delay", "0.5"),
        cwd=PROJECT_ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.strip() == f"STEP {KILL_AFTER_STEP}":
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not resumed.exists()
    assert [step for step, _ in list_states(state_dir)] == [4, 6]

    output = _run(_command(resumed, state_dir))
    assert "RESTORED 6" in output
    assert "DONE 8" in output
    expected, actual = np.load(reference), np.load(resumed)
    for key in expected.files:
        if key == "loss":
            continue
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)
