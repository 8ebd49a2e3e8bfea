"""keras-i3d weights files: Keras `.weights.h5` plus a few root attributes.

A weights file holds the full model of one stream (all endpoints and the
Logits head) saved with `model.save_weights`. keras-i3d adds attributes to
the HDF5 root so a file says what it holds: its stream, class count, label
set and record name. Files without them (saved by a user from a full I3D)
still load when the stream and class count are given.
"""

import dataclasses
import json
import os
import pathlib
from typing import Optional

import h5py

from keras_i3d.atomic_files import atomic_output

ATTRIBUTE = "keras_i3d"
FORMAT_VERSION = 1


class WeightsFileError(ValueError):
    """A weights file is missing, unreadable, or not what it should be."""


@dataclasses.dataclass(frozen=True)
class WeightsFileInfo:
    """What a keras-i3d weights file says about itself."""

    stream: Optional[str]
    classes: Optional[int]
    label_set: Optional[str] = None
    record: Optional[str] = None


def write_info(path, info):
    """Adds keras-i3d's attributes to a `.weights.h5` file."""
    payload = dict(dataclasses.asdict(info), format=FORMAT_VERSION)
    with h5py.File(path, "a") as file:
        file.attrs[ATTRIBUTE] = json.dumps(payload, sort_keys=True)


def read_info(path):
    """Reads a weights file's keras-i3d attributes.

    Returns:
        A `WeightsFileInfo`; its fields are None for a plain Keras file.

    Raises:
        WeightsFileError: the file is missing, truncated or not HDF5.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise WeightsFileError(f"{path}: no such weights file.")
    if os.path.getsize(path) == 0:
        raise WeightsFileError(f"{path}: the weights file is empty.")
    try:
        with h5py.File(path, "r") as file:
            raw = file.attrs.get(ATTRIBUTE)
            if "layers" not in file and raw is None:
                raise WeightsFileError(
                    f"{path}: an HDF5 file, but not a Keras weights file "
                    "(it has no 'layers' group)."
                )
    except OSError as error:
        raise WeightsFileError(
            f"{path}: not a readable weights file (truncated or not HDF5: {error})."
        ) from None
    if raw is None:
        return WeightsFileInfo(stream=None, classes=_logits_classes(path))
    payload = json.loads(raw)
    return WeightsFileInfo(
        stream=payload.get("stream"),
        classes=payload.get("classes"),
        label_set=payload.get("label_set"),
        record=payload.get("record"),
    )


def save_weights_file(model, path, info):
    """Saves `model`'s weights with keras-i3d attributes, atomically.

    The file is written beside its destination and renamed into place, so
    an interrupted save never leaves a half-written file under `path`.
    """
    path = pathlib.Path(path)
    with atomic_output(path) as temporary:
        model.save_weights(temporary)
        write_info(temporary, info)
    return path


# The classifiers of I3D (a 1x1x1 conv) and Inception-v1 (a 1x1 conv) are
# their only 1x1 convolutions reading 1024 channels (Mixed_5c).
_CLASSIFIER_INPUT_CHANNELS = 1024


def _logits_classes(path):
    """The class count of a plain Keras I3D or Inception-v1 file, or None.

    Read from the shape of its classifier kernel `(1, 1, 1, 1024, classes)`
    (I3D) or `(1, 1, 1024, classes)` (Inception-v1).
    """
    found = set()

    def visit(name, item):
        if not isinstance(item, h5py.Dataset) or len(item.shape) not in (4, 5):
            return
        *kernel, channels, classes = item.shape
        if set(kernel) == {1} and channels == _CLASSIFIER_INPUT_CHANNELS:
            found.add(int(classes))

    with h5py.File(path, "r") as file:
        file.visititems(visit)
    return found.pop() if len(found) == 1 else None
