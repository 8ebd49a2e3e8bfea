"""The examples run end to end on tiny generated datasets (slow: full I3D)."""

import csv
import json
import os
import subprocess
import sys

import pytest

from keras_i3d.data.synthetic_motion import write_motion_videos

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = [
    "--clip-length",
    "9",
    "--short-side",
    "193",
    "--crop-size",
    "193",
    "--head-epochs",
    "0",
    "--epochs",
    "1",
    "--steps-per-epoch",
    "2",
    "--precision",
    "float32",
]
# The proof that fine-tuning from Kinetics-400 works (docs/training.md):
# 4 motion classes x 12 videos (9 for training), 16 frames of 224 x 224,
# bfloat16 on CPU; an epoch is 48 steps of 4 clips, the first trains the
# new head only.
PROOF = [
    "--clip-length",
    "16",
    "--short-side",
    "224",
    "--crop-size",
    "224",
    "--batch-size",
    "4",
    "--steps-per-epoch",
    "48",
    "--head-epochs",
    "1",
    "--head-learning-rate",
    "0.1",
    "--dropout",
    "0",
    "--precision",
    "mixed_bfloat16",
]


def _run_example(script, *argv):
    result = subprocess.run(
        [sys.executable, os.path.join("examples", script), *map(str, argv)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, PYTHONPATH=PROJECT_ROOT, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _finetune(tmp_path, *argv):
    result = _run_example("finetune.py", tmp_path / "data", "--out", tmp_path / "run", *argv)
    summary = json.loads((tmp_path / "run" / "finetune.json").read_text())
    for name in ("finetuned.keras", "finetune_curves.png"):
        assert (tmp_path / "run" / name).is_file()
    return result, summary


@pytest.mark.slow
def test_finetune_from_random_weights_skips_bad_videos(tmp_path):
    write_motion_videos(tmp_path / "data", 3, num_frames=12, size=193)
    (tmp_path / "data" / "up" / "broken.mp4").write_bytes(b"not a video")
    result, summary = _finetune(
        tmp_path, "--weights", "none", "--batch-size", "2", "--no-augment", *TINY
    )
    assert "before training: val_top1" in result.stdout
    assert summary["classes"] == ["down", "left", "right", "up"]
    assert len(summary["history"]["val_top1"]) == 1
    assert (tmp_path / "run" / "log.csv").is_file()
    assert [path.rsplit("/", 1)[1] for path, _ in summary["skipped"]] == ["broken.mp4"]
    assert "broken.mp4: not a video file" in result.stderr


@pytest.mark.slow
def test_finetune_from_a_saved_weights_file(tmp_path):
    """A 400-class keras-i3d weights file gives the backbone of a 4-class
    model (the file says its class count; a plain Keras file does not)."""
    from keras_i3d import I3D
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    path = tmp_path / "random_kinetics.weights.h5"
    save_weights_file(
        I3D(weights=None, input_shape=(None, None, None, 3)),
        path,
        WeightsFileInfo(stream="rgb", classes=400, label_set="kinetics400"),
    )
    _, summary = _finetune(
        tmp_path, "--make-synthetic", "3", "--weights", path, "--batch-size", "2", *TINY
    )
    assert summary["classes"] == ["down", "left", "right", "up"]


@pytest.mark.slow
def test_finetune_from_kinetics400_improves_in_the_first_epoch(tmp_path, installed_kinetics400):
    """Real Kinetics-400 weights: one epoch beats the untrained head."""
    _, summary = _finetune(tmp_path, "--make-synthetic", "12", "--epochs", "0", *PROOF)
    before = summary["val_top1_before"]
    after = summary["history"]["val_top1"][0]
    assert after > before, summary


def _kinetics_csv(path, written):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["label", "youtube_id", "time_start", "time_end", "split"])
        for index, (video, _) in enumerate(written):
            label = os.path.basename(os.path.dirname(video))
            kinetics_name = {
                "up": "abseiling",
                "down": "air drumming",
                "left": "answering questions",
                "right": "applauding",
            }[label]
            target = os.path.join(
                os.path.dirname(path), "clips", f"clip{index:05d}_000000_000010.mp4"
            )
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(video, target)
            writer.writerow([kinetics_name, f"clip{index:05d}", 0, 10, "train"])


@pytest.mark.slow
def test_train_kinetics_from_folders_csv_and_tfrecords(tmp_path):
    from keras_i3d.data import read_class_folders
    from keras_i3d.data import write_tfrecords

    written = write_motion_videos(tmp_path / "videos", 2, num_frames=12, size=193)
    write_tfrecords(
        read_class_folders(tmp_path / "videos"), tmp_path / "shards", num_shards=2, prefix="train"
    )
    common = [
        "--weights",
        "none",
        "--clip-length",
        "9",
        "--crop-size",
        "193",
        "--short-side",
        "193",
        "--batch-per-replica",
        "2",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "2",
        "--precision",
        "float32",
    ]
    for name, source in (
        ("folders", ["--train-dir", tmp_path / "videos", "--val-dir", tmp_path / "videos"]),
        ("tfrecords", ["--train-tfrecords", tmp_path / "shards" / "train-*", "--classes", "4"]),
    ):
        result = _run_example("train_kinetics.py", "--out", tmp_path / name, *source, *common)
        assert "4 classes" in result.stdout
        assert (tmp_path / name / "log.csv").is_file()
    _kinetics_csv(tmp_path / "train.csv", written)
    result = _run_example(
        "train_kinetics.py",
        "--out",
        tmp_path / "csv",
        "--train-dir",
        tmp_path / "clips",
        "--train-csv",
        tmp_path / "train.csv",
        "--loop",
        "custom",
        *common,
    )
    assert "400 classes, 8 videos" in result.stdout
    assert (tmp_path / "csv" / "final.weights.h5").is_file()


def _train_kinetics_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "train_kinetics", os.path.join(PROJECT_ROOT, "examples", "train_kinetics.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_kinetics_gives_each_architecture_its_view():
    module = _train_kinetics_module()

    def view(*argv):
        args = module.parse_args(["--out", "out", "--train-dir", "v", *argv])
        found, short_side, crop_size = module.input_view(args)
        return (found.steps, found.spacing, found.flow_stack, short_side, crop_size)

    assert view() == (64, 1, 0, 256, 224)
    assert view("--architecture", "convnet_lstm") == (25, 5, 0, 256, 224)
    assert view("--architecture", "c3d") == (16, 1, 0, 128, 112)
    assert view("--architecture", "c3d", "--crop-size", "96") == (16, 1, 0, 128, 96)
    assert view("--architecture", "two_stream_2d", "--flow-dir", "f") == (1, 1, 10, 256, 224)
    with pytest.raises(SystemExit, match="pass --flow-dir"):
        view("--architecture", "fused_two_stream_3d")
    with pytest.raises(SystemExit, match="reads no flow"):
        view("--architecture", "c3d", "--flow-dir", "f")


@pytest.mark.slow
def test_train_kinetics_trains_the_baselines_on_their_views(tmp_path):
    from keras_i3d.flow import write_flow
    from keras_i3d.flow.video import video_flow

    written = write_motion_videos(tmp_path / "videos", 1, num_frames=12, size=32)
    for path, _ in written:
        flow = video_flow(path, flow_method="farneback", short_side=None).flow
        write_flow(flow, tmp_path / "flow" / os.path.basename(path)[:-4], "png")
    common = [
        "--train-dir",
        tmp_path / "videos",
        "--val-dir",
        tmp_path / "videos",
        "--short-side",
        "32",
        "--crop-size",
        "32",
        "--batch-per-replica",
        "2",
        "--epochs",
        "1",
        "--steps-per-epoch",
        "2",
        "--precision",
        "float32",
        "--batch-norm-momentum",
        "0.9",
        "--clipnorm",
        "5",
    ]
    for architecture, extra in (
        ("convnet_lstm", []),
        ("two_stream_2d", ["--flow-dir", tmp_path / "flow"]),
    ):
        output = tmp_path / architecture
        result = _run_example(
            "train_kinetics.py", "--out", output, "--architecture", architecture, *common, *extra
        )
        assert f"{architecture}: " in result.stdout
        assert "4 classes, 4 videos" in result.stdout
        with open(output / "log.csv") as file:
            rows = list(csv.DictReader(file))
        assert len(rows) == 1 and float(rows[0]["loss"]) > 0
        assert "val_loss" in rows[0]
        # The saved model is scored by the paper's test protocol.
        evaluation = subprocess.run(
            [
                sys.executable,
                "-m",
                "keras_i3d.cli.main",
                "evaluate",
                tmp_path / "videos",
                "--model",
                output / "final.keras",
                "--view",
                architecture,
                "--short-side",
                "32",
                "--crop-size",
                "32",
                "--out",
                output / "evaluation",
                *map(str, extra),
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env=dict(os.environ, PYTHONPATH=PROJECT_ROOT),
        )
        assert evaluation.returncode == 0, evaluation.stderr[-3000:]
        assert "videos evaluated: 4 (skipped: 0)" in evaluation.stdout


def test_train_kinetics_builds_each_baseline_for_its_view():
    from keras_i3d.training import TrainingConfig

    module = _train_kinetics_module()
    shapes = {}
    for architecture in ("convnet_lstm", "two_stream_2d"):
        args = module.parse_args(
            [
                "--out",
                "out",
                "--train-dir",
                "v",
                "--architecture",
                architecture,
                "--flow-dir",
                "f",
                "--crop-size",
                "32",
            ]
        )
        if architecture == "convnet_lstm":
            args.flow_dir = None
        view, _, crop_size = module.input_view(args)
        model = module.build_model(args, TrainingConfig(classes=4), view, crop_size, weights=None)
        shapes[architecture] = [tuple(x.shape) for x in model.inputs]
    # Both are tested on longer views than they are trained on.
    assert shapes == {
        "convnet_lstm": [(None, None, 32, 32, 3)],
        "two_stream_2d": [(None, None, 32, 32, 3), (None, None, 32, 32, 20)],
    }
