"""The `keras-i3d` entry point: `--help` and argument errors without TensorFlow."""

import os
import subprocess
import sys

import pytest

REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUBCOMMANDS = (
    "predict",
    "weights",
    "evaluate",
    "make-tfrecords",
    "flow",
    "extract-features",
    "fvd",
    "export",
)


def run_cli(*cli_args):
    """Runs `python -m keras_i3d CLI_ARGS` under `-X importtime`."""
    environment = dict(os.environ, PYTHONPATH=REPOSITORY_ROOT)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "keras_i3d", *cli_args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def imported_heavy_modules(stderr):
    """Top-level modules among tensorflow/keras/jax that `-X importtime` saw."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:"):
            module = line.rsplit("|", 1)[-1].strip()
            if module in ("tensorflow", "keras", "jax"):
                names.add(module)
    return names


@pytest.mark.parametrize("subcommand", ("",) + SUBCOMMANDS)
def test_help_does_not_import_tensorflow(subcommand):
    cli_args = [subcommand, "--help"] if subcommand else ["--help"]
    result = run_cli(*cli_args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage: keras-i3d" in result.stdout
    assert imported_heavy_modules(result.stderr) == set()


@pytest.mark.parametrize(
    "cli_args",
    (["predict"], ["predict", "video.mp4", "--top", "x"], ["no-such-command"]),
)
def test_argument_errors_do_not_import_tensorflow(cli_args):
    result = run_cli(*cli_args)
    assert result.returncode == 2
    assert "keras-i3d" in result.stderr and "error:" in result.stderr
    assert imported_heavy_modules(result.stderr) == set()


def test_import_keras_i3d_outside_the_cli_imports_tensorflow():
    # The control for the checks above: the library itself imports it.
    environment = dict(os.environ, PYTHONPATH=REPOSITORY_ROOT)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import keras_i3d"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "tensorflow" in imported_heavy_modules(result.stderr)
