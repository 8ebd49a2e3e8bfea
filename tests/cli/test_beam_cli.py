"""`--beam` on the corpus commands: the same files as the local path, Beam
options after `--`, and a clear error without the extra.

These run the DirectRunner in this process (`-- --direct_running_mode
in_memory`, which also checks that options after `--` reach Beam); the
worker-process runs are in tests/beam/.
"""

import pathlib
import sys

import numpy as np
import pytest

from keras_i3d.cli import main as cli_main
from tests.video.corpus import moving_frames
from tests.video.corpus import write_garbage
from tests.video.corpus import write_video

IN_PROCESS = ["--", "--direct_running_mode=in_memory", "--direct_num_workers=1"]


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus") / "jumping"
    folder.mkdir()
    for index in range(2):
        write_video(folder / f"clip{index}.mp4", moving_frames(10, 32, 40, seed=index))
    write_garbage(folder / "broken.mp4")
    return folder


def test_without_the_extra_the_error_names_the_install(tmp_path, videos, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "apache_beam", None)  # import apache_beam fails
    argv = ["flow", str(videos), "--out", str(tmp_path / "out"), "--beam"]
    assert cli_main.main(argv) == 1
    assert 'pip install "keras-i3d[beam]"' in capsys.readouterr().err


def test_options_after_the_separator_need_beam(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["flow", "x.mp4", "--out", str(tmp_path), "--", "--runner=DataflowRunner"])
    assert exit_info.value.code == 2
    assert "Beam pipeline options, for --beam. Received: --runner=DataflowRunner" in (
        capsys.readouterr().err
    )


def test_pipeline_options_default_to_the_multiprocess_direct_runner():
    pytest.importorskip("apache_beam")
    from keras_i3d.beam.jobs import pipeline_options

    options = pipeline_options(3).get_all_options()
    assert options["runner"] == "DirectRunner"
    assert options["direct_num_workers"] == 3
    assert options["direct_running_mode"] == "multi_processing"
    dataflow = pipeline_options(3, ["--runner=DataflowRunner", "--project=p"]).get_all_options()
    assert dataflow["runner"] == "DataflowRunner" and dataflow["project"] == "p"
    assert dataflow["direct_num_workers"] == 1  # Not set for another runner.


def files_under(folder):
    return {
        path.name: path.read_bytes()
        for path in sorted(pathlib.Path(folder).iterdir())
        if path.is_file() and path.name != "failures.jsonl"
    }


def test_flow_on_beam_writes_the_local_files(tmp_path, videos, capsys):
    pytest.importorskip("apache_beam")
    argv = ["flow", str(videos), "--format", "npz", "--flow-method", "farneback"]
    argv += ["--short-side", "0"]
    assert cli_main.main(argv + ["--out", str(tmp_path / "local")]) == 1
    capsys.readouterr()
    assert cli_main.main(argv + ["--out", str(tmp_path / "beam"), "--beam"] + IN_PROCESS) == 1
    captured = capsys.readouterr()
    assert "2 done, 0 already done (skipped), 1 failed" in captured.out
    assert "broken.mp4" in captured.err
    assert files_under(tmp_path / "beam") == files_under(tmp_path / "local")
    assert "broken.mp4" in (tmp_path / "beam" / "failures.jsonl").read_text()


def test_make_tfrecords_on_beam_keeps_existing_shards(tmp_path, videos, capsys):
    pytest.importorskip("apache_beam")
    argv = ["make-tfrecords", str(videos.parent), "--out", str(tmp_path / "shards")]
    argv += ["--shards", "2", "--short-side", "0", "--beam"] + IN_PROCESS
    assert cli_main.main(argv) == 0
    output = capsys.readouterr()
    assert "Wrote 2 videos (20 frames) to 2 shards" in output.out
    assert "broken.mp4" in output.err
    assert cli_main.main(argv) == 0
    assert "Wrote 0 videos (0 frames) to 0 shards" in capsys.readouterr().out


def test_extract_features_on_beam_writes_the_local_files(tmp_path, videos, capsys):
    pytest.importorskip("apache_beam")
    from keras_i3d.models.i3d import I3D

    weights = str(tmp_path / "random.weights.h5")
    I3D(weights=None).save_weights(weights)
    argv = ["extract-features", str(videos), "--weights", weights, "--window", "8"]
    argv += ["--stride", "4", "--short-side", "32", "--crop-size", "32"]
    assert cli_main.main(argv + ["--out", str(tmp_path / "local")]) == 1
    assert cli_main.main(argv + ["--out", str(tmp_path / "beam"), "--beam"] + IN_PROCESS) == 1
    beam_files = files_under(tmp_path / "beam")
    assert sorted(beam_files) == ["clip0.json", "clip0_rgb.npy", "clip1.json", "clip1_rgb.npy"]
    # Byte for byte, sidecars included: they hold nothing that differs
    # between runs (the package version, not the time or the machine).
    assert beam_files == files_under(tmp_path / "local")
    assert np.load(tmp_path / "beam" / "clip0_rgb.npy").shape == (1, 1024)
    assert "broken.mp4" in capsys.readouterr().err


def random_weights_files(folder):
    """`--rgb-weights` and `--flow-weights` of random weights files: both
    runs of a comparison load the same network."""
    from keras_i3d import I3D
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    arguments = []
    for stream, channels in (("rgb", 3), ("flow", 2)):
        path = folder / f"{stream}.weights.h5"
        model = I3D(stream=stream, weights=None, input_shape=(None, None, None, channels))
        save_weights_file(model, path, WeightsFileInfo(stream=stream, classes=400))
        arguments += [f"--{stream}-weights", str(path)]
    return arguments


@pytest.mark.parametrize(
    "options",
    [
        # Two streams side by side, a row per frame, ten crops kept.
        ["--stream", "two_stream", "--concat-streams", "--flow-method", "farneback"]
        + ["--centred", "--pad", "zero", "--crops", "10", "--crop-reduce", "keep"],
        # A preset whose stacks drop the incomplete last one: 10 frames
        # in stacks of 16 give no row, an empty (0, 1024) file.
        ["--preset", "video_features", "--window", "16", "--stride", "16"],
    ],
    ids=["two_stream_centred_ten_crops", "preset_video_features"],
)
def test_extract_features_options_on_beam_write_the_local_files(tmp_path, videos, options):
    pytest.importorskip("apache_beam")
    argv = ["extract-features", str(videos / "clip0.mp4"), *random_weights_files(tmp_path)]
    argv += ["--window", "8", "--short-side", "32", "--crop-size", "32", *options]
    assert cli_main.main(argv + ["--out", str(tmp_path / "local")]) == 0
    assert cli_main.main(argv + ["--out", str(tmp_path / "beam"), "--beam"] + IN_PROCESS) == 0
    assert files_under(tmp_path / "beam") == files_under(tmp_path / "local")
    assert len(files_under(tmp_path / "beam")) == 2  # one feature file and the sidecar


def test_options_the_models_cannot_take_are_refused_before_beam_starts(tmp_path, videos, capsys):
    argv = ["extract-features", str(videos), "--out", str(tmp_path / "o"), "--weights", "none"]
    argv += ["--window", "9", "--endpoint", "Logits", "--crop-size", "32", "--short-side", "32"]
    assert cli_main.main(argv + ["--beam"] + IN_PROCESS) == 1
    assert "rgb model: The Logits endpoint needs crops of at least" in capsys.readouterr().err
    argv = ["extract-features", str(videos), "--out", str(tmp_path / "o"), "--weights", "none"]
    assert cli_main.main(argv + ["--no-fuse", "--precision", "mixed_bfloat16", "--beam"]) == 1
    assert "--precision mixed_bfloat16 runs the fused graph" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
