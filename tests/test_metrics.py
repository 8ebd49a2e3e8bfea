"""The Keras metric `FrechetVideoDistance`."""

import numpy as np
import pytest

from keras_i3d.metrics import FrechetVideoDistance
from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.embed import fvd_embedding_model


def random_videos(num_videos, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (num_videos, 9, 32, 32, 3)).astype(np.uint8)


REAL, GENERATED = random_videos(4, seed=0), random_videos(4, seed=1)


@pytest.fixture(scope="module")
def model(installed_kinetics400):
    return fvd_embedding_model()


@pytest.fixture(scope="module")
def expected(model):
    """The function's FVD of REAL and GENERATED, which the metric must give."""
    return compute_fvd(REAL, GENERATED, model=model)


def test_metric_over_batches_equals_the_function(model, expected, tmp_path):
    real, generated = REAL, GENERATED
    metric = FrechetVideoDistance()
    metric._model = model  # Share the test's model (building costs seconds).

    for start in (0, 2):
        metric.update_state(real[start:start + 2], generated[start:start + 2])

    assert float(metric.result()) == expected.fvd
    assert metric.result_details().fvd_float64 == pytest.approx(
        expected.fvd_float64, rel=1e-12
    )

    # Precomputed real statistics are kept across reset_state.
    real_path = metric.real_statistics.save(tmp_path / "real.npz")
    with_saved_real = FrechetVideoDistance(real_statistics=real_path)
    with_saved_real._model = model
    with_saved_real.update_state(None, generated)
    assert float(with_saved_real.result()) == expected.fvd
    with_saved_real.reset_state()
    assert with_saved_real.real_statistics.count == 4
    assert with_saved_real.generated_statistics is None


def test_result_before_update_is_an_error():
    with pytest.raises(ValueError, match="no videos yet"):
        FrechetVideoDistance().result()


def test_config_round_trip():
    metric = FrechetVideoDistance(preset="stylegan_v", input_range=(-1, 1))

    restored = FrechetVideoDistance.from_config(metric.get_config())

    assert restored.preset.name == "stylegan_v"
    assert restored.input_range == (-1, 1)


def test_metric_in_evaluate_of_a_generator(model, expected):
    import keras

    real, generated = REAL, GENERATED
    # A stand-in "generator" that returns its input: y_pred = generated.
    generator = keras.Sequential([keras.Input((9, 32, 32, 3)),
                                  keras.layers.Identity()])
    metric = FrechetVideoDistance()
    metric._model = model
    generator.compile(loss="mse", metrics=[metric], run_eagerly=True)

    logs = generator.evaluate(generated.astype("float32"),
                              real.astype("float32"), batch_size=4,
                              verbose=0, return_dict=True)

    assert logs["fvd"] == pytest.approx(expected.fvd, rel=1e-6)
