"""`keras-i3d`: the command-line entry point.

Each subcommand lives in its own module of this package and provides
`add_parser(subparsers)` (which sets `func` on its parser) and raises
`CLIError` for failures the user can fix. `main` prints those on stderr and
returns a non-zero exit code; successful runs return 0.
"""

import argparse
import importlib
import os
import sys

# Subcommand modules, in the order `--help` lists them.
SUBCOMMAND_MODULES = (
    "keras_i3d.cli.predict",
    "keras_i3d.cli.weights",
    "keras_i3d.cli.flow",
    "keras_i3d.cli.extract_features",
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """An error the CLI reports on stderr, without a traceback."""

    def __init__(self, message, exit_code=EXIT_ERROR):
        super().__init__(message)
        self.exit_code = exit_code


def build_parser():
    from keras_i3d import __version__

    parser = argparse.ArgumentParser(
        prog="keras-i3d",
        description="I3D video action recognition (Keras 3 / TensorFlow).",
    )
    parser.add_argument(
        "--version", action="version", version=f"keras-i3d {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def quiet_tensorflow():
    """Keeps TensorFlow's C++ start-up logs off the user's terminal."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    quiet_tensorflow()
    parser = build_parser()
    args = parser.parse_args(argv)
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
