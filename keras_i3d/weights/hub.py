"""Downloads from the Hugging Face Hub, pinned and verified.

A keras-i3d Hub repository (written by `weights_conversion/publish.py`)
holds the weights file, a manifest `keras_i3d.json` (file name, sha256,
stream, classes, label set), a model card and golden outputs. Downloads go
through `huggingface_hub`, so its cache and `HF_HUB_OFFLINE=1` apply.
"""

import dataclasses
import json
import pathlib
from typing import Optional

from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.hashing import file_sha256

MANIFEST = "keras_i3d.json"
URI_PREFIX = "hf://"


class HubDownloadError(WeightsFileError):
    """The Hub could not provide a weights file."""


@dataclasses.dataclass(frozen=True)
class Manifest:
    """The contents of a repository's `keras_i3d.json`."""

    filename: str
    sha256: str
    stream: str
    classes: int
    label_set: Optional[str]
    tensors_sha256: Optional[str]
    record: Optional[str]

    @classmethod
    def read(cls, path):
        path = pathlib.Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                filename=payload["filename"],
                sha256=payload["sha256"],
                stream=payload["stream"],
                classes=int(payload["classes"]),
                label_set=payload.get("label_set"),
                tensors_sha256=payload.get("tensors_sha256"),
                record=payload.get("record"),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise WeightsFileError(
                f"{path}: not a valid keras-i3d manifest ({error!r})."
            ) from None

    def write(self, path):
        pathlib.Path(path).write_text(
            json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )


def parse_uri(uri):
    """Splits `hf://owner/repo[@revision]` into `(repo_id, revision)`."""
    if not uri.startswith(URI_PREFIX):
        raise ValueError(f"Not a Hub URI (hf://owner/repo): {uri!r}")
    rest = uri[len(URI_PREFIX):]
    repo_id, _, revision = rest.partition("@")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise ValueError(
            f"A Hub URI names a repository as hf://owner/repo[@revision]. "
            f"Received: {uri!r}"
        )
    return repo_id, revision or None


def download_file(repo_id, filename, revision, expected_sha256=None):
    """Downloads one file of a model repository and checks its sha256.

    Returns:
        The local path (inside the Hugging Face cache).

    Raises:
        HubDownloadError: offline without a cached copy, no such
            repository, revision or file, a network failure, or a sha256
            that differs from `expected_sha256`.
    """
    import huggingface_hub
    from huggingface_hub import errors

    where = f"{repo_id}@{revision or 'main'}/{filename}"
    try:
        path = huggingface_hub.hf_hub_download(
            repo_id=repo_id, filename=filename, revision=revision
        )
    except errors.LocalEntryNotFoundError:
        raise HubDownloadError(
            f"{where} is not in the local Hugging Face cache and cannot be "
            "downloaded (offline: HF_HUB_OFFLINE is set, or the Hub is "
            "unreachable). Connect to the internet once, or pass a local "
            "weights file."
        ) from None
    except errors.RepositoryNotFoundError:
        raise HubDownloadError(
            f"The Hub has no repository {repo_id!r} (or it is private)."
        ) from None
    except errors.RevisionNotFoundError:
        raise HubDownloadError(
            f"The Hub repository {repo_id!r} has no revision {revision!r}."
        ) from None
    except errors.EntryNotFoundError:
        raise HubDownloadError(f"The Hub has no file {where}.") from None
    except (errors.HfHubHTTPError, OSError) as error:
        raise HubDownloadError(
            f"Downloading {where} failed: {error}"
        ) from None
    if expected_sha256 is not None:
        actual = file_sha256(path)
        if actual != expected_sha256:
            raise HubDownloadError(
                f"{where} has sha256 {actual}, expected {expected_sha256}: "
                "the download is corrupt or the file changed. Delete it "
                f"from the Hugging Face cache ({path}) and try again."
            )
    return pathlib.Path(path)


def download_repository(uri):
    """Downloads the weights of `hf://owner/repo[@revision]`.

    Returns:
        `(path, manifest)`.
    """
    repo_id, revision = parse_uri(uri)
    manifest = Manifest.read(download_file(repo_id, MANIFEST, revision))
    path = download_file(repo_id, manifest.filename, revision,
                         expected_sha256=manifest.sha256)
    return path, manifest


def download_record(record):
    """Downloads a published record's file at its pinned revision."""
    return download_file(
        record.hub_repo,
        record.filename,
        record.hub_revision,
        expected_sha256=record.file_sha256,
    )
