"""`rewrite_3d_pools`: the same logits, with no 3D pool left."""

import keras
import numpy as np

from keras_i3d import I3D
from keras_i3d.export import rewrite_3d_pools
from keras_i3d.export.pools import remaining_3d_pools
from keras_i3d.layers import AveragePooling3DAs2D
from keras_i3d.layers import MaxPooling3DAs2D


def test_rewritten_i3d_gives_the_same_logits():
    model = I3D(weights=None, classifier_activation=None, input_shape=(9, 193, 193, 3))
    # Non-zero biases and batch-norm statistics, so that a weight lost in
    # the rebuilt Mixed_* blocks would change the logits.
    rng = np.random.default_rng(0)
    for variable in model.weights:
        if "moving_variance" in variable.path:
            variable.assign(rng.uniform(0.5, 1.5, variable.shape))
        elif "beta" in variable.path or "moving_mean" in variable.path:
            variable.assign(rng.normal(0, 0.1, variable.shape))
    assert len(remaining_3d_pools(model)) == 4 + 1 + 9
    rewritten = rewrite_3d_pools(model)
    assert remaining_3d_pools(rewritten) == []
    assert isinstance(rewritten.get_layer("MaxPool3d_4a_3x3"), MaxPooling3DAs2D)
    assert isinstance(rewritten.get_layer("Logits_AvgPool3d"), AveragePooling3DAs2D)
    assert isinstance(rewritten.get_layer("Mixed_4b").branch_3_pool, MaxPooling3DAs2D)
    clip = rng.uniform(-1, 1, (1, 9, 193, 193, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(clip))
    actual = keras.ops.convert_to_numpy(rewritten(clip))
    assert np.abs(expected).max() > 1e-2  # Not a trivially zero output.
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


def test_rewrite_leaves_the_original_model_unchanged():
    model = I3D(weights=None, input_shape=(9, 193, 193, 3))
    rewrite_3d_pools(model)
    assert type(model.get_layer("Mixed_3b").branch_3_pool) is (keras.layers.MaxPooling3D)
    assert type(model.get_layer("MaxPool3d_2a_3x3")) is (keras.layers.MaxPooling3D)
