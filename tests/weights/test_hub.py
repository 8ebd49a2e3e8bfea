"""`hf://` downloads fail fast without a network and honour HF_HUB_OFFLINE.

Each case runs in a fresh process, because huggingface_hub reads
`HF_ENDPOINT`, `HF_HUB_CACHE` and `HF_HUB_OFFLINE` when it is imported. The
unreachable Hub is a closed port on the loopback interface.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"
REVISION = "0123456789abcdef0123456789abcdef01234567"
# huggingface_hub alone retries for ~23 s here; one refused connection and
# the Python start-up take about 2 s.
FAIL_FAST_SECONDS = 8

SCRIPT = """
import json, sys, time
from keras_i3d.weights.hub import HubDownloadError, download_file
start = time.monotonic()
try:
    path = download_file(sys.argv[1], sys.argv[2], sys.argv[3] or None)
    outcome = {"path": str(path)}
except HubDownloadError as error:
    outcome = {"error": str(error)}
outcome["seconds"] = time.monotonic() - start
print(json.dumps(outcome))
"""


def _download(tmp_path, repo_id, filename, revision=None, **environment):
    env = dict(
        os.environ,
        HF_HUB_CACHE=str(tmp_path / "hf_cache"),
        HF_ENDPOINT=UNREACHABLE_ENDPOINT,
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("TRANSFORMERS_OFFLINE", None)
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, repo_id, filename, revision or ""],
        env=env,
        cwd=pathlib.Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Retrying" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def _cache_file(tmp_path, repo_id, filename, content, revision=REVISION):
    owner, name = repo_id.split("/")
    repository = tmp_path / "hf_cache" / f"models--{owner}--{name}"
    snapshot = repository / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (snapshot / filename).write_text(content)
    (repository / "refs").mkdir()
    (repository / "refs" / "main").write_text(revision)
    return snapshot / filename


def test_an_unreachable_hub_fails_fast_naming_the_file_and_endpoint(
    tmp_path,
):
    outcome = _download(tmp_path, "keras-i3d-test/absent", "keras_i3d.json")
    assert outcome["seconds"] < FAIL_FAST_SECONDS, outcome
    message = outcome["error"]
    assert "keras-i3d-test/absent@main/keras_i3d.json" in message
    assert UNREACHABLE_ENDPOINT in message
    assert "not in the local cache" in message


def test_an_unreachable_hub_falls_back_to_the_cache(tmp_path):
    cached = _cache_file(tmp_path, "keras-i3d-test/good", "a.json", "{}")
    outcome = _download(tmp_path, "keras-i3d-test/good", "a.json")
    assert outcome["seconds"] < FAIL_FAST_SECONDS, outcome
    assert pathlib.Path(outcome["path"]).resolve() == cached.resolve()


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
def test_offline_reads_only_the_cache_and_names_the_variable(tmp_path, variable):
    cached = _cache_file(tmp_path, "keras-i3d-test/good", "a.json", "{}")
    outcome = _download(
        tmp_path,
        "keras-i3d-test/good",
        "a.json",
        REVISION,
        **{variable: "1"},
    )
    assert pathlib.Path(outcome["path"]).resolve() == cached.resolve()
    outcome = _download(
        tmp_path,
        "keras-i3d-test/absent",
        "keras_i3d.json",
        **{variable: "1"},
    )
    assert outcome["seconds"] < FAIL_FAST_SECONDS, outcome
    assert "keras-i3d-test/absent@main/keras_i3d.json" in outcome["error"]
    assert "HF_HUB_OFFLINE is set" in outcome["error"]
