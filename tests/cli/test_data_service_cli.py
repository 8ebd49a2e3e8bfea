"""`keras-i3d data-service`: a dispatcher and a worker in their own processes."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.cli.main import main
from keras_i3d.data import DataServiceConfig
from keras_i3d.data import VideoSample
from keras_i3d.data import tfrecord_dataset
from keras_i3d.data import video_dataset
from keras_i3d.data import write_tfrecords
from tests.cli.test_main import imported_heavy_modules
from tests.cli.test_main import run_cli
from tests.video import corpus

REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NUM_VIDEOS = 4
CLIP_ARGUMENTS = {"clip_length": 8, "short_side": 40, "crop_size": 32}


@pytest.mark.parametrize("role", ["dispatcher", "worker"])
def test_help_names_the_options(role, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["data-service", role, "--help"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert f"usage: keras-i3d data-service {role}" in printed
    assert "--port" in printed and ("--dispatcher" in printed) == (role == "worker")


@pytest.mark.parametrize("cli_args", [["--help"], ["worker", "--help"], ["worker"]])
def test_help_and_usage_errors_do_not_import_tensorflow(cli_args):
    result = run_cli("data-service", *cli_args)
    assert result.returncode == (0 if "--help" in cli_args else 2), result.stderr[-2000:]
    assert imported_heavy_modules(result.stderr) == set()


def test_bad_dispatcher_addresses_are_clear_errors(capsys):
    assert main(["data-service", "worker", "--dispatcher", "no-port"]) == 2
    assert "--dispatcher: A tf.data service address must be 'host:port'" in capsys.readouterr().err
    assert main(["data-service", "worker", "--dispatcher", "localhost:1"]) == 1
    error = capsys.readouterr().err
    assert "keras-i3d data-service: error: --dispatcher: No tf.data service dispatcher" in error
    with pytest.raises(SystemExit) as exit_info:
        main(["data-service", "dispatcher", "--port", "70000"])
    assert exit_info.value.code == 2
    assert "expected a port in 0..65535. Received: '70000'" in capsys.readouterr().err


def start_role(tmp_path, role, *cli_args):
    """`keras-i3d data-service ROLE ...` in a new process, and its first stdout line."""
    stderr = open(tmp_path / f"{role}.stderr", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "keras_i3d", "data-service", role, *cli_args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=dict(os.environ, PYTHONPATH=REPOSITORY_ROOT),
    )
    stderr.close()
    first_line = process.stdout.readline()
    assert first_line, (tmp_path / f"{role}.stderr").read_text()[-2000:]
    return process, first_line


def stop_role(tmp_path, process, role):
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert f"keras-i3d data-service {role}: stopped" in (tmp_path / f"{role}.stderr").read_text()


def test_workers_in_other_processes_serve_tfrecords(tmp_path):
    samples = [
        VideoSample(
            str(corpus.write_video(tmp_path / f"v{i}.mp4", corpus.moving_frames(12, seed=i))), i
        )
        for i in range(NUM_VIDEOS)
    ]
    write_tfrecords(samples, tmp_path / "shards", num_shards=2, short_side=40)
    dispatcher, line = start_role(tmp_path, "dispatcher", "--port", "0")
    address = line.split("grpc://")[1].strip()
    worker, line = start_role(tmp_path, "worker", "--dispatcher", address)
    assert f"dispatcher {address}" in line
    try:
        shards = str(tmp_path / "shards" / "*.tfrecord")
        one_epoch = DataServiceConfig(address, epochs=1)
        served = tfrecord_dataset(shards, seed=0, data_service=one_epoch, **CLIP_ARGUMENTS)
        clips = {int(label): clip.numpy() for clip, label in served}
        assert sorted(clips) == list(range(NUM_VIDEOS))
        assert all(
            clip.shape == (8, 32, 32, 3) and np.abs(clip).max() <= 1 for clip in clips.values()
        )
        # Video decoding is Python, which a worker in another process cannot run.
        with pytest.raises(tf.errors.InvalidArgumentError, match="Could not find callback"):
            list(video_dataset(samples, seed=0, data_service=one_epoch, **CLIP_ARGUMENTS))
    finally:
        stop_role(tmp_path, worker, "worker")
        stop_role(tmp_path, dispatcher, "dispatcher")
