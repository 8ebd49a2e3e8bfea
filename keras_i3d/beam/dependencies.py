"""The `[beam]` extra: importing Apache Beam, or saying how to install it."""

import importlib

EXTRA_INSTALL = 'pip install "keras-i3d[beam]"'


class MissingBeamError(ImportError):
    """Apache Beam is not installed."""


def import_beam():
    """Imports `apache_beam`, or says which extra provides it.

    Returns:
        The `apache_beam` module.

    Raises:
        MissingBeamError: Apache Beam cannot be imported.
    """
    try:
        return importlib.import_module("apache_beam")
    except ImportError as error:
        raise MissingBeamError(
            f"Running a corpus job on Apache Beam needs the optional package "
            f"'apache-beam' ({error}). Install the beam extra: {EXTRA_INSTALL}"
        ) from None
