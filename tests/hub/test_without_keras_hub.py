"""keras_i3d.hub without keras-hub installed (simulated): it runs everywhere."""

import os
import subprocess
import sys


def run_python(script):
    """Runs `script` in a new Python process; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_without_keras_hub_the_error_names_the_extra():
    # `sys.modules["keras_hub"] = None` makes `import keras_hub` fail as if
    # keras-hub were not installed.
    script = (
        "import sys\n"
        "sys.modules['keras_hub'] = None\n"
        "import keras_i3d\n"
        "try:\n"
        "    from keras_i3d.hub import I3DBackbone\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error)\n"
    )

    result = run_python(script)

    assert result.returncode == 0, result.stderr
    assert "MissingKerasHubError" in result.stdout
    assert 'pip install "keras-i3d[hub]"' in result.stdout
