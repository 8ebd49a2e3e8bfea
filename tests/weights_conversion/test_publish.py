import os
import subprocess
import sys

import pytest

from keras_i3d.weights import hub
from keras_i3d.weights import records
from keras_i3d.weights.hashing import file_sha256
from weights_conversion import publish

RECORD = records.I3D_RGB_KINETICS400_TFHUB


@pytest.fixture(scope="module")
def published_folder(installed_kinetics400, tmp_path_factory):
    out = tmp_path_factory.mktemp("hub") / RECORD.name
    return publish.write_repository(RECORD, installed_kinetics400.path, out)


def test_folder_has_weights_manifest_card_and_golden(published_folder):
    names = sorted(p.name for p in published_folder.iterdir())
    assert names == sorted([RECORD.filename, hub.MANIFEST, "README.md", "golden.json"])
    manifest = hub.Manifest.read(published_folder / hub.MANIFEST)
    assert manifest.sha256 == file_sha256(published_folder / RECORD.filename)
    assert manifest.tensors_sha256 == RECORD.tensors_sha256
    card = (published_folder / "README.md").read_text()
    assert "68.4" in card and RECORD.source.sha256 in card
    assert card.startswith("---\nlicense: apache-2.0")


def test_folder_loads_offline(published_folder, tmp_path):
    script = (
        "from keras_i3d import I3D, decode_predictions\n"
        "from keras_i3d.weights.verify import golden_clip\n"
        "import numpy as np, json\n"
        f"m = I3D(weights=r'{published_folder}', classifier_activation=None)\n"
        "out = m.predict(golden_clip((1, 16, 224, 224, 3)), verbose=0)\n"
        f"g = json.load(open(r'{published_folder / 'golden.json'}'))\n"
        "assert np.abs(out - np.array(g['logits'])).max() < 1e-4\n"
        "print('OK')\n"
    )
    env = dict(
        os.environ, HF_HUB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3", KERAS_I3D_HOME=str(tmp_path)
    )  # nothing installed there
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr


def test_push_needs_a_repo_id(capsys):
    with pytest.raises(SystemExit):
        publish.main(["--record", RECORD.name, "--weights", "x", "--out", "y", "--push"])
    assert "--push needs --repo-id" in capsys.readouterr().err
