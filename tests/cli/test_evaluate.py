import argparse
import json
import shutil

import pytest

from keras_i3d.cli import evaluate
from keras_i3d.cli.errors import CLIError
from keras_i3d.data.synthetic_motion import write_motion_videos


def _run(argv):
    parser = argparse.ArgumentParser(prog="keras-i3d")
    evaluate.add_parser(parser.add_subparsers())
    args = parser.parse_args(["evaluate", *argv])
    return args.func(args)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    from tests.training.small_model import small_i3d

    path = tmp_path_factory.mktemp("model") / "small.keras"
    small_i3d(classes=2, clip_length=None, size=None).save(path)
    return path


@pytest.fixture(scope="module")
def motion_videos(tmp_path_factory):
    data = tmp_path_factory.mktemp("motion") / "data"
    write_motion_videos(data, clips_per_class=2, num_frames=10, size=32, classes=2)
    return data


def test_evaluates_a_folder_per_class_dataset(tmp_path, motion_videos, saved_model, capsys):
    data = tmp_path / "data"
    shutil.copytree(motion_videos, data)
    (data / "left" / "broken.mp4").write_bytes(b"not a video")
    (data / "left" / "empty.avi").write_bytes(b"")
    output = tmp_path / "results"
    assert (
        _run(
            [
                str(data),
                "--model",
                str(saved_model),
                "--short-side",
                "32",
                "--crop-size",
                "24",
                "--clip-length",
                "8",
                "--clips",
                "2",
                "--crops",
                "3",
                "--flip",
                "--out",
                str(output),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "videos evaluated: 4 (skipped: 2)" in printed
    assert "2 videos skipped:" in printed
    assert "broken.mp4: not a video file" in printed
    assert "empty.avi: the file is empty" in printed
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["videos"] == 4 and metrics["skipped"] == 2
    assert [v["video"].rsplit("/", 1)[1] for v in metrics["skipped_videos"]] == [
        "broken.mp4",
        "empty.avi",
    ]
    assert set(metrics["per_class_accuracy"]) == {"left", "right"}
    assert 0.0 <= metrics["top1"] <= 1.0 and metrics["top5"] == 1.0
    assert len(metrics["predictions"]) == 4
    for name in ("confusion_matrix.png", "per_class_accuracy.png"):
        assert (output / name).stat().st_size > 1000


def test_ucf101_split_format(tmp_path, motion_videos, saved_model, capsys):
    splits = tmp_path / "ucfTrainTestlist"
    splits.mkdir()
    (splits / "classInd.txt").write_text("1 right\n2 left\n")
    (splits / "testlist01.txt").write_text("left/left_0000.mp4\nright/right_0001.mp4\n")
    output = tmp_path / "results"
    assert (
        _run(
            [
                str(splits),
                "--dataset-format",
                "ucf101",
                "--subset",
                "test",
                "--video-dir",
                str(motion_videos),
                "--model",
                str(saved_model),
                "--short-side",
                "32",
                "--crop-size",
                "32",
                "--out",
                str(output),
            ]
        )
        == 0
    )
    assert "videos evaluated: 2 (skipped: 0)" in capsys.readouterr().out
    metrics = json.loads((output / "metrics.json").read_text())
    assert [(p["video"].rsplit("/", 1)[1], p["label"]) for p in metrics["predictions"]] == [
        ("left_0000.mp4", "left"),
        ("right_0001.mp4", "right"),
    ]


def test_user_errors_are_cli_errors(tmp_path, motion_videos, saved_model):
    out = ["--out", str(tmp_path / "unused")]  # Each run fails first.
    with pytest.raises(CLIError, match="no such file or folder"):
        _run([*out, str(tmp_path / "missing"), "--model", str(saved_model)])
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(CLIError, match="lists no videos"):
        _run([*out, str(tmp_path / "empty"), "--model", str(saved_model)])
    data = str(motion_videos)
    with pytest.raises(CLIError, match="no such model"):
        _run([*out, data, "--model", str(tmp_path / "x.keras")])
    with pytest.raises(CLIError, match="not in the kinetics400 labels"):
        _run([*out, data, "--model", str(saved_model), "--labels", "kinetics400"])
    with pytest.raises(CLIError, match="needs --video-dir"):
        _run([*out, data, "--dataset-format", "ucf101", "--model", str(saved_model)])
    with pytest.raises(CLIError, match="--clips needs --clip-length"):
        _run([*out, data, "--model", str(saved_model), "--clips", "3"])
    with pytest.raises(CLIError, match="at least --crop-size"):
        _run([*out, data, "--model", str(saved_model), "--crop-size", "300"])
    with pytest.raises(CLIError, match="at least 9 frames"):
        _run([*out, data, "--clip-length", "4"])


def test_weights_of_another_class_count_are_a_cli_error(tmp_path, motion_videos):
    out = ["--out", str(tmp_path / "unused")]  # Each run fails first.
    weights = tmp_path / "random.weights.h5"
    from keras_i3d import I3D

    I3D(weights=None, classes=3).save_weights(weights)
    # The plain Keras file says its class count through its Logits kernel.
    with pytest.raises(
        CLIError, match="random.weights.h5 predicts 3 classes but the dataset has 2"
    ):
        _run([*out, str(motion_videos), "--weights", str(weights)])


@pytest.mark.slow
def test_kinetics400_on_real_videos(
    tmp_path, shared_data, arm_wrestling_mp4, installed_kinetics400, capsys
):
    """The real checkpoint names both sample videos right (whole video)."""
    data = tmp_path / "data"
    for name, source in (
        ("arm wrestling", arm_wrestling_mp4),
        ("abseiling", shared_data("tiny-ucf101/abseiling_k400.mp4")),
    ):
        (data / name).mkdir(parents=True)
        shutil.copy(source, data / name / source.name)
    with pytest.raises(CLIError, match="predicts 400 classes but the dataset has 2; .* --labels"):
        _run([str(data), "--weights", "kinetics400", "--out", str(tmp_path / "unused")])
    output = tmp_path / "results"
    assert _run([str(data), "--labels", "kinetics400", "--out", str(output)]) == 0
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["videos"] == 2 and metrics["top1"] == 1.0
    assert metrics["per_class_accuracy"] == {"abseiling": 1.0, "arm wrestling": 1.0}
    for name in ("confusion_matrix.png", "per_class_accuracy.png"):
        assert (output / name).stat().st_size > 1000


@pytest.fixture(scope="module")
def motion_flow(tmp_path_factory, motion_videos):
    """`keras-i3d flow`'s layout for the motion videos: DIR/<stem>/flow_x_..."""
    from keras_i3d.flow import write_flow
    from keras_i3d.flow.video import video_flow

    out = tmp_path_factory.mktemp("flow")
    for video in sorted(motion_videos.glob("*/*.mp4")):
        flow = video_flow(str(video), flow_method="farneback", short_side=None)
        write_flow(flow.flow, out / video.stem, "png")
    return out


def test_a_baseline_with_its_papers_test_view(tmp_path, motion_videos, capsys):
    from keras_i3d.models import ConvNetLSTM

    model_path = tmp_path / "lstm.keras"
    ConvNetLSTM(input_shape=(None, 32, 32, 3), classes=2).save(model_path)
    output = tmp_path / "results"
    assert (
        _run(
            [
                str(motion_videos),
                "--model",
                str(model_path),
                "--view",
                "convnet_lstm",
                "--short-side",
                "32",
                "--crop-size",
                "32",
                "--out",
                str(output),
            ]
        )
        == 0
    )
    assert "videos evaluated: 4 (skipped: 0)" in capsys.readouterr().out
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["videos"] == 4


def test_two_stream_2d_reads_flow_from_the_flow_dir(tmp_path, motion_videos, motion_flow, capsys):
    from keras_i3d.models import TwoStream2D

    model_path = tmp_path / "two_stream.keras"
    TwoStream2D(input_shape=(None, 32, 32, 3), classes=2).save(model_path)
    flow_dir = tmp_path / "flow"
    shutil.copytree(motion_flow, flow_dir)
    shutil.rmtree(flow_dir / "left_0001")  # one video without flow
    output = tmp_path / "results"
    assert (
        _run(
            [
                str(motion_videos),
                "--model",
                str(model_path),
                "--view",
                "two_stream_2d",
                "--flow-dir",
                str(flow_dir),
                "--short-side",
                "32",
                "--crop-size",
                "32",
                "--probabilities",
                "--out",
                str(output),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "videos evaluated: 3 (skipped: 1)" in printed
    assert "left_0001" in printed


def test_view_errors_are_cli_errors(tmp_path, motion_videos, motion_flow, saved_model):
    out = ["--out", str(tmp_path / "unused")]  # Each run fails first.
    data = str(motion_videos)
    with pytest.raises(CLIError, match="--view sets the clips"):
        _run([*out, data, "--model", str(saved_model), "--view", "c3d", "--clip-length", "16"])
    with pytest.raises(CLIError, match="needs flow: pass --flow-dir"):
        _run([*out, data, "--model", str(saved_model), "--view", "two_stream_2d"])
    with pytest.raises(CLIError, match="pass the trained --model"):
        _run([*out, data, "--view", "fused_two_stream_3d"])
    with pytest.raises(CLIError, match="--flow-dir needs a --view"):
        _run([*out, data, "--model", str(saved_model), "--flow-dir", str(motion_flow)])
    # The small I3D takes one RGB input; the Two-Stream 2D view feeds two.
    with pytest.raises(CLIError, match="expects inputs of shapes"):
        _run(
            [
                *out,
                data,
                "--model",
                str(saved_model),
                "--view",
                "two_stream_2d",
                "--flow-dir",
                str(motion_flow),
                "--short-side",
                "32",
                "--crop-size",
                "32",
            ]
        )


def test_an_i3d_is_scored_fused_unless_no_fuse(saved_model):
    import keras

    from keras_i3d import I3D

    i3d = I3D(weights=None, classes=3, input_shape=(None, None, None, 3))
    graph = argparse.Namespace(fused=True, precision="float32", model=None)
    assert evaluate._inference_graph(i3d, graph).name == f"{i3d.name}_fused"
    graph.fused = False
    assert evaluate._inference_graph(i3d, graph) is i3d
    graph.precision = "mixed_bfloat16"
    with pytest.raises(CLIError, match="drop --no-fuse"):
        evaluate._inference_graph(i3d, graph)
    # A model with a head of its own runs as it is, in float32 only.
    small = keras.saving.load_model(saved_model, compile=False)
    graph = argparse.Namespace(fused=True, precision="float32", model=str(saved_model))
    assert evaluate._inference_graph(small, graph) is small
    graph.precision = "mixed_bfloat16"
    with pytest.raises(CLIError, match="is not an I3D with I3D's head"):
        evaluate._inference_graph(small, graph)


def test_a_two_stream_i3d_is_scored_fused_unless_no_fuse(tmp_path):
    import keras
    import numpy as np

    from keras_i3d import TwoStreamI3D

    path = tmp_path / "two_stream.keras"
    TwoStreamI3D(weights=None, classes=3, input_shape=(None, None, None, 3)).save(path)
    # As `--model` loads it.
    model = keras.saving.load_model(path, compile=False)
    graph = argparse.Namespace(fused=True, precision="float32", model=str(path))
    fused = evaluate._inference_graph(model, graph)
    assert fused.name == "two_stream_i3d_fused"
    assert {"i3d_rgb_fused", "i3d_flow_fused"} <= {layer.name for layer in fused.layers}
    rng = np.random.default_rng(0)
    clips = [
        rng.uniform(-1, 1, (1, 9, 193, 193, channels)).astype("float32") for channels in (3, 2)
    ]
    expected = model.predict_on_batch(clips)["predictions"]
    np.testing.assert_allclose(fused.predict_on_batch(clips)["predictions"], expected, atol=1e-5)
    graph.precision = "mixed_bfloat16"
    bfloat16 = evaluate._inference_graph(model, graph)
    stream = bfloat16.get_layer("i3d_flow_fused")
    assert stream.get_layer("Mixed_3b").dtype_policy.compute_dtype == "bfloat16"
    graph.precision, graph.fused = "float32", False
    assert evaluate._inference_graph(model, graph) is model
