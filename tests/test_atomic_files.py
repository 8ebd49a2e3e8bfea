import os
import stat

import numpy as np
import pytest

from keras_i3d.atomic_files import atomic_output
from keras_i3d.atomic_files import atomic_write
from keras_i3d.atomic_files import partial_outputs
from keras_i3d.atomic_files import remove_partial_outputs


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_and_folders_get_the_umask_permissions(tmp_path, umask):
    file_path = atomic_write(tmp_path / "a.npy", lambda f: np.save(f, [1]))
    assert _mode(file_path) == 0o666 & ~umask
    with atomic_output(tmp_path / "frames", folder=True) as temporary:
        assert _mode(temporary) == 0o777 & ~umask
        (temporary / "x.txt").write_text("x")
    assert _mode(tmp_path / "frames") == 0o777 & ~umask
    assert _mode(tmp_path / "frames" / "x.txt") == 0o666 & ~umask


def test_a_writer_that_reopens_the_path_keeps_the_permissions(tmp_path, umask):
    import h5py

    with (
        atomic_output(tmp_path / "w.h5") as temporary,
        h5py.File(temporary, "w") as file,
    ):
        file["x"] = np.zeros(3)
    assert _mode(tmp_path / "w.h5") == 0o666 & ~umask


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path,
):
    target = tmp_path / "state.npz"
    target.write_bytes(b"old")

    def crash(file):
        file.write(b"half")
        raise KeyboardInterrupt("killed while saving")

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, crash)
    assert target.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["state.npz"]
    with (
        pytest.raises(RuntimeError),
        atomic_output(tmp_path / "folder", folder=True) as temporary,
    ):
        (temporary / "part").write_text("x")
        raise RuntimeError("interrupted")
    assert [entry.name for entry in tmp_path.iterdir()] == ["state.npz"]


def test_overwrite_replaces_a_file_or_a_full_folder(tmp_path):
    target = tmp_path / "out"
    with atomic_output(target, folder=True) as temporary:
        (temporary / "old").write_text("old")
    with (
        pytest.raises(FileExistsError, match="overwrite=True"),
        atomic_output(target, folder=True, overwrite=False),
    ):
        pass
    with atomic_output(target, folder=True) as temporary:
        (temporary / "new").write_text("new")
    assert [entry.name for entry in target.iterdir()] == ["new"]
    assert [entry.name for entry in tmp_path.iterdir()] == ["out"]


def test_the_suffix_is_kept_and_the_parent_folder_created(tmp_path):
    target = tmp_path / "sub" / "best.weights.h5"
    with atomic_output(target) as temporary:
        assert temporary.parent == target.parent
        assert temporary.name.endswith("-best.weights.h5")
        assert temporary.name.startswith(".")
        assert partial_outputs(target) == [temporary]
    assert target.is_file()


def test_leftovers_of_an_interrupted_run_can_be_removed(tmp_path):
    target = tmp_path / "video"
    (tmp_path / ".partial-0123abcd-video").mkdir()
    (tmp_path / ".partial-0123abcd-video" / "flow_x_00001.png").write_bytes(b"x")
    (tmp_path / ".partial-89abcdef-video").write_bytes(b"x")
    # Another target whose name ends like this one's is left alone.
    (tmp_path / ".partial-0123abcd-my-video").mkdir()
    (tmp_path / ".partial-0123abcd-other").mkdir()
    assert remove_partial_outputs(target) == 2
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [
        ".partial-0123abcd-my-video",
        ".partial-0123abcd-other",
    ]
    assert remove_partial_outputs(tmp_path / "missing" / "video") == 0
