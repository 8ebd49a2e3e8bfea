"""Running a script under another Keras backend, in a fresh process.

The backend is chosen when Keras is first imported, so a test that compares
backends runs each in its own interpreter, with the project on its path.
"""

import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def run_on_backend(script, backend, *args, timeout=900):
    """Runs `python -c script *args` with `KERAS_BACKEND=backend`.

    Returns:
        The completed process; a non-zero exit fails the test with the
        end of its stderr.
    """
    environment = dict(
        os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(PROJECT_ROOT)
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def last_json_line(completed):
    """The JSON object a script printed last."""
    return json.loads(completed.stdout.strip().splitlines()[-1])
