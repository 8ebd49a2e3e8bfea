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
