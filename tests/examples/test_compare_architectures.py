"""`examples/compare_architectures.py`: its inputs, its cache, its table.

The full comparison takes minutes; the tests check each architecture's
input views against the paper's sampling, and run tiny configurations
end to end (one architecture by default, all six with `-m slow`).
"""

import csv
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d.data.synthetic_motion import MOTION_CLASSES
from keras_i3d.flow import read_flow_metadata

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(PROJECT_ROOT, "examples", "compare_architectures.py")
TINY = [
    "--size",
    "16",
    "--time-scale",
    "8",
    "--train-clips",
    "8",
    "--val-clips",
    "8",
    "--epochs",
    "1",
    "--batch-size",
    "4",
]


@pytest.fixture(scope="module")
def compare():
    spec = importlib.util.spec_from_file_location("compare_architectures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_plan_scales_the_papers_inputs(compare):
    from keras_i3d.data import PAPER_INPUTS

    def views(plan):
        return {key: compare.architecture_view(key, plan) for key in compare.ARCHITECTURE_KEYS}

    paper = compare.input_plan(224, time_scale=1)
    assert views(paper) == {
        "convnet_lstm": (PAPER_INPUTS["convnet_lstm"].train, None, 224),
        "c3d": (PAPER_INPUTS["c3d"].train, 112, 112),
        "two_stream_2d": (PAPER_INPUTS["two_stream_2d"].train, None, 224),
        "fused_two_stream_3d": (PAPER_INPUTS["fused_two_stream_3d"].train, None, 224),
        "i3d_rgb": (PAPER_INPUTS["i3d_rgb"].train, None, 224),
        "two_stream_i3d": (PAPER_INPUTS["two_stream_i3d"].train, None, 224),
    }
    # The LSTM's 25 frames, every 5th, reach furthest: frame 120.
    assert paper["video_frames"] == 122
    small = compare.input_plan(32, time_scale=4)
    assert {
        key: (view.steps, view.spacing, view.flow_stack, resize, crop)
        for key, (view, resize, crop) in views(small).items()
    } == {
        "convnet_lstm": (7, 5, 0, None, 32),
        "c3d": (4, 1, 0, 16, 16),
        "two_stream_2d": (1, 1, 3, None, 32),
        "fused_two_stream_3d": (5, 3, 3, None, 32),
        "i3d_rgb": (16, 1, 0, None, 32),
        "two_stream_i3d": (16, 1, 1, None, 32),
    }
    assert small["video_frames"] == 32


def test_i3d_is_the_pooled_builder_with_a_dense_logits_head(compare):
    import keras

    rgb = compare.build_model("i3d_rgb", [(16, 32, 32, 3)], 4, 0.5)
    # The parameters of docs/compare/results.md (the hand-built streams').
    assert rgb.count_params() == 12_298_644
    assert rgb.get_layer("head").get_layer("Logits").units == 4
    model = compare.build_model("two_stream_i3d", [(16, 32, 32, 3), (16, 32, 32, 2)], 4, 0.5)
    assert model.count_params() == 24_575_336
    assert sorted(model.output) == ["flow_logits", "predictions", "rgb_logits"]
    clips = [np.ones((2, 16, 32, 32, 3)), np.full((2, 16, 32, 32, 2), 0.5)]
    joint, rgb_logits, flow_logits = compare.evaluation_model("two_stream_i3d", model).predict(
        clips, verbose=0
    )
    assert joint.shape == (2, 4) and abs(flow_logits).max() > 0
    np.testing.assert_allclose(joint, rgb_logits + flow_logits, rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()


def split_args(tmp_path=None):
    """The flags `write_split` and `architecture_dataset` read."""
    import argparse

    return argparse.Namespace(
        flow_method="farneback",
        speed=2,
        seed=0,
        batch_size=4,
        cache_dir=None if tmp_path is None else str(tmp_path / "cache"),
    )


@pytest.fixture(scope="module")
def small_split(compare, tmp_path_factory):
    """8 videos of the motion dataset at 16 px, written as the script does."""
    tmp_path = tmp_path_factory.mktemp("split")
    plan = compare.input_plan(16, time_scale=4)
    samples, seconds = compare.write_split(8, 0, plan, split_args(tmp_path))
    return plan, samples, seconds, tmp_path


def read_split(compare, key, samples, plan):
    from keras_i3d.data import SkippedVideos

    dataset = compare.architecture_dataset(
        key, samples, plan, training=False, args=split_args(), skipped=SkippedVideos()
    )
    return compare.split_arrays(dataset)


def test_every_architecture_reads_its_view_from_the_videos(compare, small_split):
    from keras_i3d.flow import read_flow
    from keras_i3d.preprocessing import preprocess_flow
    from keras_i3d.preprocessing import preprocess_rgb
    from keras_i3d.video import read_video

    plan, samples, _, _ = small_split
    shapes = {}
    for key in compare.ARCHITECTURE_KEYS:
        inputs, labels = read_split(compare, key, samples, plan)
        shapes[key] = [x.shape[1:] for x in inputs]
        assert sorted(labels.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert shapes == {
        "convnet_lstm": [(7, 16, 16, 3)],
        "c3d": [(4, 8, 8, 3)],
        "two_stream_2d": [(1, 16, 16, 3), (1, 16, 16, 6)],
        "fused_two_stream_3d": [(5, 16, 16, 3), (5, 16, 16, 6)],
        "i3d_rgb": [(16, 16, 16, 3)],
        "two_stream_i3d": [(16, 16, 16, 3), (16, 16, 16, 2)],
    }
    # Validation takes the central window; ConvNet+LSTM every 5th frame.
    sample = samples[0]
    frames = read_video(sample.path).frames
    assert len(frames) == plan["video_frames"] == 32
    (lstm,), labels = read_split(compare, "convnet_lstm", samples[:1], plan)
    start = (32 - 31) // 2
    np.testing.assert_allclose(lstm[0], preprocess_rgb(frames[start:31:5]), atol=1e-6)
    # 3D-Fused: snapshot k is frame 3k of a 15-frame window, with the flow
    # frames 3k, 3k + 1, 3k + 2 stacked, x/y interleaved.
    (rgb, stacks), _ = read_split(compare, "fused_two_stream_3d", samples[:1], plan)
    start = (32 - 15) // 2
    np.testing.assert_allclose(rgb[0], preprocess_rgb(frames[start : 15 + start : 3]), atol=1e-6)
    flow = preprocess_flow(read_flow(sample.flow_path))
    for k in range(5):
        first = start + 3 * k
        np.testing.assert_allclose(stacks[0, k, ..., 2], flow[first + 1, ..., 0], atol=1e-6)
        np.testing.assert_allclose(stacks[0, k, ..., 5], flow[first + 2, ..., 1], atol=1e-6)


def test_the_flow_the_pipelines_read_says_which_way(compare, small_split):
    plan, samples, _, _ = small_split
    (rgb, stacks), labels = read_split(compare, "two_stream_2d", samples, plan)
    mean_flow = stacks.reshape(len(labels), -1, 2).mean(axis=1)
    for direction, (x, y) in zip(labels, mean_flow):
        name = MOTION_CLASSES[direction]
        if name in ("right", "left"):
            assert (x > 0.02) == (name == "right") and abs(y) < abs(x), name
        else:
            assert (y > 0.02) == (name == "down") and abs(x) < abs(y), name


def test_a_split_is_written_once_and_reused(compare, small_split):
    plan, samples, seconds, tmp_path = small_split
    assert seconds > 0
    again, seconds = compare.write_split(8, 0, plan, split_args(tmp_path))
    assert seconds == 0 and again == samples
    assert all(
        sample.path.endswith(".mp4") and sample.flow_path.endswith(".npz") for sample in samples
    )
    assert read_flow_metadata(samples[0].flow_path)["method"] == "farneback"
    # A lost flow file is computed again; a lost video is an error.
    other, _ = compare.write_split(8, 1, plan, split_args(tmp_path))
    os.remove(other[3].flow_path)
    again, seconds = compare.write_split(8, 1, plan, split_args(tmp_path))
    assert seconds > 0 and again == other
    assert os.path.exists(other[3].flow_path)
    os.remove(other[3].path)
    with pytest.raises(ValueError, match="1 of its videos are missing"):
        compare.write_split(8, 1, plan, split_args(tmp_path))


def test_flags_that_break_the_equal_budget_are_refused(compare, capsys):
    with pytest.raises(SystemExit):
        compare.parse_args(["--train-clips", "10", "--batch-size", "4"])
    assert "multiple of --batch-size" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        compare.parse_args(["--size", "8"])
    assert "--size must be at least 16" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        compare.parse_args(["--val-clips", "6"])
    assert "multiples of 4" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        compare.parse_args(["--epochs", "0"])
    assert "--epochs: must be positive. Received: 0" in capsys.readouterr().err


def _run(tmp_path, *flags):
    output = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            "--out",
            str(output),
            "--cache-dir",
            str(tmp_path / "cache"),
            *TINY,
            *flags,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env=dict(os.environ, PYTHONPATH=PROJECT_ROOT, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(output / "results.csv") as file:
        rows = list(csv.DictReader(file))
    assert (output / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((output / "results.json").read_text())
    assert summary["wall_seconds"] > 0
    markdown = (output / "results.md").read_text()
    for row in rows:
        assert f"| {row['name']} |" in markdown
        assert 0.0 <= float(row["val_accuracy"]) <= 1.0
        assert int(row["parameters"]) > 1_000_000
        assert float(row["train_clips_per_s"]) > 0
        assert float(row["inference_clips_per_s"]) > 0
    return rows


def test_a_tiny_run_writes_the_table(tmp_path):
    rows = _run(tmp_path, "--architectures", "c3d")
    assert [row["architecture"] for row in rows] == ["c3d"]
    assert rows[0]["paper_kinetics_top1_scratch"] == "56.1"
    assert rows[0]["rgb_stream_accuracy"] == ""


@pytest.mark.slow
def test_a_tiny_run_of_all_architectures(tmp_path):
    # About 5 minutes on two shared CPU cores: mostly graph tracing.
    rows = _run(tmp_path)
    assert [row["architecture"] for row in rows] == [
        "convnet_lstm",
        "c3d",
        "two_stream_2d",
        "fused_two_stream_3d",
        "i3d_rgb",
        "two_stream_i3d",
    ]
    for row in rows:
        two_stream = row["architecture"] in ("two_stream_2d", "two_stream_i3d")
        for stream in ("rgb_stream_accuracy", "flow_stream_accuracy"):
            assert (row[stream] != "") == two_stream
            if two_stream:
                assert 0.0 <= float(row[stream]) <= 1.0


@pytest.mark.slow
def test_runs_are_reproducible(tmp_path):
    first = _run(tmp_path / "a", "--architectures", "convnet_lstm")
    second = _run(tmp_path / "b", "--architectures", "convnet_lstm")
    for column in ("val_accuracy", "val_loss", "parameters"):
        assert first[0][column] == second[0][column]
