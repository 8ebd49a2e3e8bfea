"""The Beam jobs on the DirectRunner with 2 worker processes match the local path.

Over a folder that holds a corrupt file: flow byte-identical to
`keras-i3d flow`, features (slow) to `keras-i3d extract-features`,
TFRecords equal to `write_tfrecords`'s, the corrupt file in
`failures.jsonl`, and no work on a rerun.
"""

import os
import pathlib

import pytest

pytest.importorskip("apache_beam", reason='needs the beam extra: pip install "keras-i3d[beam]"')

from keras_i3d.beam import jobs  # noqa: E402
from keras_i3d.cli import main as cli_main  # noqa: E402
from tests.video.corpus import moving_frames  # noqa: E402
from tests.video.corpus import write_garbage  # noqa: E402
from tests.video.corpus import write_video  # noqa: E402

FLOW_SETTINGS = dict(flow_method="farneback", short_side=None)
WORKERS = 2


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus") / "jumping"
    folder.mkdir()
    for index in range(3):
        write_video(folder / f"clip{index}.mp4", moving_frames(4 + index, 24, 32, seed=index))
    write_garbage(folder / "broken.mp4")
    return folder


def files_under(folder):
    """`{relative path: bytes}` of every file under `folder`."""
    folder = pathlib.Path(folder)
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def examples(shard):
    """The `tf.train.Example`s of a TFRecord file, in order."""
    import tensorflow as tf

    return [
        tf.train.Example.FromString(record.numpy())
        for record in tf.data.TFRecordDataset(str(shard))
    ]


def video_paths(folder):
    return sorted(str(path) for path in pathlib.Path(folder).iterdir())


def flow_on_beam_and_locally(tmp_path, videos, flow_format):
    """Runs the local command and the Beam job; returns the Beam job's summary."""
    argv = ["flow", str(videos), "--out", str(tmp_path / "local"), "--format", flow_format]
    argv += ["--flow-method", "farneback", "--short-side", "0"]
    assert cli_main.main(argv) != 0  # The corrupt file fails the local run.
    settings = dict(FLOW_SETTINGS, flow_format=flow_format)
    summary = jobs.run_flow_job(video_paths(videos), tmp_path / "beam", settings, workers=WORKERS)
    assert summary.count("done") == 3 and summary.count("failed") == 1
    assert [path for path, _ in summary.failures] == [str(videos / "broken.mp4")]
    assert "not a video file, or it is corrupt" in summary.failures[0][1]
    beam_files = files_under(tmp_path / "beam")
    assert beam_files.pop("failures.jsonl")
    assert beam_files == files_under(tmp_path / "local")
    assert len(beam_files) >= 3
    return settings


def test_flow_equals_the_local_command_and_a_rerun_does_no_work(tmp_path, videos):
    settings = flow_on_beam_and_locally(tmp_path, videos, "npz")
    out = tmp_path / "beam"
    written = {path.name: path.stat().st_mtime_ns for path in out.glob("*.npz")}
    assert sorted(written) == ["clip0.npz", "clip1.npz", "clip2.npz"]
    summary = jobs.run_flow_job(video_paths(videos), out, settings, workers=WORKERS)
    assert summary.count("done") == 0 and summary.count("skipped") == 3
    # The corrupt file has no output, so it is tried (and listed) again.
    assert [path for path, _ in summary.failures] == [str(videos / "broken.mp4")]
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("*.npz")} == written
    assert not list(out.glob(".partial-*"))


@pytest.mark.slow
def test_flow_image_folders_equal_the_local_command(tmp_path, videos):
    flow_on_beam_and_locally(tmp_path, videos, "jpg")


def test_tfrecords_equal_the_local_writer(tmp_path, videos):
    from keras_i3d.data.formats import read_class_folders
    from keras_i3d.data.tfrecords import write_tfrecords

    samples = read_class_folders(videos.parent)
    options = dict(num_shards=2, prefix="videos", short_side=None, jpeg_quality=90)
    local = write_tfrecords(samples, tmp_path / "local", **options)
    summary = jobs.run_tfrecords_job(samples, tmp_path / "beam", workers=WORKERS, **options)
    assert [path for path, _ in summary.failures] == [str(videos / "broken.mp4")]
    assert summary.count("done") == local["videos"] == 3
    assert summary.count("frames") == local["frames"]
    for local_shard in local["shards"]:
        beam_shard = tmp_path / "beam" / os.path.basename(local_shard)
        # Equal Examples in the same order: the bytes of a proto map (the
        # features) may come in another order from another process.
        assert examples(beam_shard) == examples(local_shard)
        assert len(examples(local_shard)) in (1, 2)
    rerun = jobs.run_tfrecords_job(samples, tmp_path / "beam", workers=WORKERS, **options)
    assert rerun.count("done") == 0 and rerun.count("skipped_shards") == 2


@pytest.mark.slow  # each worker process imports TensorFlow and builds the model
def test_features_equal_the_local_command_and_a_rerun_does_no_work(tmp_path, videos):
    from keras_i3d.models.i3d import I3D
    from keras_i3d.tasks.features.settings import FeatureSettings

    weights = str(tmp_path / "random.weights.h5")
    I3D(weights=None).save_weights(weights)
    argv = ["extract-features", str(videos), "--out", str(tmp_path / "local"), "--weights", weights]
    argv += ["--window", "4", "--stride", "2", "--short-side", "24", "--crop-size", "24"]
    assert cli_main.main(argv) == 1  # The corrupt file fails the local run.
    settings = FeatureSettings(window=4, stride=2, short_side=24, crop_size=24)
    options = dict(settings=settings, weights={"rgb": weights}, workers=WORKERS)
    out = tmp_path / "beam"
    summary = jobs.run_features_job(video_paths(videos), out, **options)
    assert summary.count("done") == 3 and summary.count("failed") == 1
    assert [path for path, _ in summary.failures] == [str(videos / "broken.mp4")]
    beam_files = files_under(out)
    assert beam_files.pop("failures.jsonl")
    assert beam_files == files_under(tmp_path / "local")
    assert len(beam_files) == 6  # clip<k>_rgb.npy and clip<k>.json
    written = {path.name: path.stat().st_mtime_ns for path in out.glob("clip*")}
    rerun = jobs.run_features_job(video_paths(videos), out, **options)
    assert rerun.count("done") == 0 and rerun.count("skipped") == 3
    assert {path.name: path.stat().st_mtime_ns for path in out.glob("clip*")} == written
