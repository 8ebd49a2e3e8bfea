import argparse
import json

import pytest

from keras_i3d.cli import evaluate
from keras_i3d.cli.main import CLIError
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
    small_i3d(classes=2, frames=None, size=32).save(path)
    return path


def test_evaluates_a_folder_per_class_dataset(tmp_path, saved_model, capsys):
    data = tmp_path / "data"
    write_motion_videos(data, clips_per_class=2, frames=10, size=32,
                        classes=2)
    (data / "left" / "broken.mp4").write_bytes(b"not a video")
    output = tmp_path / "results"
    assert _run([str(data), "--model", str(saved_model), "--resize", "32",
                 "--crop-size", "32", "--clip-frames", "8", "--clips", "2",
                 "--flip", "--output-dir", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "videos evaluated: 4 (skipped: 1)" in printed
    assert "broken.mp4" in printed
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["videos"] == 4 and metrics["skipped"] == 1
    assert set(metrics["per_class_accuracy"]) == {"left", "right"}
    assert 0.0 <= metrics["top1"] <= 1.0 and metrics["top5"] == 1.0
    for name in ("confusion_matrix.png", "per_class_accuracy.png"):
        assert (output / name).stat().st_size > 1000


def test_user_errors_are_cli_errors(tmp_path, saved_model):
    with pytest.raises(CLIError, match="not a folder"):
        _run([str(tmp_path / "missing"), "--model", str(saved_model)])
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(CLIError, match="no videos found"):
        _run([str(tmp_path / "empty"), "--model", str(saved_model)])
    write_motion_videos(tmp_path / "data", 1, frames=4, size=16, classes=2)
    with pytest.raises(CLIError, match="no such model"):
        _run([str(tmp_path / "data"), "--model", str(tmp_path / "x.keras")])
    with pytest.raises(CLIError, match="not in the kinetics400 labels"):
        _run([str(tmp_path / "data"), "--model", str(saved_model),
              "--labels", "kinetics400"])


def test_read_video_names_the_bad_file(tmp_path):
    path = tmp_path / "bad.mp4"
    path.write_bytes(b"garbage")
    with pytest.raises(evaluate.VideoReadError, match="bad.mp4"):
        evaluate.read_video(str(path), 32)
