import numpy as np
import pytest

from keras_i3d.cli import main as cli_main
from keras_i3d.flow import read_flow
from keras_i3d.flow import read_flow_metadata
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video

SMALL = ["--short-side", "32"]


@pytest.fixture
def videos(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    for index in range(2):
        write_video(
            folder / f"clip{index}.mp4", moving_frames(4, 40, 48, seed=index)
        )
    return folder


def flow_cli(*argv):
    return cli_main.main(["flow", *argv])


def test_computes_and_stores_the_flow_of_every_video(tmp_path, videos, capsys):
    out = tmp_path / "flow"
    assert flow_cli(str(videos), "--out", str(out), *SMALL) == 0
    assert sorted(entry.name for entry in out.iterdir()) == ["clip0", "clip1"]
    flow = read_flow(out / "clip0")
    assert flow.shape == (4, 32, 38, 2)
    metadata = read_flow_metadata(out / "clip0")
    assert metadata["method"] == "tvl1" and metadata["fps"] == 25.0
    assert metadata["short_side"] == 32
    assert metadata["source"].endswith("clip0.mp4")
    assert "2 done, 0 already done" in capsys.readouterr().out


def test_a_second_run_skips_finished_videos(tmp_path, videos, capsys):
    out = tmp_path / "flow"
    flow_cli(str(videos), "--out", str(out), "--format", "npz", *SMALL)
    first = (out / "clip0.npz").stat().st_mtime_ns
    (out / "clip1.npz").unlink()
    (out / ".partial-0badcafe-clip1.npz").write_bytes(b"interrupted")
    capsys.readouterr()
    assert flow_cli(str(videos), "--out", str(out), "--format", "npz", *SMALL) == 0
    assert "1 done, 1 already done" in capsys.readouterr().out
    assert (out / "clip0.npz").stat().st_mtime_ns == first
    assert sorted(entry.name for entry in out.iterdir()) == [
        "clip0.npz", "clip1.npz",
    ]


def test_farneback_only_when_asked_and_recorded(tmp_path, videos):
    out = tmp_path / "flow"
    video = str(videos / "clip0.mp4")
    flow_cli(video, "--out", str(out), "--method", "farneback", "--format",
             "png", *SMALL)
    assert read_flow_metadata(out / "clip0")["method"] == "farneback"
    assert (out / "clip0" / "flow_x_00004.png").is_file()


def test_bad_videos_are_reported_and_the_good_ones_done(
    tmp_path, videos, capsys
):
    (videos / "broken.mp4").write_bytes(b"this is not a video")
    listing = tmp_path / "list.txt"
    listing.write_text(
        "videos/clip0.mp4\n# a comment\n\nvideos/broken.mp4\nvideos/gone.mp4\n"
    )
    out = tmp_path / "flow"
    assert flow_cli(str(listing), "--out", str(out), *SMALL) == 1
    captured = capsys.readouterr()
    assert "1 done, 0 already done (skipped), 2 failed" in captured.out
    assert "broken.mp4" in captured.err and "gone.mp4" in captured.err
    assert "2 of 3 videos failed" in captured.err
    assert sorted(entry.name for entry in out.iterdir()) == ["clip0"]


def test_a_single_bad_video_fails_with_its_reason(tmp_path, capsys):
    assert flow_cli(str(tmp_path / "gone.mp4"), "--out", str(tmp_path)) == 1
    error = capsys.readouterr().err
    assert "keras-i3d flow: error:" in error and "gone.mp4" in error
    assert "Traceback" not in error


def test_clashing_video_names_are_refused(tmp_path, videos, capsys):
    other = tmp_path / "other"
    other.mkdir()
    write_video(other / "clip0.mp4", moving_frames(3, 32, 32))
    assert flow_cli(str(videos), str(other), "--out", str(tmp_path / "o")) == 1
    assert "collide" in capsys.readouterr().err


def test_worker_processes_give_the_same_flow(tmp_path, videos):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    flow_cli(str(videos), "--out", str(serial), "--format", "npz", *SMALL)
    assert flow_cli(
        str(videos), "--out", str(parallel), "--format", "npz", "--workers",
        "2", *SMALL,
    ) == 0
    for name in ("clip0.npz", "clip1.npz"):
        np.testing.assert_array_equal(
            read_flow(serial / name), read_flow(parallel / name)
        )
