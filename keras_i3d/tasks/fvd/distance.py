"""The Fréchet distance between two Gaussians, as tfgan computes it.

FVD = ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2)).

The reference (google-research `frechet_video_distance`) calls tfgan's
`frechet_classifier_distance_from_activations`, which works in float64 and
takes the trace term as `trace(symsqrt(A S_g A))` with `A = symsqrt(S_r)`,
where `symsqrt` is an SVD square root that keeps singular values below
`1e-10` as they are (not square-rooted, despite the comment "just use 0").
The result is cast to the activations' dtype, float32.

StyleGAN-V and cd-fvd use `scipy.linalg.sqrtm(S_g @ S_r)` and keep its real
part instead (`sqrtm="scipy"`); the two differ by ~1e-7 relative, far less
than the covariance normaliser (`ddof`, see `VideoStatistics`).
"""

import numpy as np

from keras_i3d.tasks.fvd.options import check_option

SQRTM_METHODS = ("tfgan_svd", "scipy")
TFGAN_SQRT_EPS = 1e-10


def check_sqrtm_method(sqrtm):
    """Returns `sqrtm` if it is one of `SQRTM_METHODS`, else raises."""
    return check_option("sqrtm", sqrtm, SQRTM_METHODS)


def symmetric_matrix_square_root(matrix, eps=TFGAN_SQRT_EPS):
    """tfgan's `_symmetric_matrix_square_root`, in float64 numpy.

    `U diag(s') V^T` from the SVD `matrix = U diag(s) V^T`, where `s'` is
    `sqrt(s)` for `s >= eps` and `s` itself below (tfgan's quirk, kept).
    """
    u, s, vh = np.linalg.svd(np.asarray(matrix, dtype=np.float64))
    s = np.where(s < eps, s, np.sqrt(s))
    return (u * s) @ vh


def trace_sqrt_product(sigma_real, sigma_generated, sqrt_sigma_real=None):
    """`Tr((S_r S_g)^(1/2))` as `Tr(symsqrt(A S_g A))`, `A = symsqrt(S_r)`.

    `sqrt_sigma_real`, when given, is `A` computed before (it depends on the
    real statistics only, so fixed real statistics need it once).
    """
    sqrt_sigma = sqrt_sigma_real
    if sqrt_sigma is None:
        sqrt_sigma = symmetric_matrix_square_root(sigma_real)
    product = sqrt_sigma @ (sigma_generated @ sqrt_sigma)
    return np.trace(symmetric_matrix_square_root(product))


def scipy_trace_sqrt_product(sigma_real, sigma_generated):
    """`Tr(real(sqrtm(S_g S_r)))`, the StyleGAN-V / cd-fvd form."""
    try:
        import scipy.linalg
    except ImportError as error:  # pragma: no cover (scipy is a dependency)
        raise ImportError("sqrtm='scipy' needs scipy: pip install scipy") from error
    root = scipy.linalg.sqrtm(sigma_generated @ sigma_real)
    return float(np.real(np.trace(root)))


def frechet_distance_from_moments(
    mean_real,
    sigma_real,
    mean_generated,
    sigma_generated,
    sqrtm="tfgan_svd",
    sqrt_sigma_real=None,
):
    """The Fréchet distance of two Gaussians, in float64.

    Args:
        mean_real, mean_generated: `(d,)` means.
        sigma_real, sigma_generated: `(d, d)` covariances.
        sqrtm: `"tfgan_svd"` (the reference) or `"scipy"`.
        sqrt_sigma_real: `symmetric_matrix_square_root(sigma_real)` if it
            was computed before (`RealMoments`); `sqrtm="tfgan_svd"` only.

    Returns:
        The distance as a Python float (float64).
    """
    check_sqrtm_method(sqrtm)
    mean_real = np.asarray(mean_real, np.float64)
    mean_generated = np.asarray(mean_generated, np.float64)
    sigma_real = np.asarray(sigma_real, np.float64)
    sigma_generated = np.asarray(sigma_generated, np.float64)
    if sqrtm == "tfgan_svd":
        sqrt_trace = trace_sqrt_product(sigma_real, sigma_generated, sqrt_sigma_real)
    else:
        sqrt_trace = scipy_trace_sqrt_product(sigma_real, sigma_generated)
    trace = np.trace(sigma_real + sigma_generated) - 2.0 * sqrt_trace
    mean_term = np.sum(np.square(mean_real - mean_generated))
    return float(trace + mean_term)


def symmetric_matrix_square_root_tensor(matrix, eps=TFGAN_SQRT_EPS):
    """`symmetric_matrix_square_root` as TensorFlow ops (tfgan's own form).

    `tf.linalg.svd` in the matrix's dtype (float64 for FVD); it agrees with
    the numpy version to about 1e-14 relative.
    """
    import tensorflow as tf

    singular_values, u, v = tf.linalg.svd(matrix)
    singular_values = tf.where(singular_values < eps, singular_values, tf.sqrt(singular_values))
    return tf.matmul(u * singular_values[..., None, :], v, transpose_b=True)


def _scipy_distance_callback(*moments):
    """The host callback of the compiled steps' `sqrtm="scipy"` distance."""
    return np.float64(frechet_distance_from_moments(*moments, sqrtm="scipy"))


def frechet_distance_from_moments_tensor(
    mean_real,
    sigma_real,
    mean_generated,
    sigma_generated,
    sqrtm="tfgan_svd",
    sqrt_sigma_real=None,
):
    """`frechet_distance_from_moments` on float64 tensors, graph-safe.

    `sqrtm="tfgan_svd"` runs as TensorFlow ops (also under XLA), with
    `sqrt_sigma_real` (`symmetric_matrix_square_root_tensor(sigma_real)`)
    taken as given when it is not None; `sqrtm="scipy"` calls the
    numpy/scipy function through `tf.numpy_function` (a host callback: not
    under XLA).

    Returns:
        A float64 scalar tensor.
    """
    import tensorflow as tf

    check_sqrtm_method(sqrtm)
    if sqrtm == "scipy":
        value = tf.numpy_function(
            _scipy_distance_callback,
            [mean_real, sigma_real, mean_generated, sigma_generated],
            tf.float64,
        )
        return tf.reshape(value, ())
    sqrt_sigma = sqrt_sigma_real
    if sqrt_sigma is None:
        sqrt_sigma = symmetric_matrix_square_root_tensor(sigma_real)
    product = tf.matmul(sqrt_sigma, tf.matmul(sigma_generated, sqrt_sigma))
    sqrt_trace = tf.linalg.trace(symmetric_matrix_square_root_tensor(product))
    trace = tf.linalg.trace(sigma_real + sigma_generated) - 2.0 * sqrt_trace
    mean_term = tf.reduce_sum(tf.square(mean_real - mean_generated))
    return trace + mean_term


def frechet_distance_from_activations(
    activations_real, activations_generated, ddof=1, sqrtm="tfgan_svd"
):
    """tfgan's `frechet_classifier_distance_from_activations`, in numpy.

    Args:
        activations_real, activations_generated: `(N, d)` arrays (the real
            set first, as in the reference's `calculate_fvd`).
        ddof: the covariance normaliser is `N - ddof`; 1 is the reference.
        sqrtm: `"tfgan_svd"` (the reference) or `"scipy"`.

    Returns:
        The distance as a float64 Python float; `numpy.float32(result)` is
        the reference's float32 output.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real, generated = rng.normal(size=(2, 64, 8))
    >>> round(frechet_distance_from_activations(real, real), 6)
    0.0
    """
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    real = VideoStatistics.from_embeddings(activations_real)
    generated = VideoStatistics.from_embeddings(activations_generated)
    return frechet_distance(real, generated, ddof=ddof, sqrtm=sqrtm).fvd_float64


class RealMoments:
    """The moments of fixed real statistics, computed once for many distances.

    The mean, the covariance and (for `sqrtm="tfgan_svd"`) the SVD square
    root of the covariance depend on the real statistics only. A metric
    that compares every step's generated videos against precomputed real
    statistics keeps them here instead of taking a d x d SVD per step;
    `moments(statistics)` recomputes them when the statistics differ from
    the ones they were computed from (compared by content, so statistics
    updated in place are noticed).

    Args:
        ddof: covariance normaliser `N - ddof`.
        sqrtm: `"tfgan_svd"` or `"scipy"` (scipy's form has nothing to
            cache: its square root is of a product with the generated
            covariance).
    """

    def __init__(self, ddof=1, sqrtm="tfgan_svd"):
        self.ddof = ddof
        self.sqrtm = check_sqrtm_method(sqrtm)
        self._fingerprint = None
        self._moments = None

    def moments(self, statistics):
        """`(mean, covariance, sqrt_covariance or None)` of `statistics`."""
        fingerprint = statistics.fingerprint()
        if fingerprint != self._fingerprint:
            mean, sigma = statistics.mean_and_covariance(self.ddof)
            sqrt_sigma = None
            if self.sqrtm == "tfgan_svd":
                sqrt_sigma = symmetric_matrix_square_root(sigma)
            self._moments = (mean, sigma, sqrt_sigma)
            self._fingerprint = fingerprint
        return self._moments


def frechet_distance(
    real_statistics, generated_statistics, ddof=1, sqrtm="tfgan_svd", real_moments=None
):
    """The FVD between two `VideoStatistics`.

    Args:
        real_statistics: `VideoStatistics` of the real videos.
        generated_statistics: `VideoStatistics` of the generated videos.
        ddof: covariance normaliser `N - ddof`: 1 (the reference, tfgan,
            VideoGPT) or 0 (StyleGAN-V, cd-fvd).
        sqrtm: `"tfgan_svd"` (the reference) or `"scipy"`.
        real_moments: a `RealMoments` of the same `ddof` and `sqrtm` that
            keeps the real statistics' moments between calls (the result is
            the same bits as without it).

    Returns:
        An `FVDResult`; `float(result)` is the float32 value.

    Raises:
        ValueError: the statistics were made with different options or
            embed vectors of different lengths, or a set has fewer than
            `ddof + 1` videos.
    """
    from keras_i3d.tasks.fvd.statistics import FVDResult

    real_statistics.check_comparable(generated_statistics)
    if real_moments is None:
        real_moments = RealMoments(ddof, sqrtm)
    elif (real_moments.ddof, real_moments.sqrtm) != (ddof, sqrtm):
        raise ValueError(
            "`real_moments` were made for other distance options. Expected: "
            f"ddof={ddof}, sqrtm={sqrtm!r}. Received: ddof={real_moments.ddof}, "
            f"sqrtm={real_moments.sqrtm!r}"
        )
    mean_real, sigma_real, sqrt_sigma_real = real_moments.moments(real_statistics)
    mean_generated, sigma_generated = generated_statistics.mean_and_covariance(ddof)
    value = frechet_distance_from_moments(
        mean_real,
        sigma_real,
        mean_generated,
        sigma_generated,
        sqrtm=sqrtm,
        sqrt_sigma_real=sqrt_sigma_real,
    )
    return FVDResult(
        fvd=float(np.float32(value)),
        fvd_float64=value,
        n_real=real_statistics.count,
        n_generated=generated_statistics.count,
        options=dict(real_statistics.options, ddof=ddof, sqrtm=sqrtm),
    )


def frechet_distance_from_moments_traced(
    mean_real,
    sigma_real,
    mean_generated,
    sigma_generated,
    sqrtm="tfgan_svd",
    sqrt_sigma_real=None,
):
    """`frechet_distance_from_moments` as float64 `keras.ops`, for a compiled
    step on JAX (with `jax_enable_x64`).

    `sqrtm="tfgan_svd"` takes tfgan's SVD square root with `keras.ops.svd`;
    `sqrtm="scipy"` calls the numpy/scipy function through
    `jax.pure_callback` (a host callback).

    Returns:
        A float64 scalar tensor.
    """
    import keras

    check_sqrtm_method(sqrtm)
    if sqrtm == "scipy":
        import jax

        return jax.pure_callback(
            _scipy_distance_callback,
            jax.ShapeDtypeStruct((), np.float64),
            mean_real,
            sigma_real,
            mean_generated,
            sigma_generated,
        )

    def square_root(matrix):
        u, singular_values, vh = keras.ops.svd(matrix)
        singular_values = keras.ops.where(
            singular_values < TFGAN_SQRT_EPS, singular_values, keras.ops.sqrt(singular_values)
        )
        return keras.ops.matmul(u * singular_values[None, :], vh)

    sqrt_sigma = sqrt_sigma_real if sqrt_sigma_real is not None else square_root(sigma_real)
    product = keras.ops.matmul(sqrt_sigma, keras.ops.matmul(sigma_generated, sqrt_sigma))
    sqrt_trace = keras.ops.trace(square_root(product))
    trace = keras.ops.trace(sigma_real + sigma_generated) - 2.0 * sqrt_trace
    mean_term = keras.ops.sum(keras.ops.square(mean_real - mean_generated))
    return trace + mean_term
