import numpy as np
import pytest

from keras_i3d.cli import main as cli_main
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video

# Small clips and crops keep the random-weights network fast on a CPU.
SMALL = [
    "--weights",
    "none",
    "--window",
    "8",
    "--stride",
    "4",
    "--short-side",
    "32",
    "--crop-size",
    "32",
]


@pytest.fixture
def videos(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    write_video(folder / "long.mp4", moving_frames(16, 40, 48))
    write_video(folder / "short.mp4", moving_frames(5, 40, 48, seed=1))
    return folder


def extract(*argv):
    return cli_main.main(["extract-features", *argv])


def test_one_feature_vector_per_window(tmp_path, videos, capsys):
    out = tmp_path / "features"
    assert extract(str(videos), "--out", str(out), *SMALL) == 0
    long_features = np.load(out / "long_rgb.npy")
    # 16 frames, windows of 8 every 4: starts 0, 4, 8.
    assert long_features.shape == (3, 1024)
    assert long_features.dtype == np.float32
    # A video shorter than a window is looped into one window.
    assert np.load(out / "short_rgb.npy").shape == (1, 1024)
    assert "2 done, 0 already done" in capsys.readouterr().out


def test_both_streams_write_two_files_and_resume(tmp_path, videos, capsys):
    out = tmp_path / "features"
    video = str(videos / "long.mp4")
    argv = [
        video,
        "--out",
        str(out),
        "--stream",
        "two_stream",
        "--flow-method",
        "farneback",
        *SMALL,
    ]
    assert extract(*argv) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "long.json",
        "long_flow.npy",
        "long_rgb.npy",
    ]
    assert np.load(out / "long_flow.npy").shape == (3, 1024)
    rgb_written = (out / "long_rgb.npy").stat().st_mtime_ns
    (out / "long_flow.npy").unlink()
    capsys.readouterr()
    assert extract(*argv) == 0
    assert "1 done" in capsys.readouterr().out
    assert (out / "long_rgb.npy").stat().st_mtime_ns == rgb_written
    assert (out / "long_flow.npy").is_file()
    assert extract(*argv) == 0
    assert "0 done, 1 already done" in capsys.readouterr().out


def test_bad_files_are_reported_and_the_rest_extracted(tmp_path, videos, capsys):
    (videos / "corrupt.mp4").write_bytes(b"\x00" * 100)
    out = tmp_path / "features"
    assert extract(str(videos), "--out", str(out), *SMALL) == 1
    captured = capsys.readouterr()
    assert "2 done, 0 already done (skipped), 1 failed" in captured.out
    assert "corrupt.mp4" in captured.err
    assert sorted(path.name for path in out.iterdir()) == [
        "long.json",
        "long_rgb.npy",
        "short.json",
        "short_rgb.npy",
    ]


def test_a_single_bad_file_fails_with_a_clear_message(tmp_path, capsys):
    assert extract(str(tmp_path / "gone.mp4"), "--out", str(tmp_path), *SMALL) == 1
    error = capsys.readouterr().err
    assert "gone.mp4" in error and "Traceback" not in error


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--endpoint", "Logits"], "at least 9"),
        (["--crop-size", "64"], "--short-side"),
    ],
)
def test_bad_options_are_refused(tmp_path, videos, capsys, flags, message):
    assert extract(str(videos), "--out", str(tmp_path / "o"), *SMALL, *flags) == 1
    assert message in capsys.readouterr().err


def test_a_batch_size_below_one_is_a_usage_error(tmp_path, videos, capsys):
    with pytest.raises(SystemExit) as exit_info:
        extract(str(videos), "--out", str(tmp_path / "o"), *SMALL, "--batch-size", "0")
    assert exit_info.value.code == 2
    assert "--batch-size: must be at least 1" in capsys.readouterr().err


@pytest.mark.slow  # two spawned workers import TensorFlow: ~30 s on 2 cores
def test_worker_processes_give_the_same_features(tmp_path, videos):
    import keras

    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    keras.utils.set_random_seed(0)  # the same random weights in both runs
    extract(str(videos), "--out", str(serial), *SMALL)
    keras.utils.set_random_seed(0)
    assert extract(str(videos), "--out", str(parallel), "--workers", "2", *SMALL) == 0
    for name in ("long_rgb.npy", "short_rgb.npy"):
        np.testing.assert_allclose(np.load(serial / name), np.load(parallel / name), rtol=1e-5)


def test_the_sidecar_states_the_time_base(tmp_path, videos):
    import json

    out = tmp_path / "features"
    assert extract(str(videos / "long.mp4"), "--out", str(out), *SMALL) == 0
    sidecar = json.loads((out / "long.json").read_text())
    assert sidecar["source_fps"] == sidecar["fps"] == 25
    assert (sidecar["window"], sidecar["stride"]) == (8, 4)
    assert sidecar["streams"] == ["rgb"] and sidecar["endpoint"] == "Mixed_5c"
    assert (sidecar["pooling"], sidecar["crops"]) == ("avg", 1)
    assert sidecar["weights"] == {"rgb": {"name": None, "random": True}}
    assert sidecar["outputs"] == {"long_rgb.npy": [3, 1024]}
    assert "[k / fps, (k + 1) / fps)" in sidecar["time"]
    assert sidecar["rows"]["start_frame"] == [0, 4, 8]
    assert sidecar["rows"]["end_frame"] == [8, 12, 16]
    assert sidecar["rows"]["start_time"] == [0.0, 0.16, 0.32]
    assert sidecar["rows"]["centre_time"] == [0.16, 0.32, 0.48]
    assert sidecar["package_version"]


def test_native_fps_keeps_the_files_own_frames(tmp_path):
    import json

    write_video(tmp_path / "thirty.mp4", moving_frames(12, 40, 48), fps=30)
    out = tmp_path / "features"
    argv = [str(tmp_path / "thirty.mp4"), "--out", str(out), *SMALL]
    assert extract(*argv, "--fps", "native") == 0
    sidecar = json.loads((out / "thirty.json").read_text())
    assert sidecar["fps"] == sidecar["source_fps"] == 30 and sidecar["fps_mode"] == "native"
    assert sidecar["rows"]["end_frame"] == [8, 12]
    assert sidecar["rows"]["end_time"][-1] == pytest.approx(12 / 30)
    assert extract(*argv, "--fps", "15", "--overwrite") == 0
    sidecar = json.loads((out / "thirty.json").read_text())
    # 12 frames at 30 fps are 6 at 15 fps: one row, looped to 8 frames.
    assert sidecar["fps"] == 15 and sidecar["rows"]["end_frame"] == [6]


def test_a_folder_of_frames_is_read_at_folder_fps(tmp_path):
    import json

    import cv2

    folder = tmp_path / "frames"
    folder.mkdir()
    for index, frame in enumerate(moving_frames(10, 40, 48), start=1):
        cv2.imwrite(str(folder / f"img_{index:05d}.jpg"), frame[..., ::-1])
    out = tmp_path / "features"
    argv = [str(folder), "--out", str(out), *SMALL, "--folder-fps", "10", "--fps", "native"]
    assert extract(*argv) == 0
    sidecar = json.loads((out / "frames.json").read_text())
    assert sidecar["source_fps"] == sidecar["fps"] == 10
    assert np.load(out / "frames_rgb.npy").shape == (1, 1024)
    assert sidecar["rows"]["end_time"] == [0.8]


def test_fps_native_is_refused_where_a_rate_is_needed(tmp_path, videos, capsys):
    argv = ["flow", str(videos), "--out", str(tmp_path / "flow"), "--fps", "native"]
    assert cli_main.main(argv) == 1
    assert "--fps native is for extract-features" in capsys.readouterr().err


def test_two_stream_presets_need_flow_weights(tmp_path, videos, capsys):
    argv = [str(videos), "--out", str(tmp_path / "o"), "--preset", "thumos14", "--weights", "none"]
    assert extract(*argv) == 1
    error = capsys.readouterr().err
    assert "--preset thumos14 uses the flow stream" in error and "--flow-weights" in error


def random_flow_weights(path):
    from keras_i3d import I3D
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    flow = I3D(stream="flow", weights=None, input_shape=(None, None, None, 2))
    save_weights_file(flow, path, WeightsFileInfo(stream="flow", classes=400))
    return path


def test_thumos14_concatenates_rgb_and_flow_from_a_flow_checkpoint(tmp_path, capsys):
    import json

    write_video(tmp_path / "thirty.mp4", moving_frames(24, 40, 48), fps=30)
    flow_file = random_flow_weights(tmp_path / "flow.weights.h5")
    out = tmp_path / "features"
    argv = [str(tmp_path / "thirty.mp4"), "--out", str(out), "--preset", "thumos14"]
    small = ["--weights", "none", "--flow-weights", str(flow_file), "--short-side", "32"]
    small += ["--crop-size", "32", "--flow-method", "farneback"]
    assert extract(*argv, *small) == 0, capsys.readouterr().err
    features = np.load(out / "thirty.npy")
    # 24 frames at the native 30 fps, 16-frame windows every 4: 3 rows.
    assert features.shape == (3, 2048)
    sidecar = json.loads((out / "thirty.json").read_text())
    assert (sidecar["fps"], sidecar["fps_mode"], sidecar["stride"]) == (30, "native", 4)
    assert sidecar["streams"] == ["rgb", "flow"] and sidecar["concat_streams"]
    assert sidecar["weights"]["flow"]["file"] == str(flow_file)
    assert len(sidecar["weights"]["flow"]["file_sha256"]) == 64
    assert sidecar["outputs"] == {"thirty.npy": [3, 2048]}


def test_video_features_preset_drops_the_incomplete_last_stack(tmp_path):
    write_video(tmp_path / "clip.mp4", moving_frames(40, 40, 48))
    out = tmp_path / "features"
    argv = [str(tmp_path / "clip.mp4"), "--out", str(out), "--preset", "video_features"]
    small = ["--weights", "none", "--window", "16", "--stride", "16"]
    assert extract(*argv, *small, "--short-side", "32", "--crop-size", "32") == 0
    # 40 frames in stacks of 16 every 16: two, the last 8 frames dropped;
    # AvgPool (2,7,7) then the time mean: one 1024-d vector per stack.
    assert np.load(out / "clip_rgb.npy").shape == (2, 1024)


def test_ten_crops_kept_and_centred_rows(tmp_path, videos):
    out = tmp_path / "features"
    video = str(videos / "long.mp4")
    assert extract(video, "--out", str(out), *SMALL, "--crops", "10", "--crop-reduce", "keep") == 0
    assert np.load(out / "long_rgb.npy").shape == (3, 10, 1024)
    out = tmp_path / "framewise"
    assert extract(video, "--out", str(out), *SMALL, "--centred", "--pad", "zero") == 0
    assert np.load(out / "long_rgb.npy").shape == (16, 1024)  # one row per frame
