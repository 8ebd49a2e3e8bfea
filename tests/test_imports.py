"""`import keras_i3d` registers every layer, in a new process."""

import os
import subprocess
import sys
import textwrap

import keras

from keras_i3d.models.i3d import I3D

REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code):
    environment = dict(os.environ, PYTHONPATH=REPOSITORY_ROOT)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, env=environment, timeout=600,
    )


def test_load_model_after_import_keras_i3d_in_a_new_process(tmp_path):
    model = I3D(weights=None, input_shape=(None, None, None, 3), classes=5)
    model_path = str(tmp_path / "finetuned.keras")
    model.save(model_path)

    result = run_python(f"""
        import keras_i3d, keras
        model = keras.saving.load_model({model_path!r})
        print(model.output_shape)
    """)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(None, 5)"


def test_import_keras_i3d_binds_every_public_name():
    import keras_i3d

    missing = [name for name in keras_i3d.__all__ if not hasattr(keras_i3d, name)]
    assert missing == []
    assert keras.saving.get_registered_object("keras_i3d>MinimumClipSize")
