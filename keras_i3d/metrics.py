"""Keras metrics of the package: `FrechetVideoDistance`.

The metric wraps `keras_i3d.tasks.fvd` for evaluating a video generator in
a Keras loop: `update_state(real_videos, generated_videos)` embeds both
batches with I3D and adds them to float64 `VideoStatistics`; `result()` is
the FVD (float32, as the reference reports it) of everything seen since
`reset_state()`.

The statistics live on the host in float64 and the preprocessing is the
reference's exact numpy/TF kernel, so the metric runs eagerly: compile the
model with `run_eagerly=True` to use it in `fit`/`evaluate`, or call it in
a custom loop or a callback.
"""

import keras
import numpy as np

from keras_i3d.tasks.fvd.distance import frechet_distance
from keras_i3d.tasks.fvd.embed import DEFAULT_INPUT_RANGE
from keras_i3d.tasks.fvd.embed import FEATURE_DIMENSIONS
from keras_i3d.tasks.fvd.embed import embedding_options
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_embeddings
from keras_i3d.tasks.fvd.presets import DEFAULT_PRESET
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.statistics import VideoStatistics


def _to_numpy(values, argument):
    try:
        return keras.ops.convert_to_numpy(values)
    except Exception as error:  # Symbolic tensors inside a compiled step.
        raise RuntimeError(
            "FrechetVideoDistance runs eagerly (float64 statistics on the "
            "host): compile with run_eagerly=True or call it outside a "
            f"compiled function. Received: {argument} of type "
            f"{type(values).__name__}"
        ) from error


@keras.saving.register_keras_serializable(package="keras_i3d")
class FrechetVideoDistance(keras.metrics.Metric):
    """Fréchet Video Distance between real and generated videos.

    Args:
        preset: an FVD preset name (`keras_i3d.tasks.fvd.presets.PRESETS`);
            `"reference"` reproduces google-research
            `frechet_video_distance`.
        real_statistics: precomputed `VideoStatistics` of the real videos
            (or the path of a file written by `VideoStatistics.save` or
            `keras-i3d fvd --save-stats`). They are kept across
            `reset_state`, and `update_state` then ignores its real
            argument (pass None).
        input_range: the videos' value range: `(0, 255)` (the reference),
            `(0, 1)` or `(-1, 1)`, e.g. `(-1, 1)` for a generator with a
            tanh output.
        batch_size: videos per I3D forward pass.
        name: the metric's name.
        dtype: the result's dtype.

    Example:

    ```python
    fvd = FrechetVideoDistance(input_range=(-1, 1))
    for real, generated in evaluation_batches:
        fvd.update_state(real, generated)
    print(float(fvd.result()))
    ```
    """

    def __init__(self, preset=DEFAULT_PRESET, real_statistics=None,
                 input_range=DEFAULT_INPUT_RANGE, batch_size=16, name="fvd",
                 dtype="float32"):
        super().__init__(name=name, dtype=dtype)
        self.preset = get_preset(preset)
        self.input_range = tuple(input_range)
        self.batch_size = batch_size
        if real_statistics is not None and not isinstance(
            real_statistics, VideoStatistics
        ):
            real_statistics = VideoStatistics.load(real_statistics)
        self.precomputed_real = real_statistics
        self._model = None
        self.reset_state()

    @property
    def embedding_model(self):
        if self._model is None:
            self._model = fvd_embedding_model(self.preset.features)
        return self._model

    def _new_statistics(self, clip_length):
        return VideoStatistics(
            FEATURE_DIMENSIONS[self.preset.features],
            embedding_options(self.preset.resize, self.preset.features,
                              clip_length),
        )

    def _add(self, statistics, videos, name):
        videos = _to_numpy(videos, name)
        if statistics is None:
            statistics = self._new_statistics(np.shape(videos)[1])
        statistics.update(video_embeddings(
            videos, model=self.embedding_model,
            features=self.preset.features, resize=self.preset.resize,
            input_range=self.input_range, batch_size=self.batch_size,
            name=name,
        ))
        return statistics

    def update_state(self, real_videos, generated_videos, sample_weight=None):
        """Embeds a batch of real and of generated videos.

        Args:
            real_videos: `(n, T, H, W, 3)` in `input_range`, or None when
                real statistics were given.
            generated_videos: `(m, T, H, W, 3)` in `input_range`.
            sample_weight: not supported (FVD weighs every video alike).
        """
        if sample_weight is not None:
            raise ValueError(
                "FrechetVideoDistance does not weigh videos. Received: "
                "sample_weight"
            )
        if self.precomputed_real is None:
            self.real_statistics = self._add(
                self.real_statistics, real_videos, "real videos"
            )
        self.generated_statistics = self._add(
            self.generated_statistics, generated_videos, "generated videos"
        )

    def result_details(self):
        """The `FVDResult` (float32 and float64 values, counts, options)."""
        if self.real_statistics is None or self.generated_statistics is None:
            raise ValueError(
                "FrechetVideoDistance has no videos yet: call update_state "
                "first."
            )
        return frechet_distance(self.real_statistics,
                                self.generated_statistics,
                                **self.preset.distance_options())

    def result(self):
        return keras.ops.convert_to_tensor(self.result_details().fvd,
                                           dtype=self.dtype)

    def reset_state(self):
        self.real_statistics = self.precomputed_real
        self.generated_statistics = None

    def get_config(self):
        return {
            "preset": self.preset.name,
            "input_range": list(self.input_range),
            "batch_size": self.batch_size,
            "name": self.name,
            "dtype": self.dtype,
        }
