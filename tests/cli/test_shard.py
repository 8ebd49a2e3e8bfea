"""`--shard i/N`: each of N jobs takes a disjoint part of the sorted inputs."""

import argparse
import os

import pytest

from keras_i3d.cli import main as cli_main
from keras_i3d.cli import make_tfrecords
from keras_i3d.cli import options
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video


@pytest.mark.parametrize("text, expected", [("0/1", (0, 1)), ("0/4", (0, 4)), ("3/4", (3, 4))])
def test_parses_index_and_count(text, expected):
    assert options.parse_shard(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("4/4", "0 <= i < N"),
        ("-1/4", "0 <= i < N"),
        ("0/0", "0 <= i < N"),
        ("1", "expected i/N"),
        ("a/4", "expected i/N"),
        ("1/2/3", "expected i/N"),
    ],
)
def test_bad_values_are_usage_errors_that_show_the_value(text, message, capsys):
    with pytest.raises(argparse.ArgumentTypeError, match=message) as error:
        options.parse_shard(text)
    assert repr(text) in str(error.value)
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["flow", "x.mp4", "--out", "out", "--shard", text])
    assert exit_info.value.code == 2
    assert "--shard" in capsys.readouterr().err


def test_shards_partition_the_sorted_inputs():
    items = [f"v{index:02d}.mp4" for index in (7, 3, 9, 0, 5, 1, 8)]
    parts = [options.select_shard(items, (index, 3)) for index in range(3)]
    assert sorted(sum(parts, [])) == sorted(items)
    assert parts[0] == ["v00.mp4", "v05.mp4", "v09.mp4"]
    # The order given does not change which shard an input falls in.
    assert options.select_shard(reversed(items), (0, 3)) == parts[0]
    assert options.select_shard(items, None) == items


def test_every_corpus_command_has_the_one_shard_option():
    from tests.cli.test_options import options_by_flag

    commands = {command for command, _ in options_by_flag()["--shard"]}
    assert commands == {"flow", "extract-features", "make-tfrecords"}


@pytest.fixture
def videos(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    for name in ("c", "a", "d", "b"):
        write_video(folder / f"{name}.mp4", moving_frames(3, 24, 32, seed=ord(name)))
    return folder


def test_flow_computes_only_its_shard(tmp_path, videos, capsys):
    out = tmp_path / "flow"
    argv = ["flow", str(videos), "--out", str(out), "--format", "npz", "--flow-method"]
    argv += ["farneback", "--short-side", "0"]
    assert cli_main.main(argv + ["--shard", "1/2"]) == 0
    assert sorted(os.listdir(out)) == ["b.npz", "d.npz"]
    assert "2 done, 0 already done" in capsys.readouterr().out
    assert cli_main.main(argv + ["--shard", "0/2"]) == 0
    assert sorted(os.listdir(out)) == ["a.npz", "b.npz", "c.npz", "d.npz"]


def test_make_tfrecords_jobs_write_different_files(tmp_path, videos):
    os.rename(videos, tmp_path / "jumping")
    (tmp_path / "data").mkdir()
    os.rename(tmp_path / "jumping", tmp_path / "data" / "jumping")
    parser = argparse.ArgumentParser()
    make_tfrecords.add_parser(parser.add_subparsers())
    for shard in ("0/2", "1/2"):
        args = parser.parse_args(
            ["make-tfrecords", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
            + ["--shards", "1", "--short-side", "0", "--shard", shard]
        )
        assert args.func(args) == 0
    assert sorted(os.listdir(tmp_path / "out")) == [
        "videos-part-00000-of-00002-00000-of-00001.tfrecord",
        "videos-part-00001-of-00002-00000-of-00001.tfrecord",
    ]
    assert make_tfrecords.shard_prefix("videos", None) == "videos"
