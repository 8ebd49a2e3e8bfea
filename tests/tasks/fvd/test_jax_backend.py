"""The JAX backend gives the reference FVD to float32 rounding.

A JAX-backend process computes the FVD of the constant clips (and of random
clips) with the same installed weights; on JAX the resize is the numpy
gather (bit-identical to TF's kernel, see test_resize.py), so only the
network's float32 arithmetic differs.
"""

import numpy as np
import pytest

from tests.backends import last_json_line
from tests.backends import run_on_backend
from tests.tasks.fvd.test_reference import REFERENCE_FVD_8X30X64X64

SCRIPT = r"""
import json
import keras
import numpy as np
from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.embed import fvd_embedding_model

model = fvd_embedding_model()
zeros = np.zeros((8, 30, 64, 64, 3), np.uint8)
constant = compute_fvd(zeros, zeros + 255, model=model)
rng = np.random.default_rng(0)
real, generated = rng.integers(0, 256, (2, 3, 9, 48, 64, 3)).astype(np.uint8)
random = compute_fvd(real, generated, model=model)
print(json.dumps({"backend": keras.backend.backend(),
                  "constant": constant.fvd_float64,
                  "random": random.fvd_float64}))
"""


def fvd_on_backend(backend):
    return last_json_line(run_on_backend(SCRIPT, backend))


@pytest.mark.slow
def test_jax_backend_gives_the_same_fvd(installed_kinetics400):
    jax_values = fvd_on_backend("jax")
    tensorflow_values = fvd_on_backend("tensorflow")

    assert jax_values["backend"] == "jax"
    assert jax_values["constant"] == pytest.approx(REFERENCE_FVD_8X30X64X64, abs=2e-4)
    for key in ("constant", "random"):
        assert np.float32(jax_values[key]) == pytest.approx(
            np.float32(tensorflow_values[key]), rel=1e-5
        )
