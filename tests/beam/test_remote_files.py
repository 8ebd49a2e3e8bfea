"""Remote paths go through Beam's FileSystems (here a stand-in scheme that
maps `fakeremote://` to a local folder, in this process's DirectRunner)."""

import os

import numpy as np
import pytest

pytest.importorskip("apache_beam", reason='needs the beam extra: pip install "keras-i3d[beam]"')

import apache_beam as beam  # noqa: E402
from apache_beam.io.localfilesystem import LocalFileSystem  # noqa: E402

from keras_i3d.beam import files  # noqa: E402
from keras_i3d.beam.failures import FAILURES  # noqa: E402
from keras_i3d.beam.flow import ComputeFlow  # noqa: E402
from keras_i3d.flow import read_flow  # noqa: E402
from keras_i3d.flow import read_flow_metadata  # noqa: E402
from keras_i3d.flow.corpus import compute_and_store_flow  # noqa: E402
from tests.video.corpus import moving_frames  # noqa: E402
from tests.video.corpus import write_video  # noqa: E402

SCHEME = "fakeremote"


class FakeRemoteFileSystem(LocalFileSystem):
    """`fakeremote://a/b` is `FakeRemoteFileSystem.root/a/b`; only whole
    files are created, opened and tested, as on an object store."""

    root = None

    @classmethod
    def scheme(cls):
        return SCHEME

    def _local(self, path):
        return os.path.join(self.root, path[len(f"{SCHEME}://") :])

    def create(self, path, *args, **kwargs):
        os.makedirs(os.path.dirname(self._local(path)), exist_ok=True)
        return super().create(self._local(path), *args, **kwargs)

    def open(self, path, *args, **kwargs):
        return super().open(self._local(path), *args, **kwargs)

    def exists(self, path):
        return super().exists(self._local(path))


@pytest.fixture
def remote_root(tmp_path, monkeypatch):
    monkeypatch.setattr(FakeRemoteFileSystem, "root", str(tmp_path / "bucket"))
    return tmp_path / "bucket"


def in_process_pipeline():
    from apache_beam.options.pipeline_options import PipelineOptions

    return beam.Pipeline(options=PipelineOptions(["--direct_running_mode=in_memory"]))


def test_flow_reads_and_writes_remote_files(tmp_path, remote_root):
    video = remote_root / "videos" / "clip.mp4"
    video.parent.mkdir(parents=True)
    write_video(video, moving_frames(4, 24, 32))
    settings = {"flow_method": "farneback", "flow_format": "npz", "short_side": None}
    with in_process_pipeline() as pipeline:
        result = (
            pipeline
            | beam.Create([f"{SCHEME}://videos/clip.mp4", f"{SCHEME}://videos/missing.mp4"])
            | ComputeFlow(f"{SCHEME}://flow", settings)
        )
        result[FAILURES] | beam.Map(lambda row: (tmp_path / "failed.txt").write_text(row["path"]))
    local = compute_and_store_flow(str(video), tmp_path / "local.npz", settings)
    np.testing.assert_array_equal(read_flow(remote_root / "flow" / "clip.npz"), read_flow(local))
    metadata = read_flow_metadata(remote_root / "flow" / "clip.npz")
    assert metadata["source"] == f"{SCHEME}://videos/clip.mp4"  # Not the local copy's.
    assert (tmp_path / "failed.txt").read_text() == f"{SCHEME}://videos/missing.mp4"
    assert files.exists(f"{SCHEME}://flow/clip.npz")
    assert not files.exists(f"{SCHEME}://flow/missing.npz")


def test_remote_flow_must_be_one_file_per_video():
    with pytest.raises(ValueError, match="must be stored as npz.*flow_format='jpg'"):
        ComputeFlow(f"{SCHEME}://flow", {"flow_format": "jpg"})
    with pytest.raises(ValueError, match="must be one file, not a folder"):
        files.write_output(f"{SCHEME}://out/folder", os.mkdir)


def test_paths_and_video_ids():
    assert files.is_local("/data/a.mp4") and not files.is_local("gs://bucket/a.mp4")
    assert files.video_id("gs://bucket/videos/v_run_01.mp4") == "v_run_01"
    assert files.video_id("/data/frames/v_run_01/") == "v_run_01"
    assert files.join("/data", "a.npz") == os.path.join("/data", "a.npz")
