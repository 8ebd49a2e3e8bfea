"""The Fréchet distance against tfgan's own function."""

import json

import numpy as np
import pytest

from keras_i3d.tasks.fvd.distance import frechet_distance
from keras_i3d.tasks.fvd.distance import frechet_distance_from_activations
from keras_i3d.tasks.fvd.distance import frechet_distance_from_moments
from keras_i3d.tasks.fvd.distance import frechet_distance_from_moments_tensor
from keras_i3d.tasks.fvd.distance import symmetric_matrix_square_root
from keras_i3d.tasks.fvd.distance import symmetric_matrix_square_root_tensor
from keras_i3d.tasks.fvd.statistics import VideoStatistics
from tests.tasks.fvd.tfgan_golden import GOLDEN_PATH
from tests.tasks.fvd.tfgan_golden import fvd_activations

with open(GOLDEN_PATH) as golden_file:
    TFGAN_CASES = json.load(golden_file)["cases"]


@pytest.mark.parametrize("case", TFGAN_CASES, ids=[str(case["num_videos"]) for case in TFGAN_CASES])
def test_distance_equals_tfgan(case):
    real, generated = fvd_activations(case["num_videos"], case["seed"])

    value = frechet_distance_from_activations(real, generated)

    # tfgan returns float32 for float32 activations: the same float32.
    assert np.float32(value) == np.float32(case["tfgan_float32"])
    assert value == pytest.approx(case["tfgan_float64"], rel=1e-11)


@pytest.mark.parametrize("case", TFGAN_CASES, ids=[str(case["num_videos"]) for case in TFGAN_CASES])
def test_scipy_square_root_is_close_to_tfgan(case):
    real, generated = fvd_activations(case["num_videos"], case["seed"])

    value = frechet_distance_from_activations(real, generated, sqrtm="scipy")

    assert value == pytest.approx(case["tfgan_float64"], rel=1e-6)


@pytest.mark.parametrize("case", TFGAN_CASES, ids=[str(case["num_videos"]) for case in TFGAN_CASES])
@pytest.mark.parametrize("sqrtm", ("tfgan_svd", "scipy"))
def test_graph_distance_equals_the_numpy_distance(case, sqrtm):
    """The compiled metric's distance: tf.linalg.svd in float64, in a graph."""
    import tensorflow as tf

    real, generated = fvd_activations(case["num_videos"], case["seed"])
    moments = []
    for activations in (real, generated):
        mean, sigma = VideoStatistics.from_embeddings(activations).mean_and_covariance()
        moments += [mean, sigma]
    expected = frechet_distance_from_moments(*moments, sqrtm=sqrtm)

    value = float(
        tf.function(frechet_distance_from_moments_tensor)(
            *[tf.constant(moment, tf.float64) for moment in moments], sqrtm=sqrtm
        )
    )

    assert value == pytest.approx(expected, rel=1e-10)
    assert np.float32(value) == np.float32(expected)
    if sqrtm == "tfgan_svd":
        assert np.float32(value) == np.float32(case["tfgan_float32"])


def test_ddof_0_is_the_n_normalised_covariance():
    real, generated = fvd_activations(16, seed=1)
    mean_real, mean_generated = real.mean(0), generated.mean(0)
    sigma_real = np.cov(real, rowvar=False, ddof=0)
    sigma_generated = np.cov(generated, rowvar=False, ddof=0)
    import scipy.linalg

    expected = (
        np.sum((mean_real - mean_generated) ** 2)
        + np.trace(sigma_real + sigma_generated)
        - 2 * np.real(np.trace(scipy.linalg.sqrtm(sigma_generated @ sigma_real)))
    )

    value = frechet_distance_from_activations(real, generated, ddof=0, sqrtm="scipy")

    assert value == pytest.approx(expected, rel=1e-6)
    assert value < frechet_distance_from_activations(real, generated)


def test_symmetric_square_root_keeps_tiny_singular_values():
    # tfgan's quirk: singular values below 1e-10 are kept, not rooted.
    matrix = np.diag([4.0, 1e-12, 0.0])

    np.testing.assert_allclose(symmetric_matrix_square_root(matrix), np.diag([2.0, 1e-12, 0.0]))
    np.testing.assert_allclose(
        symmetric_matrix_square_root_tensor(matrix).numpy(),
        np.diag([2.0, 1e-12, 0.0]),
    )


def test_identical_sets_are_at_distance_zero():
    real, _ = fvd_activations(64, seed=3)

    assert frechet_distance_from_activations(real, real) == pytest.approx(0.0, abs=1e-6)


def test_distance_result_is_float32_rounded_with_the_float64_value():
    real, generated = fvd_activations(16, seed=16)

    result = frechet_distance(
        VideoStatistics.from_embeddings(real),
        VideoStatistics.from_embeddings(generated),
    )

    assert result.fvd == float(np.float32(result.fvd_float64))
    assert float(result) == result.fvd
    assert (result.n_real, result.n_generated) == (16, 16)
    assert result.options == {"ddof": 1, "sqrtm": "tfgan_svd"}


def test_unknown_square_root_is_refused():
    real, generated = fvd_activations(16, seed=16)
    with pytest.raises(ValueError, match="sqrtm='eig'"):
        frechet_distance_from_activations(real, generated, sqrtm="eig")


@pytest.mark.parametrize("sqrtm", ["tfgan_svd", "scipy"])
def test_cached_real_moments_give_the_uncached_distance(sqrtm, monkeypatch):
    from keras_i3d.tasks.fvd import distance

    rng = np.random.default_rng(3)
    real = VideoStatistics.from_embeddings(rng.normal(size=(40, 12)))
    real_moments = distance.RealMoments(ddof=1, sqrtm=sqrtm)
    square_roots = []
    original_square_root = distance.symmetric_matrix_square_root
    monkeypatch.setattr(
        distance,
        "symmetric_matrix_square_root",
        lambda matrix: square_roots.append(matrix.shape) or original_square_root(matrix),
    )

    for seed in (4, 5, 6):
        generated = VideoStatistics.from_embeddings(
            np.random.default_rng(seed).normal(size=(30, 12))
        )
        uncached = frechet_distance(real, generated, sqrtm=sqrtm)
        cached = frechet_distance(real, generated, sqrtm=sqrtm, real_moments=real_moments)
        assert cached.fvd_float64 == uncached.fvd_float64  # The same bits.

    if sqrtm == "tfgan_svd":
        # Uncached: 2 roots per distance; cached: the real root once, then
        # only the product's root.
        assert len(square_roots) == 3 * 2 + 1 + 3


def test_cached_real_moments_follow_statistics_changed_in_place():
    from keras_i3d.tasks.fvd.distance import RealMoments

    rng = np.random.default_rng(7)
    real = VideoStatistics.from_embeddings(rng.normal(size=(20, 6)))
    generated = VideoStatistics.from_embeddings(rng.normal(size=(20, 6)))
    real_moments = RealMoments()
    frechet_distance(real, generated, real_moments=real_moments)

    real.update(rng.normal(size=(5, 6)))

    cached = frechet_distance(real, generated, real_moments=real_moments)
    assert cached.fvd_float64 == frechet_distance(real, generated).fvd_float64


def test_real_moments_of_other_distance_options_are_refused():
    from keras_i3d.tasks.fvd.distance import RealMoments

    statistics = VideoStatistics.from_embeddings(np.eye(4))

    with pytest.raises(ValueError, match=r"Received: ddof=0, sqrtm='tfgan_svd'"):
        frechet_distance(statistics, statistics, ddof=1, real_moments=RealMoments(ddof=0))


def test_traced_distance_equals_the_numpy_distance():
    """The keras.ops form (compiled JAX steps), here on the test's backend."""
    import keras

    from keras_i3d.tasks.fvd.distance import frechet_distance_from_moments_traced

    rng = np.random.default_rng(8)
    real = VideoStatistics.from_embeddings(rng.normal(size=(40, 10)))
    generated = VideoStatistics.from_embeddings(rng.normal(size=(40, 10)) + 0.3)
    moments = [*real.mean_and_covariance(1), *generated.mean_and_covariance(1)]
    root = symmetric_matrix_square_root(moments[1])

    expected = frechet_distance_from_moments(*moments)
    for sqrt_sigma_real in (None, root):
        value = frechet_distance_from_moments_traced(*moments, sqrt_sigma_real=sqrt_sigma_real)
        assert float(keras.ops.convert_to_numpy(value)) == pytest.approx(expected, rel=1e-10)
