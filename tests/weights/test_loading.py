import json
import logging
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.weights import hub
from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.files import WeightsFileInfo
from keras_i3d.weights.files import read_info
from keras_i3d.weights.files import save_weights_file
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.hashing import tensors_sha256
from keras_i3d.weights.porting import canonical_from_model
from keras_i3d.weights.resolving import WeightsNotInstalledError

CLASSES = 6
CLIP = np.random.default_rng(0).uniform(-1, 1, (1, 9, 193, 193, 3)).astype("float32")


@pytest.fixture(scope="module")
def source_model():
    model = I3D(
        weights=None, classes=CLASSES, classifier_activation=None, input_shape=(None, None, None, 3)
    )
    rng = np.random.default_rng(1)
    for variable in model.weights:  # non-trivial batch-norm statistics too
        shape = tuple(variable.shape)
        value = (
            rng.uniform(0.5, 1.5, shape)
            if "variance" in variable.path
            else rng.normal(0, 0.05, shape)
        )
        variable.assign(value.astype("float32"))
    return model


@pytest.fixture(scope="module")
def weights_file(source_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "rgb6.weights.h5"
    save_weights_file(
        source_model,
        path,
        WeightsFileInfo(stream="rgb", classes=CLASSES, label_set=None, record=None),
    )
    return path


def test_file_info_round_trip(weights_file):
    info = read_info(weights_file)
    assert (info.stream, info.classes) == ("rgb", CLASSES)


def test_loading_a_file_reproduces_the_model(source_model, weights_file):
    model = I3D(
        weights=str(weights_file),
        classes=CLASSES,
        classifier_activation=None,
        input_shape=(9, 193, 193, 3),
    )
    np.testing.assert_allclose(
        model.predict(CLIP, verbose=0), source_model.predict(CLIP, verbose=0), atol=1e-5
    )


def test_no_top_and_truncated_models_load_the_backbone(source_model, weights_file):
    features = I3D(
        weights=weights_file,
        include_top=False,
        final_endpoint="Mixed_4b",
        input_shape=(9, 193, 193, 3),
    )
    source_features = canonical_from_model(source_model)
    loaded = canonical_from_model(features)
    assert set(loaded) < set(source_features)
    for name, value in loaded.items():
        np.testing.assert_array_equal(value, source_features[name])


def test_new_class_count_reinitialises_only_the_head(weights_file, caplog):
    with caplog.at_level(logging.WARNING, logger="keras_i3d"):
        model = I3D(weights=weights_file, classes=3)
    assert "newly initialised" in caplog.text
    assert model.output_shape == (None, 3)
    source = canonical_from_model(I3D(weights=weights_file, classes=CLASSES))
    loaded = canonical_from_model(model)
    np.testing.assert_array_equal(
        loaded["Mixed_5c/Branch_0/Conv3d_0a_1x1/conv_3d/w"],
        source["Mixed_5c/Branch_0/Conv3d_0a_1x1/conv_3d/w"],
    )
    assert loaded["Logits/Conv3d_0c_1x1/conv_3d/w"].shape[-1] == 3


def test_wrong_stream_is_refused(weights_file):
    with pytest.raises(WeightsFileError, match="rgb-stream weights.*flow"):
        I3D(stream="flow", weights=weights_file)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x89HDF\r\n\x1a\n truncated", "truncated or not HDF5"),
        (b"plain text", "truncated or not HDF5"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.weights.h5"
    path.write_bytes(content)
    with pytest.raises(WeightsFileError, match=message):
        I3D(weights=str(path))


def test_truncated_real_file_is_refused(weights_file, tmp_path):
    data = weights_file.read_bytes()
    path = tmp_path / "cut.weights.h5"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsFileError, match="cut.weights.h5"):
        I3D(weights=str(path), classes=CLASSES)


def test_missing_file_and_unknown_names(tmp_path):
    with pytest.raises(WeightsFileError, match="no such weights file"):
        I3D(weights=str(tmp_path / "nope.weights.h5"))
    with pytest.raises(ValueError, match="Unknown weights 'kinetics-401'"):
        I3D(weights="kinetics-401")


def test_file_of_another_model_is_refused(tmp_path):
    other = I3D(
        weights=None, include_top=False, final_endpoint="Mixed_3b", input_shape=(8, 32, 32, 3)
    )
    path = tmp_path / "other.weights.h5"
    other.save_weights(path)
    with pytest.raises(WeightsFileError, match="does not hold the weights"):
        I3D(weights=str(path))


def test_alias_not_installed_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    with pytest.raises(WeightsNotInstalledError, match="keras-i3d weights install"):
        I3D(weights="kinetics400")


def _publish_folder(source_model, weights_file, folder, tensors_hash=None):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(weights_file, folder / "w.weights.h5")
    hub.Manifest(
        filename="w.weights.h5",
        sha256=file_sha256(folder / "w.weights.h5"),
        stream="rgb",
        classes=CLASSES,
        label_set=None,
        tensors_sha256=tensors_hash or tensors_sha256(canonical_from_model(source_model)),
        record=None,
    ).write(folder / hub.MANIFEST)
    return folder


def test_folder_with_manifest_loads_and_checks_the_tensor_hash(
    source_model, weights_file, tmp_path
):
    folder = _publish_folder(source_model, weights_file, tmp_path / "repo")
    model = I3D(
        weights=str(folder),
        classes=CLASSES,
        classifier_activation=None,
        input_shape=(9, 193, 193, 3),
    )
    np.testing.assert_allclose(
        model.predict(CLIP, verbose=0), source_model.predict(CLIP, verbose=0), atol=1e-5
    )
    bad = _publish_folder(source_model, weights_file, tmp_path / "bad", tensors_hash="0" * 64)
    with pytest.raises(WeightsFileError, match="corrupt or was altered"):
        I3D(weights=str(bad), classes=CLASSES)


def test_hf_uri_resolves_offline_from_the_hub_cache(source_model, weights_file, tmp_path):
    """`hf://owner/repo@rev` through huggingface_hub, offline.

    The repository is laid out in a Hugging Face cache exactly as
    `hf_hub_download` leaves it, and a fresh process with
    `HF_HUB_OFFLINE=1` loads the model from it. The sha256 check is
    exercised by a second repository whose manifest lies.
    """
    revision = "0123456789abcdef0123456789abcdef01234567"
    cache = tmp_path / "hf_cache"
    for repo, lie in (("good", False), ("liar", True)):
        snapshot = cache / f"models--keras-i3d-test--{repo}" / "snapshots" / revision
        _publish_folder(source_model, weights_file, snapshot)
        if lie:
            manifest = json.loads((snapshot / hub.MANIFEST).read_text())
            manifest["sha256"] = "f" * 64
            (snapshot / hub.MANIFEST).write_text(json.dumps(manifest))
        refs = snapshot.parents[1] / "refs"
        refs.mkdir()
        (refs / "main").write_text(revision)
    expected = source_model.predict(CLIP, verbose=0)
    np.save(tmp_path / "clip.npy", CLIP)
    np.save(tmp_path / "expected.npy", expected)
    script = f"""
import numpy as np
from keras_i3d import I3D
from keras_i3d.weights.hub import HubDownloadError
model = I3D(weights="hf://keras-i3d-test/good@{revision}", classes={CLASSES},
            classifier_activation=None, input_shape=(9, 193, 193, 3))
out = model.predict(np.load(r"{tmp_path / "clip.npy"}"), verbose=0)
assert np.abs(out - np.load(r"{tmp_path / "expected.npy"}")).max() < 1e-5
try:
    I3D(weights="hf://keras-i3d-test/liar", classes={CLASSES})
except HubDownloadError as error:
    assert "expected " + "f" * 64 in str(error), error
else:
    raise SystemExit("a wrong sha256 was accepted")
try:
    I3D(weights="hf://keras-i3d-test/absent", classes={CLASSES})
except HubDownloadError as error:
    assert "offline" in str(error), error
else:
    raise SystemExit("an absent repository loaded offline")
print("OK")
"""
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HUB_CACHE=str(cache), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=pathlib.Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr[-3000:]


def test_hf_uri_must_name_owner_and_repo():
    with pytest.raises(ValueError, match="hf://owner/repo"):
        hub.parse_uri("hf://just-a-name")
    assert hub.parse_uri("hf://a/b@v1") == ("a/b", "v1")


def test_plain_keras_file_says_its_class_count(source_model, tmp_path):
    # A file saved with model.save_weights (no keras-i3d attributes): the
    # class count comes from its Logits kernel.
    path = tmp_path / "plain.weights.h5"
    source_model.save_weights(path)
    assert read_info(path).classes == CLASSES and read_info(path).stream is None
    model = I3D(weights=str(path), classes=3)  # backbone + new 3-class head
    assert model.output_shape == (None, 3)
