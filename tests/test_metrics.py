"""The Keras metric `FrechetVideoDistance`, eager and in compiled steps.

The graph mechanics run on a small model (I3D without weights, 9-frame
32 x 32 clips); the reference numbers use the installed Kinetics-400
weights.
"""

import keras
import numpy as np
import pytest

from keras_i3d.metrics import FrechetVideoDistance
from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_statistics
from keras_i3d.tasks.fvd.statistics import VideoStatistics
from tests.backends import run_on_backend

needs_tensorflow = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="compiled steps need the TensorFlow backend",
)


def random_videos(num_videos, seed, num_frames=9):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (num_videos, num_frames, 32, 32, 3)).astype(np.uint8)


REAL, GENERATED = random_videos(4, seed=0), random_videos(4, seed=1)


def identity_generator(num_frames=9):
    """A stand-in generator that returns its input: y_pred = x."""
    return keras.Sequential([keras.Input((num_frames, 32, 32, 3)), keras.layers.Identity()])


def compiled_generator(metric, num_frames=9):
    """The identity generator compiled (graph, no XLA) with `metric`."""
    generator = identity_generator(num_frames)
    generator.compile(loss="mse", metrics=[metric], jit_compile=False)
    assert not generator.run_eagerly
    return generator


def evaluate_fvd(generator, generated, real, batch_size=2):
    """`fvd` of `generator.evaluate` on generated (x) and real (y) videos."""
    logs = generator.evaluate(
        generated.astype("float32"),
        real.astype("float32"),
        batch_size=batch_size,
        verbose=0,
        return_dict=True,
    )
    return logs["fvd"]


def with_model(metric, model):
    metric._model = model  # Share the test's model (building costs seconds).
    return metric


@pytest.fixture(scope="module")
def small_model():
    """I3D without weights: the graph mechanics, not the numbers."""
    keras.utils.set_random_seed(0)
    return fvd_embedding_model(weights=None)


@pytest.fixture(scope="module")
def model(installed_kinetics400):
    return fvd_embedding_model()


@pytest.fixture(scope="module")
def expected(model):
    """The function's FVD of REAL and GENERATED, which the metric must give."""
    return compute_fvd(REAL, GENERATED, model=model)


# The reference weights.


def test_metric_over_batches_equals_the_function(model, expected, tmp_path):
    real, generated = REAL, GENERATED
    metric = with_model(FrechetVideoDistance(), model)

    for start in (0, 2):
        metric.update_state(real[start : start + 2], generated[start : start + 2])

    assert float(metric.result()) == expected.fvd
    assert metric.result_details().fvd_float64 == pytest.approx(expected.fvd_float64, rel=1e-12)

    # Precomputed real statistics are kept across reset_state.
    real_path = metric.real_statistics.save(tmp_path / "real.npz")
    with_saved_real = with_model(FrechetVideoDistance(real_statistics=real_path), model)
    with_saved_real.update_state(None, generated)
    assert float(with_saved_real.result()) == expected.fvd
    with_saved_real.reset_state()
    assert with_saved_real.real_statistics.count == 4
    assert with_saved_real.generated_statistics is None


@needs_tensorflow
def test_compiled_evaluate_gives_the_reference_fvd(expected):
    # No shared model: the metric builds its own while the step is traced.
    metric = FrechetVideoDistance()

    fvd = evaluate_fvd(compiled_generator(metric), GENERATED, REAL)

    # The graph's convolutions may round differently from eager ones.
    assert fvd == pytest.approx(expected.fvd, rel=1e-6)
    details = metric.result_details()
    assert (details.n_real, details.n_generated) == (4, 4)
    assert details.options == expected.options


# Compiled steps (TensorFlow), on the small model.


@needs_tensorflow
def test_compiled_evaluate_equals_the_function(small_model):
    real, generated = REAL, GENERATED // 2  # A darker "generator".
    expected = compute_fvd(real, generated, model=small_model)
    metric = with_model(FrechetVideoDistance(), small_model)

    fvd = evaluate_fvd(compiled_generator(metric), generated, real)

    # The same statistics, to float32 rounding of the graph's convolutions
    # (bit for bit on the CPUs we measured).
    for statistic in ("sum", "sum_outer"):
        np.testing.assert_allclose(
            getattr(metric.generated_statistics, statistic),
            getattr(video_statistics(generated, model=small_model), statistic),
            rtol=1e-6,
        )
    # Without weights, FVD is a small difference of large sums: float32
    # rounding of the embeddings moves it by up to ~1e-3.
    assert fvd == pytest.approx(expected.fvd, rel=1e-3)
    details = metric.result_details()
    assert (details.n_real, details.n_generated) == (4, 4)
    assert details.options == expected.options
    # Keras's last result() (eager, on the host) is the logged value; the
    # per-step one, in the graph, takes the SVD with TensorFlow.
    assert details.fvd == fvd
    import tensorflow as tf

    in_graph = float(tf.function(metric.result)())
    # Both float32-rounded; the float64 values agree to ~1e-12: one ulp.
    assert in_graph == pytest.approx(details.fvd, rel=1.2e-7)


@needs_tensorflow
def test_compiled_evaluate_with_merged_precomputed_real_statistics(small_model, tmp_path):
    real, generated = REAL, GENERATED // 2
    shards = [video_statistics(real[start : start + 2], model=small_model) for start in (0, 2)]
    merged_path = shards[0].merge(shards[1]).save(tmp_path / "real.npz")
    expected = compute_fvd(VideoStatistics.load(merged_path), generated, model=small_model)
    metric = with_model(FrechetVideoDistance(real_statistics=merged_path), small_model)

    generator = compiled_generator(metric)

    # The real batches (y) are ignored; the second evaluate resets the
    # metric first, which keeps the real statistics.
    first = evaluate_fvd(generator, generated, np.zeros_like(real))
    second = evaluate_fvd(generator, generated, np.zeros_like(real))

    assert first == second == pytest.approx(expected.fvd, rel=1e-3)
    assert metric.real_statistics.count == 4
    np.testing.assert_array_equal(metric.real_statistics.sum, VideoStatistics.load(merged_path).sum)
    assert metric.generated_statistics.count == 4

    metric.reset_state()

    assert metric.real_statistics.count == 4
    assert metric.generated_statistics is None


@needs_tensorflow
def test_precomputed_real_square_root_is_cached_with_the_same_result(small_model):
    """result() takes the real covariance's SVD root once, not per step."""
    import tensorflow as tf

    from keras_i3d.tasks.fvd import distance

    real = video_statistics(REAL, model=small_model)
    metric = with_model(FrechetVideoDistance(real_statistics=real), small_model)
    metric.update_state(None, GENERATED)
    cached_graph = float(tf.function(metric.result)())
    cached_eager = metric.result_details()

    cache = metric._real_sqrt_covariance
    metric._real_sqrt_covariance = None  # The uncached graph.
    uncached_graph = float(tf.function(metric.result)())
    metric._real_sqrt_covariance = cache
    uncached_eager = distance.frechet_distance(real, metric.generated_statistics)

    assert cached_graph == uncached_graph
    assert cached_eager.fvd_float64 == uncached_eager.fvd_float64
    # The cache is the real statistics' root, and is kept by reset_state.
    metric.reset_state()
    _, sigma_real = real.mean_and_covariance(1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(cache),
        distance.symmetric_matrix_square_root(sigma_real),
        rtol=1e-9,
        atol=1e-9,
    )


@needs_tensorflow
def test_compiled_result_is_nan_before_two_videos_per_set():
    import tensorflow as tf

    metric = FrechetVideoDistance()

    assert np.isnan(float(tf.function(metric.result)()))


@needs_tensorflow
def test_compiled_update_refuses_another_clip_length_than_the_statistics(small_model, tmp_path):
    real_path = video_statistics(REAL, model=small_model).save(tmp_path / "real.npz")
    metric = with_model(FrechetVideoDistance(real_statistics=real_path), small_model)
    longer = random_videos(4, seed=2, num_frames=10)

    with pytest.raises(ValueError, match=r"clips of \[9, 10\] frames"):
        evaluate_fvd(compiled_generator(metric, num_frames=10), longer, longer)


@needs_tensorflow
def test_compiled_update_asserts_the_value_range(small_model):
    import tensorflow as tf

    metric = with_model(FrechetVideoDistance(input_range=(-1, 1)), small_model)

    with pytest.raises(tf.errors.InvalidArgumentError, match=r"values must lie in \[-1, 1\]"):
        evaluate_fvd(compiled_generator(metric), GENERATED, REAL)


# Construction, configuration, eager errors.


def test_precomputed_statistics_of_other_options_are_refused(tmp_path):
    pool_statistics = VideoStatistics(
        1024, {"resize": "tf1_bilinear", "features": "pool", "clip_length": 9}
    )

    with pytest.raises(ValueError, match="other options than preset"):
        FrechetVideoDistance(real_statistics=pool_statistics)


def test_result_before_update_is_an_error():
    with pytest.raises(ValueError, match="no videos yet"):
        FrechetVideoDistance().result()


def test_sample_weight_is_refused():
    with pytest.raises(ValueError, match="does not weigh videos"):
        FrechetVideoDistance().update_state(REAL, GENERATED, sample_weight=np.ones(4))


def test_config_round_trip(tmp_path):
    real_path = VideoStatistics(
        400, {"resize": "bilinear", "features": "logits", "clip_length": 16}
    ).save(tmp_path / "real.npz")
    metric = FrechetVideoDistance(
        preset="stylegan_v", input_range=(-1, 1), real_statistics=real_path, name="fvd_16f"
    )

    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))

    assert isinstance(restored, FrechetVideoDistance)
    assert restored.preset.name == "stylegan_v"
    assert restored.input_range == (-1, 1)
    assert restored.name == "fvd_16f"
    assert restored.real_statistics_path == str(real_path)
    assert restored.precomputed_real.options["clip_length"] == 16


JAX_SCRIPT = r"""
import jax
import numpy as np
from keras_i3d.metrics import FrechetVideoDistance

metric = FrechetVideoDistance()
videos = np.zeros((2, 9, 32, 32, 3), np.float32)
try:
    jax.jit(lambda real, generated: metric.update_state(real, generated))(
        videos, videos
    )
except RuntimeError as error:
    print(error)
"""


def test_jax_backend_refuses_a_compiled_step_with_a_clear_error():
    """Without float64 variables on JAX, the metric needs run_eagerly."""
    completed = run_on_backend(JAX_SCRIPT, "jax")

    assert "On the jax backend FrechetVideoDistance keeps" in completed.stdout
    assert "run_eagerly=True" in completed.stdout


JAX_X64_SCRIPT = r"""
import jax

jax.config.update("jax_enable_x64", True)
import json

import keras
import numpy as np

from keras_i3d.metrics import FrechetVideoDistance
from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.embed import video_statistics

rng = np.random.default_rng(0)
real, generated = rng.integers(0, 256, (2, 4, 9, 32, 32, 3)).astype(np.uint8)
metric = FrechetVideoDistance()
model = metric.embedding_model
expected = compute_fvd(real, generated, model=model)
host_sum = video_statistics(generated, model=model).sum

generator = keras.Sequential([keras.Input((9, 32, 32, 3)), keras.layers.Identity()])
generator.compile(loss="mse", metrics=[metric])
logs = generator.evaluate(
    generated.astype("float32"), real.astype("float32"), batch_size=2, verbose=0,
    return_dict=True,
)
traced = jax.jit(metric.stateless_result)([v.value for v in metric.variables])
cached = FrechetVideoDistance(real_statistics=video_statistics(real, model=model))
cached._model = model
cached.update_state(None, generated)
print(json.dumps({
    "expected": expected.fvd,
    "evaluate": float(logs["fvd"]),
    "traced": float(traced),
    "cached_traced": float(jax.jit(cached.stateless_result)([v.value for v in cached.variables])),
    "sum_error": float(np.max(np.abs(metric.generated_statistics.sum - host_sum))),
    "sum_scale": float(np.max(np.abs(host_sum))),
    "count": metric.generated_statistics.count,
    "dtype": str(metric.variables[1].dtype),
}))
"""


@pytest.mark.slow
def test_jax_with_x64_runs_in_compiled_steps(installed_kinetics400):
    """With jax_enable_x64 on JAX keeps float64 variables: evaluate (jitted
    by Keras) gives the function's FVD to float32 rounding."""
    import json

    completed = run_on_backend(JAX_X64_SCRIPT, "jax")

    values = json.loads(completed.stdout.strip().splitlines()[-1])
    assert values["dtype"] == "float64" and values["count"] == 4
    assert values["sum_error"] <= 1e-5 * values["sum_scale"]
    for key in ("evaluate", "traced", "cached_traced"):
        assert values[key] == pytest.approx(values["expected"], rel=1e-5), key


@needs_tensorflow
def test_compiled_steps_turn_tf32_off_on_gpus(monkeypatch):
    """TF32 is read when the graph runs: it goes off for the process."""
    import tensorflow as tf

    from keras_i3d.metrics import _switch_tf32_off_for_compiled_steps

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: ["a GPU"])
    previous = tf.config.experimental.tensor_float_32_execution_enabled()
    tf.config.experimental.enable_tensor_float_32_execution(True)
    try:
        with pytest.warns(UserWarning, match="turned TensorFloat-32 off"):
            _switch_tf32_off_for_compiled_steps()
        assert not tf.config.experimental.tensor_float_32_execution_enabled()
    finally:
        tf.config.experimental.enable_tensor_float_32_execution(previous)


@needs_tensorflow
def test_xla_steps_are_recognised_and_scipy_presets_refuse_them():
    import tensorflow as tf

    from keras_i3d.tasks.fvd.resize import tracing_for_xla

    for jit_compile in (False, True):
        traced = tf.function(lambda: tf.constant(tracing_for_xla()), jit_compile=jit_compile)
        assert bool(traced()) is jit_compile
    metric = FrechetVideoDistance(preset="stylegan_v")

    with pytest.raises(ValueError, match="jit_compile=False"):
        tf.function(metric.result, jit_compile=True)()
