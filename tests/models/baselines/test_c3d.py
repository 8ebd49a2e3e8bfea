import numpy as np
import pytest

from keras_i3d.models.baselines.c3d import C3D
from tests.models.baselines.conftest import assert_matches_paper
from tests.models.baselines.conftest import assert_round_trip
from tests.models.baselines.conftest import assert_trains

PARAMS = 79_656_464
SMALL = (8, 32, 32, 3)


def clip(shape=SMALL, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (1,) + shape).astype("float32")


def test_parameter_count_and_shapes():
    model = C3D(weights=None)
    assert model.count_params() == PARAMS
    assert_matches_paper("C3D", PARAMS)
    assert model.get_layer("pool5").output.shape == (None, 1, 4, 4, 512)
    assert model.get_layer("pool1").output.shape == (None, 8, 56, 56, 64)
    original = C3D(include_top=False, first_pool_temporal_stride=1)
    assert original.get_layer("pool1").output.shape == (None, 16, 56, 56, 64)
    assert original.output_shape == (None, 1, 4, 4, 512)


def test_layer_names():
    model = C3D(input_shape=SMALL, classes=3)
    names = [layer.name for layer in model.layers]
    for name in (
        "conv1a",
        "pool1",
        "conv3b",
        "conv5b",
        "pool5",
        "fc6",
        "fc6_batch_norm",
        "fc7_dropout",
        "Logits",
        "Predictions",
    ):
        assert name in names


def test_forward_without_top_and_pooling():
    model = C3D(include_top=False, pooling="avg", input_shape=(None, None, None, 3))
    assert model.predict(clip(), verbose=0).shape == (1, 512)


def test_round_trip_training_and_weights_file(tmp_path):
    model = C3D(input_shape=SMALL, classes=3)
    assert_round_trip(model, clip(), tmp_path)
    assert_trains(model, np.concatenate([clip(seed=1), clip(seed=2)]), 3)
    path = tmp_path / "c3d.weights.h5"
    model.save_weights(path)
    reloaded = C3D(input_shape=SMALL, classes=3, weights=path)
    np.testing.assert_allclose(
        reloaded.predict(clip(), verbose=0), model.predict(clip(), verbose=0), rtol=1e-5
    )
    with pytest.raises(ValueError, match="does not fit"):
        C3D(input_shape=SMALL, classes=4, weights=path)
    # The file of the full model loads by name into the model without
    # fc6-8 (`classes` names the file's class count, which C3D files do not
    # record).
    features = C3D(input_shape=SMALL, include_top=False, classes=3, weights=path)
    np.testing.assert_array_equal(
        features.get_layer("conv5b").get_weights()[0], model.get_layer("conv5b").get_weights()[0]
    )


def test_argument_errors():
    with pytest.raises(ValueError, match="fixed clip size"):
        C3D(input_shape=(None, 112, 112, 3))
    with pytest.raises(ValueError, match="first_pool_temporal_stride"):
        C3D(first_pool_temporal_stride=3)
    with pytest.raises(ValueError, match="C3D `.weights.h5` file"):
        C3D(weights="sports1m")
