"""Where keras-i3d keeps installed weights."""

import os
import pathlib

HOME_ENV = "KERAS_I3D_HOME"


def home_dir():
    """The keras-i3d data folder: `$KERAS_I3D_HOME` or `~/.cache/keras_i3d`."""
    home = os.environ.get(HOME_ENV)
    if home:
        return pathlib.Path(home).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(cache) / "keras_i3d"


def weights_dir():
    """The folder of installed weights files."""
    return home_dir() / "weights"


def installed_path(record):
    """Where `keras-i3d weights install` puts a record's file."""
    return weights_dir() / record.filename
