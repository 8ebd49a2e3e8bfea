"""`keras-i3d predict` on the real samples, and its error paths."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d.cli.main import main

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"


def test_predict_prints_arm_wrestling_first(installed_kinetics400, capsys):
    assert main(["predict", str(SAMPLE), "--max-frames", "64"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "64 frames at 25 fps" in lines[0]
    assert lines[2].split(None, 3)[-1] == "arm wrestling"
    assert len(lines) == 2 + 5


def test_predict_json(installed_kinetics400, capsys):
    assert main(["predict", str(SAMPLE), "--json", "--top", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["video"] == str(SAMPLE)
    assert [entry["label"] for entry in result["top"]][0] == "arm wrestling"
    assert set(result["top"][0]) == {"label", "index", "probability", "logit"}
    probabilities = [entry["probability"] for entry in result["top"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert result["top"][0]["index"] == 6


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "absent.mp4", "no such file"),
        (lambda d: _write(d / "garbage.mp4", os.urandom(4096)), "Cannot read video"),
        (lambda d: _write(d / "empty.mp4", b""), "Cannot read video"),
    ],
    ids=["missing", "corrupt", "empty"],
)
def test_unreadable_videos_fail_cleanly(tmp_path, capsys, make, message):
    path = make(tmp_path)
    assert main(["predict", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("keras-i3d predict: error: ")
    assert message in captured.err and path.name in captured.err


def test_too_few_frames_and_bad_flags(capsys):
    assert main(["predict", str(SAMPLE), "--max-frames", "4"]) == 1
    assert "needs at least 9 frames" in capsys.readouterr().err
    assert main(["predict", str(SAMPLE), "--top", "0"]) == 2


def test_unknown_and_uninstalled_weights(tmp_path, monkeypatch, capsys):
    assert main(["predict", str(SAMPLE), "--weights", "kinetics-9000"]) == 1
    assert "Unknown weights 'kinetics-9000'" in capsys.readouterr().err
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    assert main(["predict", str(SAMPLE), "--weights", "kinetics400"]) == 1
    assert "keras-i3d weights install" in capsys.readouterr().err


def test_console_script_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "keras_i3d", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    for command in ("predict", "weights", "evaluate", "make-tfrecords"):
        assert command in result.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "keras_i3d", "predict", "absent.mp4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "keras-i3d predict: error: Cannot read video 'absent.mp4': no such file or folder"
    )


def _write(path, data):
    path.write_bytes(data)
    return path


def test_two_stream_with_a_flow_weights_file(installed_kinetics400, tmp_path, capsys):
    # No flow checkpoint is distributed yet: a flow weights file of random
    # values exercises the path (RGB stays the real Kinetics-400 stream).
    from keras_i3d import I3D
    from keras_i3d.weights.files import WeightsFileInfo
    from keras_i3d.weights.files import save_weights_file

    flow_file = tmp_path / "flow.weights.h5"
    flow = I3D(stream="flow", weights=None, input_shape=(None, None, None, 2))
    for variable in flow.weights:
        variable.assign(
            np.zeros(variable.shape, "float32")
            if "moving_variance" not in variable.path
            else np.ones(variable.shape, "float32")
        )
    save_weights_file(flow, flow_file, WeightsFileInfo(stream="flow", classes=400))
    argv = [
        "predict",
        str(SAMPLE),
        "--stream",
        "two_stream",
        "--max-frames",
        "9",
        "--flow-weights",
        str(flow_file),
        "--flow-method",
        "farneback",
        "--json",
    ]
    # Both streams run fused, in float32 or, on request, in bfloat16.
    for precision in ("float32", "mixed_bfloat16"):
        assert main([*argv, "--precision", precision]) == 0
        result = json.loads(capsys.readouterr().out)
        # A zero flow stream adds nothing: the fused ranking is the RGB one.
        assert result["num_frames"] == 9
        assert result["top"][0]["label"] == "arm wrestling"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--stream", "two_stream"], "--stream two_stream needs --flow-weights FILE"),
        (
            ["--stream", "two_stream", "--flow-weights", "kinetics400"],
            "--flow-weights kinetics400: no pretrained flow-stream weights",
        ),
        (
            ["--flow-weights", "flow.weights.h5"],
            "--flow-weights applies only with --stream two_stream",
        ),
    ],
    ids=["two-stream-alone", "flow-alias", "flow-weights-alone"],
)
def test_flow_weights_usage_errors_name_the_flags(capsys, argv, message):
    assert main(["predict", str(SAMPLE), "--max-frames", "9", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    # The advice is for the command line, not the Python API.
    assert "weights=" not in err
    if "two_stream" in argv:
        assert "--flow-weights flow.weights.h5" in err


def test_the_fused_default_matches_the_reference_graph(installed_kinetics400, capsys):
    argv = ["predict", str(SAMPLE), "--max-frames", "16", "--json"]
    assert main([*argv, "--no-fuse"]) == 0
    reference = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    fused = json.loads(capsys.readouterr().out)
    assert [e["index"] for e in fused["top"]] == [e["index"] for e in reference["top"]]
    for a, b in zip(fused["top"], reference["top"]):
        assert abs(a["logit"] - b["logit"]) < 1e-4
    assert (fused["mode"], fused["num_clips"], fused["clip_length"]) == ("clips", 1, 16)


def test_bfloat16_on_request_gives_the_same_top5(installed_kinetics400, capsys):
    assert main(["predict", str(SAMPLE), "--max-frames", "16", "--json"]) == 0
    reference = json.loads(capsys.readouterr().out)
    argv = ["predict", str(SAMPLE), "--max-frames", "16", "--json", "--precision", "mixed_bfloat16"]
    assert main(argv) == 0
    bfloat16 = json.loads(capsys.readouterr().out)
    assert [e["index"] for e in bfloat16["top"]] == [e["index"] for e in reference["top"]]
    assert bfloat16["top"][0]["label"] == "arm wrestling"
    for a, b in zip(bfloat16["top"], reference["top"]):
        assert abs(a["logit"] - b["logit"]) < 0.5


def test_clips_whole_video_and_profile(installed_kinetics400, capsys):
    argv = ["predict", str(SAMPLE), "--max-frames", "30", "--json", "--engine", "tensorflow"]
    assert main([*argv, "--clip-length", "20", "--profile"]) == 0
    captured = capsys.readouterr()
    clips = json.loads(captured.out)
    assert (clips["mode"], clips["num_clips"], clips["clip_length"]) == ("clips", 2, 20)
    assert clips["num_frames"] == 30
    for phase in ("start-up (Python, imports)", "decode", "model"):
        assert f"{phase}: " in captured.err
    # The graph is built (and cached) by the first run in this home, loaded after.
    assert "build + load weights + fuse + cache: " in captured.err or (
        "load cached model: " in captured.err
    )
    assert main([*argv, "--no-model-cache", "--profile"]) == 0
    assert "build + load weights + fuse: " in capsys.readouterr().err
    assert "total (process wall time)" in captured.err
    assert main([*argv, "--whole-video"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert (whole["mode"], whole["num_clips"], whole["clip_length"]) == ("whole_video", 1, 30)
    assert whole["top"][0]["label"] == clips["top"][0]["label"] == "arm wrestling"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--precision", "mixed_bfloat16", "--no-fuse"], "drop --no-fuse"),
        (["--whole-video", "--clip-length", "64"], "drop --clip-length"),
    ],
    ids=["bf16-reference", "whole-video-clips"],
)
def test_inference_usage_errors(capsys, argv, message):
    assert main(["predict", str(SAMPLE), *argv]) == 2
    assert message in capsys.readouterr().err


def test_only_the_inference_precisions_are_offered(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", str(SAMPLE), "--precision", "float16"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'float16'" in capsys.readouterr().err


def test_a_truncated_mp4_gives_one_clean_line_on_stderr(tmp_path):
    """No FFmpeg (`moov atom not found`) or TensorFlow start-up lines."""
    truncated = _write(tmp_path / "truncated.mp4", SAMPLE.read_bytes()[:2048])
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    environment.pop("OPENCV_FFMPEG_LOGLEVEL", None)
    environment.pop("KERAS_I3D_VERBOSE_TF", None)
    result = subprocess.run(
        [sys.executable, "-m", "keras_i3d", "predict", str(truncated)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    stderr_lines = result.stderr.splitlines()
    assert len(stderr_lines) == 1, result.stderr
    assert stderr_lines[0].startswith(f"keras-i3d predict: error: Cannot read video '{truncated}'")


def test_tensorflow_is_imported_without_jax_and_matplotlib():
    """They cost seconds of start-up; a command can still import them."""
    code = (
        "import sys\n"
        "sys.argv = ['keras-i3d']  # the CLI process: `keras_i3d` imports no public names\n"
        "from keras_i3d.cli.main import quiet_tensorflow\n"
        "quiet_tensorflow()\n"
        "assert 'keras' in sys.modules and 'tensorflow' in sys.modules\n"
        "print(sorted(n for n in ('jax', 'matplotlib') if n in sys.modules))\n"
        "import matplotlib\n"
        "print(matplotlib.__name__)\n"
    )
    environment = dict(os.environ, PYTHONPATH=str(ROOT), KERAS_BACKEND="tensorflow")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "matplotlib"]


@pytest.mark.parametrize(
    "backend, config, expected",
    [
        ("jax", None, "jax"),
        (None, None, "tensorflow"),
        (None, '{"backend": "jax"}', "jax"),
        (None, "not json", None),
    ],
    ids=["variable", "no-config", "config", "unreadable-config"],
)
def test_the_keras_backend_is_read_as_keras_reads_it(
    tmp_path, monkeypatch, backend, config, expected
):
    from keras_i3d.cli.main import _keras_backend

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    if backend is None:
        monkeypatch.delenv("KERAS_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KERAS_BACKEND", backend)
    if config is not None:
        (tmp_path / "keras.json").write_text(config)
    assert _keras_backend() == expected


def test_the_cli_process_flushes_its_output_and_skips_the_teardown(installed_kinetics400):
    """`keras-i3d predict` ends with `os._exit` once its output is flushed:
    an atexit handler never runs, and the piped JSON is whole."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('interpreter teardown', file=sys.stderr))\n"
        f"sys.argv = ['keras-i3d', 'predict', {str(SAMPLE)!r}, '--max-frames', '9', '--json']\n"
        "from keras_i3d.cli.main import main\n"
        "sys.exit(main())\n"
    )
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["num_frames"] == 9
    assert "interpreter teardown" not in result.stderr


def _write_long_video(path, seconds, fps=25):
    """A small video of `seconds` at `fps`, for the engine choice (metadata only)."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (32, 32))
    frame = np.zeros((32, 32, 3), np.uint8)
    for _ in range(int(seconds * fps)):
        writer.write(frame)
    writer.release()
    return path


def _predict_args(*argv):
    from keras_i3d.cli.main import build_parser

    return build_parser().parse_args(["predict", *argv])


def test_auto_takes_onnxruntime_for_short_videos_and_tensorflow_beyond(tmp_path):
    from keras_i3d.cli.predict import AUTO_ONNXRUNTIME_MAX_CLIPS
    from keras_i3d.cli.predict import _choose_engine

    assert AUTO_ONNXRUNTIME_MAX_CLIPS == 6  # 60 s, as --help says
    short = _write_long_video(tmp_path / "short.mp4", 58)
    long = _write_long_video(tmp_path / "long.mp4", 62)
    cases = [
        ((str(SAMPLE),), "onnxruntime"),
        ((str(short),), "onnxruntime"),
        ((str(long),), "tensorflow"),
        ((str(long), "--max-frames", "1500"), "onnxruntime"),
        ((str(long), "--clip-length", "500"), "onnxruntime"),
        ((str(SAMPLE), "--precision", "mixed_bfloat16"), "tensorflow"),
        ((str(SAMPLE), "--no-fuse"), "tensorflow"),
        ((str(SAMPLE), "--no-model-cache"), "tensorflow"),
        ((str(SAMPLE), "--stream", "two_stream", "--flow-weights", "f.h5"), "tensorflow"),
        ((str(long), "--engine", "onnxruntime"), "onnxruntime"),
        ((str(SAMPLE), "--engine", "tensorflow"), "tensorflow"),
        ((str(tmp_path / "absent.mp4"),), "onnxruntime"),  # the reading reports it
    ]
    for argv, expected in cases:
        args = _predict_args(*argv)
        engine, why = _choose_engine(args, args.clip_length or 250)
        assert engine == expected, (argv, why)


def test_auto_takes_tensorflow_without_onnxruntime(monkeypatch):
    from keras_i3d.cli.predict import _choose_engine
    from keras_i3d.tasks import onnx_classifier

    monkeypatch.setattr(onnx_classifier, "missing_modules", lambda modules: ["onnxruntime"])
    assert _choose_engine(_predict_args(str(SAMPLE)), 250) == (
        "tensorflow",
        "auto: onnxruntime not installed",
    )


@pytest.mark.parametrize(
    "argv, option",
    [
        (["--no-fuse"], "--no-fuse"),
        (["--precision", "mixed_bfloat16"], "--precision mixed_bfloat16"),
        (["--stream", "two_stream", "--flow-weights", "f.h5"], "--stream two_stream"),
    ],
)
def test_onnxruntime_refuses_what_it_cannot_run(capsys, argv, option):
    assert main(["predict", str(SAMPLE), "--engine", "onnxruntime", *argv]) == 2
    err = capsys.readouterr().err
    assert f"runs the fused float32 RGB I3D only; drop {option}" in err


def test_both_engines_give_the_reference_logits(installed_kinetics400, capsys):
    argv = ["predict", str(SAMPLE), "--max-frames", "32", "--json", "--top", "10"]
    assert main([*argv, "--no-fuse", "--engine", "tensorflow"]) == 0
    reference = json.loads(capsys.readouterr().out)
    for engine in ("onnxruntime", "tensorflow"):
        assert main([*argv, "--engine", engine, "--profile"]) == 0
        captured = capsys.readouterr()
        assert f"engine: {engine} (--engine)" in captured.err
        result = json.loads(captured.out)
        assert [e["index"] for e in result["top"]] == [e["index"] for e in reference["top"]]
        for a, b in zip(result["top"], reference["top"]):
            assert abs(a["logit"] - b["logit"]) < 1e-4
    # The ONNX graph was converted by the first run in this home, or an earlier test.
    assert main([*argv, "--engine", "onnxruntime", "--profile"]) == 0
    assert "load ONNX graph: " in capsys.readouterr().err
    # Its time axis is dynamic: the whole video in one pass runs on it too.
    assert main([*argv, "--engine", "onnxruntime", "--whole-video"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert (whole["mode"], whole["num_frames"]) == ("whole_video", 32)
    for a, b in zip(whole["top"], reference["top"]):
        assert a["index"] == b["index"] and abs(a["logit"] - b["logit"]) < 1e-4


def test_predict_on_a_cached_onnx_graph_imports_no_tensorflow(installed_kinetics400, capsys):
    # Converted here if no earlier test did.
    assert main(["predict", str(SAMPLE), "--max-frames", "16", "--engine", "onnxruntime"]) == 0
    capsys.readouterr()
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "keras_i3d", "predict", str(SAMPLE)]
        + ["--max-frames", "40", "--profile"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[2].split(None, 3)[-1] == "arm wrestling"
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert imported.isdisjoint({"tensorflow", "keras", "jax"})
    assert "engine: onnxruntime (auto: about 1 clip(s), ONNX Runtime starts sooner)" in (
        result.stderr
    )
