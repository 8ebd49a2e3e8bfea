"""Two workers on loopback ports train under MultiWorkerMirroredStrategy.

Each worker is a process with its own `TF_CONFIG`; they train the small
I3D (with frozen batch norm, so that batch statistics do not depend on how
the global batch is split) with `CustomLoopTrainer`. Both must end with
identical weights, equal to one process training on the same global
batches.
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_ports(count):
    sockets = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _start(output, strategy, tf_config=None):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=PROJECT_ROOT)
    environment.pop("TF_CONFIG", None)
    if tf_config is not None:
        environment["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.training.worker_script", str(output), "--strategy", strategy],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_two_workers_match_each_other_and_one_process(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes = [
        _start(
            tmp_path / f"worker_{index}.npz",
            "multi_worker",
            {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}},
        )
        for index in range(2)
    ]
    processes.append(_start(tmp_path / "single.npz", "default"))
    try:
        for process in processes:
            _, stderr = process.communicate(timeout=240)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    worker_0, worker_1, single = (
        np.load(tmp_path / name) for name in ("worker_0.npz", "worker_1.npz", "single.npz")
    )
    assert len(worker_0.files) > 2
    for key in worker_0.files:
        if key == "loss":
            continue
        np.testing.assert_array_equal(worker_0[key], worker_1[key], err_msg=key)
        np.testing.assert_allclose(worker_0[key], single[key], rtol=1e-5, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(worker_0["loss"], single["loss"], rtol=1e-5)
    assert single["loss"][-1] < single["loss"][0]
