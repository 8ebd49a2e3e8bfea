import json
import os
import subprocess
import sys

import pytest

from keras_i3d import I3D
from keras_i3d.weights import hub
from keras_i3d.weights import records
from keras_i3d.weights.hashing import file_sha256
from weights_conversion import publish

RECORD = records.I3D_RGB_KINETICS400_TFHUB


@pytest.fixture(scope="module")
def published_folder(installed_kinetics400, tmp_path_factory):
    out = tmp_path_factory.mktemp("hub") / RECORD.name
    return publish.write_repository(RECORD, installed_kinetics400.path, out)


# What keras-hub's save_to_preset writes for an I3DVideoClassifier.
KERAS_HUB_PRESET = [
    "config.json",
    "model.weights.h5",
    "metadata.json",
    "task.json",
    "task.weights.h5",
    "preprocessor.json",
    "video_converter.json",
    "image_converter.json",
]


def test_folder_has_weights_manifest_card_golden_and_keras_hub_preset(published_folder):
    names = sorted(p.name for p in published_folder.iterdir())
    assert names == sorted(
        [RECORD.filename, hub.MANIFEST, "README.md", "golden.json"] + KERAS_HUB_PRESET
    )
    manifest = hub.Manifest.read(published_folder / hub.MANIFEST)
    assert manifest.sha256 == file_sha256(published_folder / RECORD.filename)
    assert manifest.tensors_sha256 == RECORD.tensors_sha256
    card = (published_folder / "README.md").read_text()
    assert "68.4" in card and RECORD.source.sha256 in card
    assert card.startswith("---\nlicense: apache-2.0")
    assert "keras_hub.models.Backbone.from_preset" in card


def test_keras_hub_preset_names_the_registered_classes(published_folder):
    config = json.loads((published_folder / "config.json").read_text())
    task = json.loads((published_folder / "task.json").read_text())
    metadata = json.loads((published_folder / "metadata.json").read_text())

    assert config["registered_name"] == "keras_i3d>I3DBackbone"
    assert config["config"]["stream"] == RECORD.stream
    assert task["registered_name"] == "keras_i3d>I3DVideoClassifier"
    assert task["config"]["num_classes"] == RECORD.classes
    assert metadata["tasks"] == ["VideoClassifier"]


def test_without_keras_hub_preset_only_our_files_are_written(installed_kinetics400, tmp_path):
    out = publish.write_repository(
        RECORD, installed_kinetics400.path, tmp_path / "folder", keras_hub_preset=False
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([RECORD.filename, hub.MANIFEST, "README.md", "golden.json"])


def test_a_preset_that_differs_from_the_golden_logits_fails(
    installed_kinetics400, tmp_path, monkeypatch
):
    from keras_i3d.hub import video_classifier

    build = video_classifier.video_classifier_from_model

    def off_by_one_bias(*args, **kwargs):
        classifier = build(*args, **kwargs)
        kernel, bias = classifier.output_dense.get_weights()
        classifier.output_dense.set_weights([kernel, bias + 1.0])
        return classifier

    monkeypatch.setattr(video_classifier, "video_classifier_from_model", off_by_one_bias)
    model = I3D(weights=str(installed_kinetics400.path), classifier_activation=None)
    with pytest.raises(SystemExit, match="the keras-hub preset"):
        publish.write_keras_hub_preset(model, RECORD, tmp_path)


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
