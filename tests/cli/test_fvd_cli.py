"""`keras-i3d fvd`: arrays, video folders, saved statistics, bad input."""

import json

import numpy as np
import pytest

from keras_i3d.cli import main as cli_main
from keras_i3d.tasks.fvd.statistics import VideoStatistics
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video


def fvd(*argv):
    return cli_main.main(["fvd", *argv])


def constant_videos(value, num_videos=2, num_frames=9, size=32):
    return np.full((num_videos, num_frames, size, size, 3), value, np.uint8)


@pytest.fixture
def arrays(tmp_path):
    real = tmp_path / "real.npy"
    generated = tmp_path / "generated.npz"
    np.save(real, constant_videos(0))
    np.savez(generated, videos=constant_videos(255))
    return real, generated


def test_json_output_and_saved_statistics(installed_kinetics400, arrays, tmp_path, capsys):
    real, generated = arrays
    stats_path = tmp_path / "real_stats.npz"

    assert fvd(str(real), str(generated), "--json", "--save-stats", str(stats_path)) == 0
    record = json.loads(capsys.readouterr().out)

    assert set(record) == {"fvd", "fvd_float64", "n_real", "n_generated", "preset", "options"}
    assert record["fvd"] == float(np.float32(record["fvd_float64"]))
    assert record["fvd"] > 100  # All -1 vs all +1 clips are far apart.
    assert (record["n_real"], record["n_generated"]) == (2, 2)
    assert record["preset"] == "reference"
    assert record["options"] == {
        "resize": "tf1_bilinear",
        "features": "logits",
        "clip_length": 9,
        "ddof": 1,
        "sqrtm": "tfgan_svd",
    }

    # The saved real statistics stand in for the real videos.
    assert fvd(str(stats_path), str(generated), "--json") == 0
    assert json.loads(capsys.readouterr().out)["fvd"] == record["fvd"]


def test_video_folders_are_sampled_per_preset(installed_kinetics400, tmp_path, capsys):
    folders = {}
    for name, seed in (("real", 0), ("generated", 1)):
        folder = folders[name] = tmp_path / name
        folder.mkdir()
        for index in range(2):
            write_video(folder / f"{index}.mp4", moving_frames(12, 32, 40, seed=seed + 2 * index))

    assert fvd(str(folders["real"]), str(folders["generated"]), "--clip-length", "9", "--json") == 0
    record = json.loads(capsys.readouterr().out)

    assert record["options"]["clip_length"] == 9
    assert (record["n_real"], record["n_generated"]) == (2, 2)
    assert np.isfinite(record["fvd"]) and record["fvd"] > 0


@pytest.mark.parametrize(
    "videos, message",
    (
        (constant_videos(0, num_frames=8), "at least 9 frames"),
        (constant_videos(0, num_videos=1), "at least 2 videos"),
        (np.full((2, 9, 8, 8, 3), 300.0, np.float32), r"values must lie in"),
    ),
)
def test_bad_arrays_fail_with_a_message_naming_the_file(tmp_path, capsys, videos, message):
    bad = tmp_path / "bad.npy"
    np.save(bad, videos)

    assert fvd(str(bad), str(bad)) == 1
    error = capsys.readouterr().err
    assert "keras-i3d fvd: error:" in error and "bad.npy" in error
    assert message in error
    assert "Traceback" not in error


def test_float_arrays_in_0_1_warn_naming_the_option(tmp_path, capsys):
    # One video, so the run stops (N < 2) right after the warning.
    looks_like_0_1 = tmp_path / "unit.npy"
    np.save(looks_like_0_1, np.full((1, 9, 8, 8, 3), 0.5, np.float32))

    assert fvd(str(looks_like_0_1), str(looks_like_0_1)) == 1
    error = capsys.readouterr().err
    assert "keras-i3d fvd: warning: " in error
    assert "unit.npy" in error and "input_range=(0, 1)" in error


def test_statistics_of_different_options_are_refused(tmp_path, capsys):
    paths = []
    for resize in ("tf1_bilinear", "bilinear"):
        statistics = VideoStatistics.from_embeddings(
            np.random.default_rng(0).normal(size=(4, 400)),
            {"resize": resize, "features": "logits", "clip_length": 16},
        )
        paths.append(str(statistics.save(tmp_path / f"{resize}.npz")))

    assert fvd(*paths) == 1
    error = capsys.readouterr().err
    assert "different options" in error and "resize=" in error
    assert "Traceback" not in error


def test_missing_inputs_and_ambiguous_archives_are_named(tmp_path, capsys):
    assert fvd(str(tmp_path / "nothing.npy"), str(tmp_path / "x.npy")) == 1
    assert "nothing.npy: no such file" in capsys.readouterr().err

    two_arrays = tmp_path / "two.npz"
    np.savez(two_arrays, a=np.zeros(1), b=np.zeros(1))
    assert fvd(str(two_arrays), str(two_arrays)) == 1
    assert "two.npz: expected one array" in capsys.readouterr().err
