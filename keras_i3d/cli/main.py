"""`keras-i3d`: the command-line entry point.

Each subcommand lives in its own module of this package and provides
`add_parser(subparsers)` (which sets `func` on its parser) and raises
`CLIError` for failures the user can fix. `main` prints those on stderr and
returns a non-zero exit code; successful runs return 0.

`--help`, `--version` and argument errors do not import TensorFlow: in this
process `keras_i3d` and `keras_i3d.models` import no public names (see
`keras_i3d/__init__.py`), the subcommand modules import only light modules
while they build their parsers, and TensorFlow is imported (quietly) only
once the arguments parse.
"""

import argparse
import contextlib
import importlib
import json
import os
import sys

from keras_i3d.cli.errors import EXIT_ERROR  # noqa: F401 (re-exported)
from keras_i3d.cli.errors import EXIT_USAGE  # noqa: F401 (re-exported)
from keras_i3d.cli.errors import CLIError

# Subcommand modules, in the order `--help` lists them.
SUBCOMMAND_MODULES = (
    "keras_i3d.cli.predict",
    "keras_i3d.cli.weights",
    "keras_i3d.cli.evaluate",
    "keras_i3d.cli.make_tfrecords",
    "keras_i3d.cli.flow",
    "keras_i3d.cli.extract_features",
    "keras_i3d.cli.fvd",
    "keras_i3d.cli.export",
    "keras_i3d.cli.data_service",
)


EXIT_OK = 0


def build_parser():
    from keras_i3d import __version__

    parser = argparse.ArgumentParser(
        prog="keras-i3d",
        description="I3D video action recognition (Keras 3 / TensorFlow).",
    )
    parser.add_argument("--version", action="version", version=f"keras-i3d {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


# Optional packages that TensorFlow and Keras import at start-up only if they
# are installed, for features no command uses: JAX for TFLite's JAX
# converter (`tensorflow.lite.python.util`) and Orbax's monitoring shim,
# matplotlib for `keras.visualization`'s galleries. With JAX and matplotlib
# installed (the [jax] and [train] extras), they cost 1-2.5 s of every
# command's start-up. They are hidden while TensorFlow and Keras are
# imported, and only then: a command that imports them later gets them.
SKIPPED_AT_TENSORFLOW_IMPORT = ("jax", "matplotlib")


def quiet_tensorflow():
    """Imports TensorFlow and Keras quietly, without their optional extras.

    TensorFlow 2.21 prints its oneDNN and CUDA notices before absl logging
    starts, where `TF_CPP_MIN_LOG_LEVEL` has no effect, so the C-level
    stderr is silenced while TensorFlow is imported (and only then). The
    packages of `SKIPPED_AT_TENSORFLOW_IMPORT` are not imported with them.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules or os.environ.get("KERAS_I3D_VERBOSE_TF"):
        return
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    skipped = SKIPPED_AT_TENSORFLOW_IMPORT
    if _keras_backend() != "tensorflow":
        # Keras on JAX imports JAX itself.
        skipped = tuple(name for name in skipped if name != "jax")
    try:
        with _not_importable(skipped):
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


def _keras_backend():
    """The backend Keras will pick, read as Keras reads it (the
    `KERAS_BACKEND` variable, else `keras.json`), without importing Keras;
    None if the file cannot be read."""
    if "KERAS_BACKEND" in os.environ:
        return os.environ["KERAS_BACKEND"]
    if "KERAS_HOME" in os.environ:
        keras_dir = os.environ["KERAS_HOME"]
    else:
        home = os.path.expanduser("~")
        keras_dir = os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")
    config_path = os.path.join(os.path.expanduser(keras_dir), "keras.json")
    if not os.path.exists(config_path):
        return "tensorflow"
    try:
        with open(config_path) as config:
            return json.load(config).get("backend", "tensorflow")
    except (OSError, ValueError, AttributeError):
        return None


@contextlib.contextmanager
def _not_importable(package_names):
    """`import NAME` raises ImportError in the block for these packages (as
    if they were not installed), unless they are imported already."""
    hidden = [name for name in package_names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, ()) is None:
                del sys.modules[name]


def main(argv=None):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # What follows `--` is Beam pipeline options, for the corpus commands' `--beam`.
    pipeline_args = []
    if "--" in argv:
        split = argv.index("--")
        argv, pipeline_args = argv[:split], argv[split + 1 :]
    args = parser.parse_args(argv)
    args.pipeline_args = pipeline_args
    if pipeline_args and not getattr(args, "beam", False):
        parser.error(
            "the options after -- are Beam pipeline options, for --beam. "
            f"Received: {' '.join(pipeline_args)}"
        )
    if getattr(args, "tensorflow_at_start", True):
        # A command that may run without TensorFlow (predict on ONNX
        # Runtime) sets tensorflow_at_start=False and imports it itself.
        quiet_tensorflow()
    try:
        exit_code = args.func(args) or EXIT_OK
    except CLIError as error:
        print(f"keras-i3d {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"keras-i3d {args.command}: interrupted", file=sys.stderr)
        return 130
    if getattr(args, "exit_at_once", False):
        exit_at_once(exit_code)
    return exit_code


def exit_at_once(exit_code):
    """Ends the `keras-i3d` process now, skipping the interpreter's teardown.

    Tearing down TensorFlow, Keras and a built model (module and object
    finalisation) takes 1.5-2.5 s after `keras-i3d predict` has printed its
    result. A command whose work is done once it returns (it leaves no files
    open and no threads running) sets `exit_at_once=True` on its parser; its
    output is flushed and the process exits with `os._exit`. Outside the
    `keras-i3d` process (`main()` called from Python) this returns.
    """
    from keras_i3d import IS_CLI_PROCESS

    if not IS_CLI_PROCESS:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # A closed pipe: nothing more to write.
            pass
    os._exit(exit_code)


if __name__ == "__main__":
    sys.exit(main())
