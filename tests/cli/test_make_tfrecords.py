import argparse
import os

import pytest

from keras_i3d.cli import make_tfrecords
from keras_i3d.cli.errors import CLIError
from tests.video import corpus


def parse(argv):
    parser = argparse.ArgumentParser()
    make_tfrecords.add_parser(parser.add_subparsers())
    return parser.parse_args(["make-tfrecords"] + argv)


def test_writes_shards_and_reports_skipped(tmp_path, capsys):
    os.makedirs(tmp_path / "data" / "jumping")
    corpus.write_video(tmp_path / "data" / "jumping" / "a.mp4", corpus.moving_frames(6))
    corpus.write_garbage(tmp_path / "data" / "jumping" / "broken.mp4")
    args = parse(
        [
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "out"),
            "--shards",
            "2",
            "--short-side",
            "0",
        ]
    )
    assert args.func(args) == 0
    captured = capsys.readouterr()
    assert "Wrote 1 videos (6 frames) to 2 shards" in captured.out
    assert "broken.mp4: not a video file, or it is corrupt" in captured.err
    assert len(os.listdir(tmp_path / "out")) == 2


def test_user_errors_are_cli_errors(tmp_path):
    args = parse([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    with pytest.raises(CLIError, match="no such file"):
        args.func(args)
    args = parse([str(tmp_path), "--out", str(tmp_path / "out"), "--dataset-format", "kinetics"])
    with pytest.raises(CLIError, match="needs --video-dir"):
        args.func(args)
    # Train and test are both common here, so the subset is never guessed.
    args = parse(
        [
            str(tmp_path),
            "--out",
            str(tmp_path / "out"),
            "--dataset-format",
            "ucf101",
            "--video-dir",
            str(tmp_path),
        ]
    )
    with pytest.raises(CLIError, match="ucf101 needs --subset train or test"):
        args.func(args)
    os.makedirs(tmp_path / "only" / "class")
    corpus.write_garbage(tmp_path / "only" / "class" / "x.mp4")
    args = parse([str(tmp_path / "only"), "--out", str(tmp_path / "out2")])
    with pytest.raises(CLIError, match="no video could be read"):
        args.func(args)
