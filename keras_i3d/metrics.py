"""Keras metrics of the package: `FrechetVideoDistance`.

The metric wraps `keras_i3d.tasks.fvd` for evaluating a video generator in
a Keras loop: `update_state(real_videos, generated_videos)` embeds both
batches with I3D and adds them to float64 statistics (`sum(x)`,
`sum(x x^T)` and the count, per set); `result()` is the FVD (float32, as
the reference reports it) of everything seen since `reset_state()`.

On the TensorFlow backend the statistics are float64 metric variables and
the whole path also runs inside a compiled `fit`/`evaluate` step, with the
reference's kernels (`tf.raw_ops.ResizeBilinear`, `x / 127.5 - 1`, the
float32 I3D logits, float64 sums, tfgan's SVD square root). On JAX with
`jax_enable_x64` on it runs in compiled (jitted) steps too, as `keras.ops`
(the TF1 kernel as gathers). On JAX without x64, PyTorch and NumPy the
statistics stay on the host: compile with `run_eagerly=True`.
"""

import warnings

import keras
import numpy as np

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.tasks.fvd.distance import RealMoments
from keras_i3d.tasks.fvd.distance import frechet_distance
from keras_i3d.tasks.fvd.distance import frechet_distance_from_moments_tensor
from keras_i3d.tasks.fvd.distance import symmetric_matrix_square_root_tensor
from keras_i3d.tasks.fvd.embed import DEFAULT_INPUT_RANGE
from keras_i3d.tasks.fvd.embed import FEATURE_DIMENSIONS
from keras_i3d.tasks.fvd.embed import check_input_range
from keras_i3d.tasks.fvd.embed import embedding_options
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_embeddings
from keras_i3d.tasks.fvd.embed import video_embeddings_tensor
from keras_i3d.tasks.fvd.presets import DEFAULT_PRESET
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.resize import tracing_for_xla
from keras_i3d.tasks.fvd.statistics import VideoStatistics

VIDEO_SETS = ("real", "generated")
_SET_NAMES = {"real": "real videos", "generated": "generated videos"}


def _to_numpy(values, argument):
    try:
        return keras.ops.convert_to_numpy(values)
    except Exception as error:  # Symbolic tensors inside a compiled step.
        raise RuntimeError(
            f"On the {keras.backend.backend()} backend FrechetVideoDistance "
            "keeps its float64 statistics on the host: compile with "
            "run_eagerly=True or call it outside a compiled function (on the "
            "TensorFlow backend, and on JAX with jax_enable_x64 on, it runs in "
            "compiled steps). Received: "
            f"{argument} of type {type(values).__name__}"
        ) from error


def _executing_eagerly():
    import tensorflow as tf

    return tf.executing_eagerly()


def _float64_variables_available():
    """Whether the backend keeps float64 metric variables in compiled steps.

    TensorFlow does; JAX only with `jax_enable_x64` on (otherwise it stores
    float64 as float32, which FVD's sums of squared logits cannot afford).
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return True
    if backend == "jax":
        import jax

        return bool(jax.config.jax_enable_x64)
    return False


def _traced(values):
    """Whether `values` (backend tensors) are being traced for compilation."""
    if keras.backend.backend() == "tensorflow":
        return not _executing_eagerly()
    import jax

    return any(isinstance(value, jax.core.Tracer) for value in values)


def _switch_tf32_off_for_compiled_steps():
    """TF32 off for the whole process, with a warning, when a GPU has it on.

    TF32 is read when a graph runs, not when it is traced, so the eager
    path's `full_float32_precision` cannot cover a compiled step.
    """
    import tensorflow as tf

    if (
        tf.config.list_physical_devices("GPU")
        and tf.config.experimental.tensor_float_32_execution_enabled()
    ):
        tf.config.experimental.enable_tensor_float_32_execution(False)
        warnings.warn(
            "FrechetVideoDistance turned TensorFloat-32 off for this "
            "process: TF32 convolutions move the I3D logits by more than "
            "FVD's float32 rounding, and a compiled step cannot switch it per "
            "operation.",
            stacklevel=4,
        )


def _check_static_videos(shape, dtype, name):
    """The checks a compiled step makes when traced: rank, channels, frames, dtype."""
    if len(shape) != 5 or shape[-1] != RGB_CHANNELS:
        raise ValueError(
            f"{name}: FVD needs RGB videos of shape (N, T, H, W, 3). Received: shape={shape}"
        )
    if shape[1] is not None and shape[1] < MIN_FRAMES_FOR_LOGITS:
        raise ValueError(
            f"{name}: I3D's logits need at least {MIN_FRAMES_FOR_LOGITS} "
            f"frames per video. Received: {shape[1]} frames"
        )
    dtype = keras.backend.standardize_dtype(dtype)
    if not ("int" in dtype or "float" in dtype):
        raise ValueError(f"{name}: videos must be integers or floats. Received: dtype={dtype}")


@keras.saving.register_keras_serializable(package="keras_i3d")
class FrechetVideoDistance(keras.metrics.Metric):
    """Fréchet Video Distance between real and generated videos.

    The metric embeds each batch as `keras_i3d.tasks.fvd.video_embeddings`
    does and keeps float64 statistics, so after the same videos `result()`
    equals `keras_i3d.tasks.fvd.frechet_video_distance` (to float32
    rounding inside a compiled step; exactly when called eagerly).

    On the TensorFlow backend it works inside compiled `fit`/`evaluate`
    steps: the statistics are float64 metric variables, the resize is
    `tf.raw_ops.ResizeBilinear`, and `result()` takes tfgan's SVD square
    root with `tf.linalg.svd` in float64 (`sqrtm="scipy"` presets call
    scipy through `tf.numpy_function`, which XLA cannot compile). In a
    compiled step `update_state` checks shapes when tracing and value
    ranges with graph assertions, and `result()` is NaN until both sets
    hold 2 videos; called eagerly, the checks raise `ValueError` as
    `frechet_video_distance` does. Keras compiles with XLA by default on
    GPUs (`jit_compile="auto"`): the metric then resizes with gathers
    (XLA's own bilinear kernel is not TF1's) and warns, since XLA fuses and
    reorders float32 operations; compile with `jit_compile=False` for the
    reference's bits.
    On GPUs the first compiled update turns TF32 off for the process (with
    a warning): TF32 moves the logits by more than FVD's rounding.

    On JAX with `jax_enable_x64` on (set it before building anything:
    `jax.config.update("jax_enable_x64", True)`), the statistics are float64
    metric variables and the metric runs in Keras's jitted steps: the
    TF1 resize as `keras.ops.take` gathers, the scaling and the float32
    logits traced by XLA (which fuses float32 operations: the FVD agrees
    with the function's to about 2e-6 relative, measured with the
    Kinetics-400 weights), tfgan's square root with `keras.ops.svd` in
    float64 (`sqrtm="scipy"` through `jax.pure_callback`). The I3D model is
    built (and its weights loaded) when the metric is made, since a jitted
    step cannot create variables. The shapes and clip lengths are checked
    when the step is traced; value ranges only when called eagerly. The
    `short_side_center_crop` resizes refuse compiled JAX steps.

    On JAX without x64, PyTorch and NumPy the statistics stay on the host
    in float64 (JAX would store float64 variables as float32), so the
    metric refuses symbolic tensors with a `RuntimeError`: compile with
    `run_eagerly=True`, or call it in a custom loop or a callback.

    Args:
        preset: an FVD preset name (`keras_i3d.tasks.fvd.presets.PRESETS`);
            `"reference"` reproduces google-research
            `frechet_video_distance`.
        real_statistics: precomputed `VideoStatistics` of the real videos
            (or the path of a file written by `VideoStatistics.save` or
            `keras-i3d fvd --save-stats`). They are kept across
            `reset_state`, and `update_state` then ignores its real
            argument (pass None). A path is kept in `get_config`; an
            object is not.
        input_range: the videos' value range: `(0, 255)` (the reference),
            `(0, 1)` or `(-1, 1)`, e.g. `(-1, 1)` for a generator with a
            tanh output.
        batch_size: videos per I3D forward pass when the metric runs
            eagerly; a compiled step embeds its whole batch at once.
        name: the metric's name.
        dtype: the result's dtype.

    Raises:
        ValueError: the precomputed real statistics were made with other
            options (resize, features) than `preset`'s.

    Example:

    ```python
    fvd = FrechetVideoDistance(input_range=(-1, 1))
    for real, generated in evaluation_batches:
        fvd.update_state(real, generated)
    print(float(fvd.result()))

    # Or in a compiled evaluate (TensorFlow backend), with precomputed real
    # statistics, y_true ignored:
    generator.compile(
        loss="mse", jit_compile=False,
        metrics=[FrechetVideoDistance(real_statistics="real_stats.npz")],
    )
    generator.evaluate(noise, videos)
    ```
    """

    def __init__(
        self,
        preset=DEFAULT_PRESET,
        real_statistics=None,
        input_range=DEFAULT_INPUT_RANGE,
        batch_size=16,
        name="fvd",
        dtype="float32",
    ):
        super().__init__(name=name, dtype=dtype)
        self.preset = get_preset(preset)
        self.input_range = check_input_range(input_range)
        self.batch_size = batch_size
        self.dimension = FEATURE_DIMENSIONS[self.preset.features]
        self.real_statistics_path = None
        if real_statistics is not None and not isinstance(real_statistics, VideoStatistics):
            self.real_statistics_path = str(real_statistics)
            real_statistics = VideoStatistics.load(real_statistics)
        if real_statistics is not None:
            self._check_precomputed(real_statistics)
        self.precomputed_real = real_statistics
        # What depends only on the precomputed real statistics (their
        # moments and the square root of their covariance) is computed once,
        # not at every `result()`.
        self._real_moments = RealMoments(self.preset.ddof, self.preset.sqrtm)
        self._model = None
        # Float64 variables and compiled steps: TensorFlow, and JAX with
        # jax_enable_x64 on.
        self.supports_compiled_steps = _float64_variables_available()
        self._real_sqrt_covariance = None
        if self.supports_compiled_steps:
            self._variables_of = {
                video_set: self._statistics_variables(video_set) for video_set in VIDEO_SETS
            }
            self.clip_length = self.add_variable(
                (),
                "zeros",
                dtype="int32",
                aggregation="only_first_replica",
                name="clip_length",
            )
            if real_statistics is not None and self.preset.sqrtm == "tfgan_svd":
                # The graph's cache, filled by `reset_state` with the very
                # ops `result()` would run in the step.
                self._real_sqrt_covariance = self.add_variable(
                    (self.dimension, self.dimension),
                    "zeros",
                    dtype="float64",
                    aggregation="only_first_replica",
                    name="real_sqrt_covariance",
                )
        self.reset_state()
        if self.supports_compiled_steps and keras.backend.backend() == "jax":
            # A jitted step cannot create (or load) the model's variables.
            _ = self.embedding_model

    def _statistics_variables(self, video_set):
        """The float64 count, `sum(x)` and `sum(x x^T)` of one set."""
        return {
            "count": self.add_variable((), "zeros", dtype="float64", name=f"{video_set}_count"),
            "sum": self.add_variable(
                (self.dimension,),
                "zeros",
                dtype="float64",
                name=f"{video_set}_sum",
            ),
            "sum_outer": self.add_variable(
                (self.dimension, self.dimension),
                "zeros",
                dtype="float64",
                name=f"{video_set}_sum_outer",
            ),
        }

    def _options(self, clip_length=None):
        return embedding_options(self.preset.resize, self.preset.features, clip_length)

    def _check_precomputed(self, statistics):
        clip_length = statistics.options.get("clip_length")
        expected = self._options(clip_length)
        if statistics.options != expected or statistics.dimension != self.dimension:
            raise ValueError(
                "The precomputed real statistics were made with other "
                f"options than preset {self.preset.name!r}'s. Expected: "
                f"options={expected}, dimension={self.dimension}. Received: "
                f"options={statistics.options}, "
                f"dimension={statistics.dimension}"
            )

    @property
    def embedding_model(self):
        """The float32 I3D embedding model, built on first use."""
        if self._model is None:
            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                # Build (and load weights) eagerly, also when first used
                # while a compiled step is being traced.
                with tf.init_scope():
                    self._model = fvd_embedding_model(self.preset.features)
            else:
                self._model = fvd_embedding_model(self.preset.features)
        return self._model

    # Statistics as `VideoStatistics`, whichever way they are stored.

    @property
    def real_statistics(self):
        """`VideoStatistics` of the real videos so far, or None."""
        return self._statistics("real")

    @property
    def generated_statistics(self):
        """`VideoStatistics` of the generated videos so far, or None."""
        return self._statistics("generated")

    def _statistics(self, video_set):
        if not self.supports_compiled_steps:
            return self._host_statistics[video_set]
        variables = self._variables_of[video_set]
        count = int(keras.ops.convert_to_numpy(variables["count"]))
        if count == 0:
            return None
        clip_length = int(keras.ops.convert_to_numpy(self.clip_length))
        statistics = VideoStatistics(self.dimension, self._options(clip_length or None))
        statistics.count = count
        statistics.sum = keras.ops.convert_to_numpy(variables["sum"])
        statistics.sum_outer = keras.ops.convert_to_numpy(variables["sum_outer"])
        return statistics

    # Updates.

    def update_state(self, real_videos, generated_videos, sample_weight=None):
        """Embeds a batch of real and of generated videos.

        Args:
            real_videos: `(n, T, H, W, 3)` in `input_range`, or None when
                real statistics were given.
            generated_videos: `(m, T, H, W, 3)` in `input_range`, with the
                same `T` as the real videos.
            sample_weight: not supported (FVD weighs every video alike).

        Raises:
            ValueError: `sample_weight` was given; or, eagerly or when a
                compiled step is traced: bad shapes, fewer than 9 frames,
                another clip length than the videos seen before or the
                precomputed statistics; eagerly: values outside
                `input_range` (see `check_videos`).
            RuntimeError: a symbolic tensor on a backend other than
                TensorFlow.
        """
        if sample_weight is not None:
            raise ValueError("FrechetVideoDistance does not weigh videos. Received: sample_weight")
        batches = {"generated": generated_videos}
        if self.precomputed_real is None:
            batches["real"] = real_videos
        if not self.supports_compiled_steps:
            for video_set, videos in batches.items():
                self._update_host(video_set, videos)
        elif not _traced(batches.values()):
            for video_set, videos in batches.items():
                self._update_variables_eagerly(video_set, videos)
        elif keras.backend.backend() == "tensorflow":
            self._update_variables_in_graph(batches)
        else:
            self._update_variables_traced(batches)

    def _update_host(self, video_set, videos):
        name = _SET_NAMES[video_set]
        videos = _to_numpy(videos, name)
        statistics = self._host_statistics[video_set]
        if statistics is None:
            statistics = VideoStatistics(self.dimension, self._options(np.shape(videos)[1]))
        statistics.update(self._embed(videos, name))
        self._host_statistics[video_set] = statistics

    def _embed(self, videos, name):
        return video_embeddings(
            videos,
            model=self.embedding_model,
            features=self.preset.features,
            resize=self.preset.resize,
            input_range=self.input_range,
            batch_size=self.batch_size,
            name=name,
        )

    def _update_variables_eagerly(self, video_set, videos):
        """The host path into the variables: the function's exact bits."""
        name = _SET_NAMES[video_set]
        videos = keras.ops.convert_to_numpy(videos)
        clip_length = int(keras.ops.convert_to_numpy(self.clip_length))
        if clip_length and np.shape(videos)[1:2] != (clip_length,):
            raise ValueError(
                f"{name}: FVD compares clips of one length; the statistics "
                f"so far are of {clip_length} frames. Received: "
                f"shape={np.shape(videos)}"
            )
        embeddings = self._embed(videos, name)
        # The same float64 sums as `VideoStatistics.update`.
        batch = VideoStatistics.from_embeddings(embeddings)
        variables = self._variables_of[video_set]
        variables["count"].assign_add(np.float64(batch.count))
        variables["sum"].assign_add(batch.sum)
        variables["sum_outer"].assign_add(batch.sum_outer)
        self.clip_length.assign(np.shape(videos)[1])

    def _update_variables_in_graph(self, batches):
        import tensorflow as tf

        _switch_tf32_off_for_compiled_steps()
        if tracing_for_xla():
            warnings.warn(
                "FrechetVideoDistance is compiled with XLA: XLA fuses and "
                "reorders float32 operations, so the FVD agrees with the "
                "reference only to float32 rounding. Compile the model with "
                "jit_compile=False for the reference's bits.",
                stacklevel=3,
            )
        batches = {
            video_set: self._checked_tensor(videos, _SET_NAMES[video_set])
            for video_set, videos in batches.items()
        }
        clip_length = self._clip_length_in_graph(batches)
        for video_set, videos in batches.items():
            embeddings = tf.cast(
                video_embeddings_tensor(
                    videos,
                    self.embedding_model,
                    self.preset.resize,
                    self.input_range,
                ),
                tf.float64,
            )
            variables = self._variables_of[video_set]
            variables["count"].assign_add(tf.cast(tf.shape(embeddings)[0], tf.float64))
            variables["sum"].assign_add(tf.reduce_sum(embeddings, axis=0))
            variables["sum_outer"].assign_add(tf.matmul(embeddings, embeddings, transpose_a=True))
        self.clip_length.assign(clip_length)

    def _update_variables_traced(self, batches):
        """A compiled step on JAX (x64 on): `keras.ops`, traced by XLA.

        Shapes, frame counts and clip lengths are checked when the step is
        traced; the values and the clip length of the statistics so far
        cannot be checked inside an XLA computation.
        """
        from keras_i3d.tasks.fvd.embed import full_float32_precision
        from keras_i3d.tasks.fvd.embed import video_embeddings_traced

        for video_set, videos in batches.items():
            _check_static_videos(videos.shape, videos.dtype, _SET_NAMES[video_set])
        clip_length = self._static_clip_length(batches)
        for video_set, videos in batches.items():
            # JAX reads the matmul precision when tracing: TF32 off.
            with full_float32_precision():
                embeddings = video_embeddings_traced(
                    videos, self.embedding_model, self.preset.resize, self.input_range
                )
            embeddings = keras.ops.cast(embeddings, "float64")
            variables = self._variables_of[video_set]
            variables["count"].assign_add(np.float64(videos.shape[0]))
            variables["sum"].assign_add(keras.ops.sum(embeddings, axis=0))
            variables["sum_outer"].assign_add(
                keras.ops.matmul(keras.ops.transpose(embeddings), embeddings)
            )
        self.clip_length.assign(np.int32(clip_length))

    def _checked_tensor(self, videos, name):
        """Shape checks when tracing, value-range assertions in the graph."""
        import tensorflow as tf

        videos = tf.convert_to_tensor(videos)
        _check_static_videos(videos.shape, videos.dtype.name, name)
        low, high = self.input_range
        values = tf.cast(videos, tf.float32)
        message = (
            f"{name}: values must lie in [{low}, {high}] "
            f"(input_range={self.input_range}) and be finite"
        )
        checks = [
            tf.debugging.assert_greater_equal(
                tf.reduce_min(values),
                tf.constant(low, tf.float32),
                message=message,
            ),
            tf.debugging.assert_less_equal(
                tf.reduce_max(values),
                tf.constant(high, tf.float32),
                message=message,
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(videos)

    def _static_clip_length(self, batches):
        """The batches' static clip length (or None), checked when tracing
        against each other's and the precomputed statistics'."""
        static_lengths = {videos.shape[1] for videos in batches.values()}
        static_lengths.discard(None)
        precomputed = (
            self.precomputed_real.options.get("clip_length")
            if self.precomputed_real is not None
            else None
        )
        if precomputed is not None:
            static_lengths.add(precomputed)
        if len(static_lengths) > 1:
            raise ValueError(
                "FVD compares clips of one length. Received: clips of "
                f"{sorted(static_lengths)} frames (real, generated or the "
                "precomputed real statistics)"
            )
        return static_lengths.pop() if static_lengths else None

    def _clip_length_in_graph(self, batches):
        """The batches' clip length, checked against the statistics'."""
        import tensorflow as tf

        self._static_clip_length(batches)
        lengths = [tf.shape(videos)[1] for videos in batches.values()]
        message = (
            "FVD compares clips of one length: the real and generated"
            " videos and the statistics so far must agree"
        )
        for length in lengths[1:]:
            tf.debugging.assert_equal(length, lengths[0], message=message)
        previous = tf.convert_to_tensor(self.clip_length)
        tf.debugging.Assert(
            tf.logical_or(tf.equal(previous, 0), tf.equal(previous, lengths[0])),
            [message, previous, lengths[0]],
        )
        return lengths[0]

    # Result.

    def result_details(self):
        """The `FVDResult` (float32 and float64 values, counts, options).

        Raises:
            ValueError: no videos yet, or fewer than 2 in a set.
        """
        real, generated = self.real_statistics, self.generated_statistics
        if real is None or generated is None:
            raise ValueError("FrechetVideoDistance has no videos yet: call update_state first.")
        real_moments = self._real_moments if self.precomputed_real is not None else None
        return frechet_distance(
            real, generated, real_moments=real_moments, **self.preset.distance_options()
        )

    def result(self):
        """The FVD as a scalar tensor of `dtype`.

        Called eagerly, it is `result_details().fvd` (and raises as it
        does); inside a compiled step it is computed in float64 in the
        graph, and NaN until both sets hold 2 videos.
        """
        if self.supports_compiled_steps:
            count = self._variables_of["generated"]["count"]
            if keras.backend.backend() == "tensorflow" and not _executing_eagerly():
                return self._result_in_graph()
            if keras.backend.backend() == "jax" and _traced([count.value]):
                return self._result_traced()
        return keras.ops.convert_to_tensor(self.result_details().fvd, dtype=self.dtype)

    def _moments_in_graph(self, video_set):
        """`VideoStatistics.mean_and_covariance`, the same float64 ops."""
        variables = self._variables_of[video_set]
        count = variables["count"]
        mean = variables["sum"] / count
        outer = mean[:, None] * mean[None, :]
        centred_outer = variables["sum_outer"] - count * outer
        return mean, centred_outer / (count - self.preset.ddof)

    def _result_in_graph(self):
        import tensorflow as tf

        if self.preset.sqrtm == "scipy" and tracing_for_xla():
            raise ValueError(
                f"Preset {self.preset.name!r} takes scipy's sqrtm, a host "
                "callback that XLA cannot compile: compile the model with "
                "jit_compile=False. Received: a step compiled with XLA"
            )

        def distance():
            mean_real, sigma_real = self._moments_in_graph("real")
            mean_generated, sigma_generated = self._moments_in_graph("generated")
            sqrt_sigma_real = None
            if self._real_sqrt_covariance is not None:
                sqrt_sigma_real = tf.convert_to_tensor(self._real_sqrt_covariance)
            return frechet_distance_from_moments_tensor(
                mean_real,
                sigma_real,
                mean_generated,
                sigma_generated,
                sqrtm=self.preset.sqrtm,
                sqrt_sigma_real=sqrt_sigma_real,
            )

        counts = [self._variables_of[video_set]["count"] for video_set in VIDEO_SETS]
        enough = tf.logical_and(counts[0] >= 2, counts[1] >= 2)
        value = tf.cond(enough, distance, lambda: tf.constant(np.nan, tf.float64))
        # Rounded to float32 first, as the reference reports it.
        return tf.cast(tf.cast(value, tf.float32), self.dtype)

    def _result_traced(self):
        """`result()` in a compiled step on JAX: float64 `keras.ops`."""
        from keras_i3d.tasks.fvd.distance import frechet_distance_from_moments_traced

        counts = [self._variables_of[video_set]["count"].value for video_set in VIDEO_SETS]
        enough = keras.ops.logical_and(counts[0] >= 2, counts[1] >= 2)
        mean_real, sigma_real = self._moments_in_graph("real")
        mean_generated, sigma_generated = self._moments_in_graph("generated")
        # Zeros instead of the NaNs of a set of fewer than 2 videos, so that
        # no SVD sees a NaN; such a result is NaN below.
        sigma_real = keras.ops.where(enough, sigma_real, 0.0)
        sigma_generated = keras.ops.where(enough, sigma_generated, 0.0)
        sqrt_sigma_real = None
        if self._real_sqrt_covariance is not None:
            sqrt_sigma_real = self._real_sqrt_covariance.value
        value = frechet_distance_from_moments_traced(
            keras.ops.where(enough, mean_real, 0.0),
            sigma_real,
            keras.ops.where(enough, mean_generated, 0.0),
            sigma_generated,
            sqrtm=self.preset.sqrtm,
            sqrt_sigma_real=sqrt_sigma_real,
        )
        value = keras.ops.where(enough, value, np.nan)
        # Rounded to float32 first, as the reference reports it.
        return keras.ops.cast(keras.ops.cast(value, "float32"), self.dtype)

    def reset_state(self):
        """Forgets the videos; precomputed real statistics are kept."""
        if not self.supports_compiled_steps:
            self._host_statistics = {"real": self.precomputed_real, "generated": None}
            return
        for video_set in VIDEO_SETS:
            variables = self._variables_of[video_set]
            statistics = self.precomputed_real if video_set == "real" else None
            if statistics is None:
                variables["count"].assign(0.0)
                variables["sum"].assign(np.zeros(self.dimension))
                variables["sum_outer"].assign(np.zeros((self.dimension, self.dimension)))
            else:
                variables["count"].assign(np.float64(statistics.count))
                variables["sum"].assign(statistics.sum)
                variables["sum_outer"].assign(statistics.sum_outer)
        clip_length = None
        if self.precomputed_real is not None:
            clip_length = self.precomputed_real.options.get("clip_length")
        self.clip_length.assign(clip_length or 0)
        if self._real_sqrt_covariance is not None and self.precomputed_real.count >= 2:
            if keras.backend.backend() == "tensorflow":
                _, sigma_real = self._moments_in_graph("real")
                root = symmetric_matrix_square_root_tensor(sigma_real)
            else:
                _, _, root = self._real_moments.moments(self.precomputed_real)
            self._real_sqrt_covariance.assign(root)

    def get_config(self):
        return {
            "preset": self.preset.name,
            "real_statistics": self.real_statistics_path,
            "input_range": list(self.input_range),
            "batch_size": self.batch_size,
            "name": self.name,
            "dtype": self.dtype,
        }
