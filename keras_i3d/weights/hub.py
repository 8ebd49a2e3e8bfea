"""Downloads from the Hugging Face Hub, pinned and verified.

A keras-i3d Hub repository (written by `weights_conversion/publish.py`)
holds the weights file, a manifest `keras_i3d.json` (file name, sha256,
stream, classes, label set), a model card and golden outputs. Downloads go
through `huggingface_hub`, so its cache, `HF_ENDPOINT` and
`HF_HUB_OFFLINE=1` apply; an unreachable Hub fails fast (see
`download_file`).
"""

import dataclasses
import json
import os
import pathlib
import re
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
            raise WeightsFileError(f"{path}: not a valid keras-i3d manifest ({error!r}).") from None

    def write(self, path):
        pathlib.Path(path).write_text(
            json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )


def parse_uri(uri):
    """Splits `hf://owner/repo[@revision]` into `(repo_id, revision)`."""
    if not uri.startswith(URI_PREFIX):
        raise ValueError(f"Not a Hub URI (hf://owner/repo): {uri!r}")
    rest = uri[len(URI_PREFIX) :]
    repo_id, _, revision = rest.partition("@")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise ValueError(
            f"A Hub URI names a repository as hf://owner/repo[@revision]. Received: {uri!r}"
        )
    return repo_id, revision or None


def download_file(repo_id, filename, revision, expected_sha256=None):
    """Downloads one file of a model repository and checks its sha256.

    The Hugging Face cache is used first when the revision is a commit hash
    (its files never change) or when `HF_HUB_OFFLINE` is set (then nothing
    else is tried). Otherwise one request without retries asks the Hub for
    the file, so an unreachable Hub fails within a few seconds, falling back
    to a cached copy when there is one, instead of retrying for half a
    minute as `huggingface_hub` does on its own.

    Returns:
        The local path (inside the Hugging Face cache).

    Raises:
        HubDownloadError: offline without a cached copy, the Hub unreachable
            without a cached copy, no such repository, revision or file, or
            a sha256 that differs from `expected_sha256`.
    """
    import huggingface_hub
    from huggingface_hub import errors

    where = f"{repo_id}@{revision or 'main'}/{filename}"
    cached = _cached_path(repo_id, filename, revision)
    if hub_offline():
        if cached is None:
            raise HubDownloadError(
                f"{where} is not in the local Hugging Face cache "
                f"({huggingface_hub.constants.HF_HUB_CACHE}) and "
                "HF_HUB_OFFLINE is set (offline mode), so it is not "
                "downloaded. Unset HF_HUB_OFFLINE to download it once, or "
                "pass a local weights file."
            )
        path = cached
    elif cached is not None and _is_commit_hash(revision):
        path = cached
    else:
        try:
            unreachable = _why_the_hub_is_unreachable(repo_id, filename, revision)
            if unreachable is None:
                path = huggingface_hub.hf_hub_download(
                    repo_id=repo_id, filename=filename, revision=revision
                )
            elif cached is not None:
                path = cached
            else:
                raise HubDownloadError(
                    f"Cannot download {where}: the Hugging Face Hub at "
                    f"{huggingface_hub.constants.ENDPOINT} cannot be reached "
                    f"({unreachable}) and the file is not in the local cache "
                    f"({huggingface_hub.constants.HF_HUB_CACHE}). Check the "
                    "connection (and HF_ENDPOINT), or pass a local weights "
                    "file."
                )
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
            raise HubDownloadError(f"Downloading {where} failed: {error}") from None
    if expected_sha256 is not None:
        actual = file_sha256(path)
        if actual != expected_sha256:
            raise HubDownloadError(
                f"{where} has sha256 {actual}, expected {expected_sha256}: "
                "the download is corrupt or the file changed. Delete it "
                f"from the Hugging Face cache ({path}) and try again."
            )
    return pathlib.Path(path)


def hub_offline():
    """Whether `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) is set.

    Read when called, so that setting it after `huggingface_hub` was
    imported (which reads it once) counts too.
    """
    from huggingface_hub import constants

    return constants.is_offline_mode() or any(
        os.environ.get(name, "").upper() in constants.ENV_VARS_TRUE_VALUES
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _cached_path(repo_id, filename, revision):
    """The file's path in the Hugging Face cache, or None."""
    import huggingface_hub

    cached = huggingface_hub.try_to_load_from_cache(repo_id, filename, revision=revision)
    return cached if isinstance(cached, str) else None


def _is_commit_hash(revision):
    return revision is not None and bool(re.fullmatch(r"[0-9a-f]{40}", revision))


# HTTP answers that huggingface_hub retries: the Hub is there but not now.
_UNAVAILABLE_STATUS_CODES = (408, 429, 500, 502, 503, 504)


def _why_the_hub_is_unreachable(repo_id, filename, revision):
    """Asks the Hub for the file once, without retries.

    Returns:
        None when the Hub answered (the file can be downloaded), or why it
        cannot be reached (a network error, or a busy or failing server).

    Raises:
        huggingface_hub.errors.HfHubHTTPError: the Hub answered that the
            repository, revision or file does not exist or is not allowed.
    """
    import huggingface_hub
    from huggingface_hub import constants
    from huggingface_hub import errors

    url = huggingface_hub.hf_hub_url(repo_id, filename, revision=revision)
    try:
        huggingface_hub.get_hf_file_metadata(url, timeout=constants.HF_HUB_ETAG_TIMEOUT)
    except errors.HfHubHTTPError as error:
        status = getattr(error.response, "status_code", None)
        if status in _UNAVAILABLE_STATUS_CODES:
            return str(error)
        raise
    except Exception as error:  # noqa: BLE001 - the HTTP client's network errors
        return str(error) or type(error).__name__
    return None


def download_repository(uri):
    """Downloads the weights of `hf://owner/repo[@revision]`.

    Returns:
        `(path, manifest)`.
    """
    repo_id, revision = parse_uri(uri)
    manifest = Manifest.read(download_file(repo_id, MANIFEST, revision))
    path = download_file(repo_id, manifest.filename, revision, expected_sha256=manifest.sha256)
    return path, manifest


def download_record(record):
    """Downloads a published record's file at its pinned revision."""
    return download_file(
        record.hub_repo,
        record.filename,
        record.hub_revision,
        expected_sha256=record.file_sha256,
    )
