"""A retried bundle duplicates nothing: each step run twice on the same
element (as a runner does after a worker dies) leaves one complete output."""

import pytest

pytest.importorskip("apache_beam", reason='needs the beam extra: pip install "keras-i3d[beam]"')

from keras_i3d.beam.failures import FAILURES  # noqa: E402
from keras_i3d.beam.per_video import ProcessVideos  # noqa: E402
from keras_i3d.beam.tfrecords import WriteShard  # noqa: E402
from keras_i3d.beam.tfrecords import assign_shard  # noqa: E402


class CountingWork:
    """Writes `target` atomically and counts its calls; fails on `bad` paths."""

    def __init__(self):
        self.calls = []

    def __call__(self, path, target):
        from keras_i3d.atomic_files import atomic_write

        self.calls.append(path)
        if "bad" in path:
            raise ValueError(f"{path}: not a video file, or it is corrupt")
        atomic_write(target, lambda file: file.write(path.encode()))


def test_a_retried_video_is_done_once(tmp_path):
    work = CountingWork()
    step = ProcessVideos(work, lambda path: str(tmp_path / f"{path}.out"))
    assert list(step.process("a")) == [str(tmp_path / "a.out")]
    written = (tmp_path / "a.out").stat().st_mtime_ns
    assert list(step.process("a")) == []  # The retry finds the output.
    assert work.calls == ["a"]
    assert (tmp_path / "a.out").stat().st_mtime_ns == written
    (failure,) = step.process("bad")
    assert failure.tag == FAILURES
    assert failure.value == {"path": "bad", "reason": "bad: not a video file, or it is corrupt"}
    assert not (tmp_path / "bad.out").exists()


def test_a_video_with_several_outputs_is_done_when_all_exist(tmp_path):
    work = CountingWork()
    targets = (str(tmp_path / "a_rgb.out"), str(tmp_path / "a_flow.out"))
    step = ProcessVideos(
        lambda path, paths: [work(path, each) for each in paths], lambda _: targets
    )
    (tmp_path / "a_rgb.out").write_text("done earlier")
    assert list(step.process("a")) == [targets]
    assert list(step.process("a")) == []


def test_a_retried_shard_is_written_once(tmp_path):
    import tensorflow as tf

    paths = [str(tmp_path / "videos-00000-of-00001.tfrecord")]
    records = [(1, (b"second", 3)), (0, (b"first", 2)), None]
    step = WriteShard(paths, overwrite=False)
    assert list(step.process((0, records))) == paths
    assert list(step.process((0, records))) == []
    assert [record.numpy() for record in tf.data.TFRecordDataset(paths[0])] == [b"first", b"second"]


def test_shards_skip_the_failed_videos_as_the_local_writer_does():
    # Videos 0..5, 1 and 4 failed: the readable ones 0, 2, 3, 5 go to 0, 1, 0, 1.
    shards = [assign_shard((index, None), [1, 4], 2)[0] for index in (0, 2, 3, 5)]
    assert shards == [0, 1, 0, 1]
