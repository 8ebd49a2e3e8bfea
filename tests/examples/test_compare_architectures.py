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
from keras_i3d.data.synthetic_motion import motion_clip

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPT = os.path.join(PROJECT_ROOT, "examples", "compare_architectures.py")
TINY = ["--size", "16", "--time-scale", "8", "--train-clips", "8",
        "--val-clips", "8", "--epochs", "1", "--batch-size", "4"]


@pytest.fixture(scope="module")
def compare():
    spec = importlib.util.spec_from_file_location("compare_architectures",
                                                  SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_plan_scales_the_papers_inputs(compare):
    paper = compare.input_plan(224, time_scale=1)
    assert (paper["i3d_frames"], paper["c3d_frames"], paper["c3d_size"],
            paper["lstm_frames"], paper["lstm_stride"], paper["flow_stack"],
            paper["fused_spacing"]) == (64, 16, 112, 25, 5, 10, 10)
    # The LSTM's 25 frames, every 5th, reach furthest: frame 120.
    assert paper["video_frames"] == 122
    small = compare.input_plan(32, time_scale=4)
    assert (small["i3d_frames"], small["c3d_frames"], small["c3d_size"],
            small["lstm_frames"], small["flow_stack"],
            small["fused_spacing"]) == (16, 4, 16, 7, 3, 3)
    assert small["video_frames"] == 32


def _ramp_flow(count, frames, size):
    """Flow whose x component is the frame index, y its negative."""
    ramp = np.arange(frames, dtype=np.float32)[None, :, None, None]
    flow = np.zeros((count, frames, size, size, 2), np.float32)
    flow[..., 0] = ramp
    flow[..., 1] = -ramp
    return flow


def test_every_architecture_gets_the_papers_input_shape(compare):
    plan = compare.input_plan(16, time_scale=4)
    frames, size = plan["video_frames"], 16
    clips = np.random.default_rng(0).integers(
        0, 256, (2, frames, size, size, 3), dtype=np.uint8)
    flow = _ramp_flow(2, frames, size)
    shapes = {
        key: [x.shape[1:] for x in
              compare.architecture_inputs(key, clips, flow, plan)]
        for key in compare.ARCHITECTURE_KEYS
    }
    assert shapes == {
        "convnet_lstm": [(7, 16, 16, 3)],
        "c3d": [(4, 8, 8, 3)],
        "two_stream_2d": [(1, 16, 16, 3), (1, 16, 16, 6)],
        "fused_two_stream_3d": [(5, 16, 16, 3), (5, 16, 16, 6)],
        "i3d_rgb": [(16, 16, 16, 3)],
        "two_stream_i3d": [(16, 16, 16, 3), (16, 16, 16, 2)],
    }
    (lstm,) = compare.architecture_inputs("convnet_lstm", clips, flow, plan)
    np.testing.assert_allclose(lstm, clips[:, 0:35:5] / 127.5 - 1, atol=1e-6)
    rgb, stacks = compare.architecture_inputs("fused_two_stream_3d", clips,
                                              flow, plan)
    np.testing.assert_allclose(rgb, clips[:, [0, 3, 6, 9, 12]] / 127.5 - 1,
                               atol=1e-6)
    # Snapshot k stacks flow frames 3k, 3k + 1, 3k + 2, x/y interleaved,
    # clipped to 20 px and divided by 20.
    expected = [[3 * k, -3 * k, 3 * k + 1, -3 * k - 1, 3 * k + 2, -3 * k - 2]
                for k in range(5)]
    np.testing.assert_allclose(stacks[0, :, 0, 0], np.array(expected) / 20)


def test_one_frame_cannot_tell_the_directions_apart(compare):
    plan = compare.input_plan(32, time_scale=4)
    clips = np.stack([motion_clip(d, seed=7, frames=plan["video_frames"])
                      for d in MOTION_CLASSES])
    from keras_i3d.flow import farneback_flow

    flow = np.stack([farneback_flow(clip) for clip in clips])
    rgb, stacks = compare.architecture_inputs("two_stream_2d", clips, flow,
                                              plan)
    for other in range(1, len(MOTION_CLASSES)):
        np.testing.assert_array_equal(rgb[other], rgb[0])
        assert np.abs(stacks[other] - stacks[0]).max() > 0.05
    # The flow says which way: mean x flow is positive for "right" (0),
    # negative for "left" (1); mean y flow positive for "down" (2).
    mean_flow = stacks.reshape(4, -1, 2).mean(axis=1)
    assert mean_flow[0, 0] > 0 > mean_flow[1, 0]
    assert mean_flow[2, 1] > 0 > mean_flow[3, 1]


def test_flow_is_computed_once_and_read_back(compare, tmp_path):
    clips = np.stack([motion_clip(d, seed=1, frames=6, size=16)
                      for d in MOTION_CLASSES[:2]])
    first, seconds = compare.cached_flow(clips, tmp_path / "split",
                                         "farneback")
    assert first.shape == (2, 6, 16, 16, 2) and seconds > 0
    assert sorted(os.listdir(tmp_path / "split")) == [
        "clip_00000.npz", "clip_00001.npz"]
    again, seconds = compare.cached_flow(clips, tmp_path / "split",
                                         "farneback")
    np.testing.assert_array_equal(again, first)
    assert seconds == 0
    with pytest.raises(compare.ComparisonError, match="clip_00000.npz"):
        compare.cached_flow(clips, tmp_path / "split", "tvl1")


def test_flags_that_break_the_equal_budget_are_refused(compare, capsys):
    with pytest.raises(SystemExit):
        compare.parse_args(["--train-clips", "10", "--batch-size", "4"])
    assert "multiple of --batch-size" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        compare.parse_args(["--size", "8"])
    assert "--size must be at least 16" in capsys.readouterr().err


def _run(tmp_path, *flags):
    output = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, SCRIPT, "--output-dir", str(output),
         "--cache-dir", str(tmp_path / "cache"), *TINY, *flags],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1200,
        env=dict(os.environ, PYTHONPATH=PROJECT_ROOT,
                 TF_CPP_MIN_LOG_LEVEL="2"),
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
        "convnet_lstm", "c3d", "two_stream_2d", "fused_two_stream_3d",
        "i3d_rgb", "two_stream_i3d"]
    for row in rows:
        two_stream = row["architecture"] in ("two_stream_2d",
                                             "two_stream_i3d")
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
