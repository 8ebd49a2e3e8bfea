import pathlib

import numpy as np
import pytest

from keras_i3d.cli import flow as flow_module
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
        write_video(folder / f"clip{index}.mp4", moving_frames(4, 40, 48, seed=index))
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
        "clip0.npz",
        "clip1.npz",
    ]


def test_farneback_only_when_asked_and_recorded(tmp_path, videos):
    out = tmp_path / "flow"
    video = str(videos / "clip0.mp4")
    flow_cli(video, "--out", str(out), "--flow-method", "farneback", "--format", "png", *SMALL)
    assert read_flow_metadata(out / "clip0")["method"] == "farneback"
    assert (out / "clip0" / "flow_x_00004.png").is_file()


def test_bad_videos_are_reported_and_the_good_ones_done(tmp_path, videos, capsys):
    (videos / "broken.mp4").write_bytes(b"this is not a video")
    listing = tmp_path / "list.txt"
    listing.write_text("videos/clip0.mp4\n# a comment\n\nvideos/broken.mp4\nvideos/gone.mp4\n")
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


def _record_frame_progress(monkeypatch):
    """Records the `(video, done, total)` that reach the frames bar."""
    calls = []
    update = flow_module.FrameProgress.update

    def recording_update(self, task_id, done, total):
        calls.append((pathlib.Path(task_id).name, done, total))
        update(self, task_id, done, total)

    monkeypatch.setattr(flow_module.FrameProgress, "update", recording_update)
    return calls


def test_progress_is_shown_per_flow_frame(tmp_path, videos, monkeypatch):
    calls = _record_frame_progress(monkeypatch)
    video = videos / "clip0.mp4"
    assert flow_cli(str(video), "--out", str(tmp_path / "o"), *SMALL) == 0
    # 4 frames: 3 computed flow fields (the last one is repeated).
    assert calls == [("clip0.mp4", done, 3) for done in (1, 2, 3)]


def test_worker_processes_give_the_same_flow(tmp_path, videos, monkeypatch):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    flow_cli(str(videos), "--out", str(serial), "--format", "npz", *SMALL)
    calls = _record_frame_progress(monkeypatch)
    assert (
        flow_cli(
            str(videos),
            "--out",
            str(parallel),
            "--format",
            "npz",
            "--workers",
            "2",
            *SMALL,
        )
        == 0
    )
    assert sorted(calls) == [
        (name, done, 3) for name in ("clip0.mp4", "clip1.mp4") for done in (1, 2, 3)
    ]
    for name in ("clip0.npz", "clip1.npz"):
        np.testing.assert_array_equal(read_flow(serial / name), read_flow(parallel / name))


def test_start_duration_and_max_frames_limit_and_are_recorded(tmp_path):
    from keras_i3d.flow.video import video_flow

    video = write_video(tmp_path / "long.mp4", moving_frames(12, 40, 48))
    out = tmp_path / "flow"
    assert (
        flow_cli(
            str(video),
            "--out",
            str(out),
            "--format",
            "npz",
            "--start",
            "0.12",
            "--duration",
            "0.2",
            *SMALL,
        )
        == 0
    )
    flow = read_flow(out / "long.npz")
    expected = video_flow(video, short_side=32, start_time=0.12, num_frames=5).flow
    assert flow.shape[0] == 5
    # Stored flow is quantised in steps of 40 / 255 pixels.
    np.testing.assert_allclose(flow, expected, atol=40 / 255)
    metadata = read_flow_metadata(out / "long.npz")
    assert (metadata["start_time"], metadata["frame_limit"]) == (0.12, 5)

    assert (
        flow_cli(
            str(video),
            "--out",
            str(out),
            "--format",
            "npz",
            "--max-frames",
            "3",
            "--duration",
            "10",
            "--overwrite",
            *SMALL,
        )
        == 0
    )
    assert read_flow(out / "long.npz").shape[0] == 3
    metadata = read_flow_metadata(out / "long.npz")
    assert (metadata["start_time"], metadata["frame_limit"]) == (0.0, 3)
    assert metadata["frames"] == 3


def test_a_whole_video_records_no_frame_limit(tmp_path, videos):
    out = tmp_path / "flow"
    flow_cli(str(videos / "clip0.mp4"), "--out", str(out), "--format", "npz", *SMALL)
    metadata = read_flow_metadata(out / "clip0.npz")
    assert (metadata["start_time"], metadata["frame_limit"]) == (0.0, None)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--start", "-1"], "--start must be >= 0"),
        (["--duration", "0"], "--duration must be positive"),
        (["--max-frames", "1"], "--max-frames must be >= 2"),
    ],
)
def test_bad_limits_are_refused(tmp_path, videos, capsys, flags, message):
    assert flow_cli(str(videos), "--out", str(tmp_path / "o"), *flags) == 1
    assert message in capsys.readouterr().err
