"""The baselines run on the JAX backend and agree with TensorFlow.

Keras `.weights.h5` files are backend-neutral: the TensorFlow side builds
each baseline, saves its weights and outputs; a JAX-backend process loads
the same weights and must give the same pooled features and logits.
"""

import numpy as np
import pytest

from tests.backends import last_json_line
from tests.backends import run_on_backend

SCRIPT = r"""
import json, os, sys
import numpy as np
import keras
from keras_i3d.models import C3D, ConvNetLSTM, FusedTwoStream3D, TwoStream2D

folder = sys.argv[1]
rng = np.random.default_rng(0)
rgb = rng.uniform(-1, 1, (2, 5, 64, 64, 3)).astype("float32")
flow = rng.uniform(-1, 1, (2, 5, 64, 64, 4)).astype("float32")
c3d_clip = rng.uniform(-1, 1, (2, 8, 64, 64, 3)).astype("float32")
builders = {
    "convnet_lstm": (ConvNetLSTM, dict(input_shape=(None, 64, 64, 3)), [rgb]),
    "c3d": (C3D, dict(input_shape=(8, 64, 64, 3)), [c3d_clip]),
    "two_stream_2d": (TwoStream2D, dict(input_shape=(None, 64, 64, 3),
                                        flow_stack=2), [rgb, flow]),
    "fused_two_stream_3d": (FusedTwoStream3D, dict(input_shape=(5, 64, 64, 3),
                                                   flow_stack=2),
                            [rgb, flow]),
}
outputs = {"backend": keras.backend.backend()}
for name, (builder, options, inputs) in builders.items():
    keras.utils.set_random_seed(1)
    model = builder(classes=3, classifier_activation=None, **options)
    path = os.path.join(folder, name + ".weights.h5")
    if os.path.exists(path):
        model.load_weights(path)
    else:
        model.save_weights(path)
    x = inputs[0] if len(inputs) == 1 else inputs
    outputs[name] = keras.ops.convert_to_numpy(
        model(x, training=False)).tolist()
print(json.dumps(outputs))
"""


def run(folder, backend):
    return last_json_line(run_on_backend(SCRIPT, backend, folder))


@pytest.mark.slow
def test_baselines_give_the_same_logits_on_jax(tmp_path):
    pytest.importorskip("jax")
    tensorflow = run(tmp_path, "tensorflow")
    jax = run(tmp_path, "jax")
    assert (tensorflow.pop("backend"), jax.pop("backend")) == ("tensorflow", "jax")
    assert set(tensorflow) == {"convnet_lstm", "c3d", "two_stream_2d", "fused_two_stream_3d"}
    for name, logits in tensorflow.items():
        logits, other = np.array(logits), np.array(jax[name])
        assert logits.shape == (2, 3), name
        # The two clips differ, so their logits do too: not a constant.
        assert np.abs(logits[0] - logits[1]).max() > 1e-6, name
        scale = max(1.0, np.abs(logits).max())
        assert np.abs(logits - other).max() <= 1e-4 * scale, name
