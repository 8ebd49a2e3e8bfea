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
import importlib
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


def quiet_tensorflow():
    """Keeps TensorFlow's C++ start-up logs off the user's terminal.

    TensorFlow 2.21 prints its oneDNN and CUDA notices before absl logging
    starts, where `TF_CPP_MIN_LOG_LEVEL` has no effect, so the C-level
    stderr is silenced while TensorFlow is imported (and only then).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules or os.environ.get("KERAS_I3D_VERBOSE_TF"):
        return
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


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
    quiet_tensorflow()
    try:
        return args.func(args) or EXIT_OK
    except CLIError as error:
        print(f"keras-i3d {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"keras-i3d {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
