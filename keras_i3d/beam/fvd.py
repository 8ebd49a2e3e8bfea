"""`ComputeVideoStatistics`: FVD statistics of video files, on Beam.

Each worker builds the embedding model once (`DoFn.setup`) and embeds one
clip per video, as `keras_i3d.tasks.fvd.sources.video_file_statistics`
reads it (`clip_length` frames every `frame_step` from frame 0); the
embeddings are folded into `VideoStatistics` by `VideoStatisticsCombineFn`,
whose merge adds the float64 sums exactly as `VideoStatistics.merge` does.
The statistics therefore equal the single-process ones up to the order of
float64 additions (about 1e-15 relative).

A DoFn that loads the model in `setup` was chosen over RunInference: the
model is the package's own `fvd_embedding_model`, a video gives one clip,
and a failure must become a failures row, which a DoFn yields directly
(RunInference would need its own error handling around a model handler).

Not parallel, so refused: a preset's random offsets for real videos (drawn
in sequence from one seed). Every path that gives a clip is used: pass
exactly the protocol's videos (`num_videos` is not applied here).
"""

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.failures import failure_row
from keras_i3d.beam.files import local_input
from keras_i3d.beam.per_video import one_thread_per_worker


class VideoStatisticsCombineFn(beam.CombineFn):
    """Folds `(1, dimension)` embeddings into one `VideoStatistics`.

    Args:
        dimension: the embedding length (400 logits, 1024 pool).
        options: the statistics' options (`embedding_options`).
    """

    def __init__(self, dimension, options):
        super().__init__()
        self.dimension = dimension
        self.options = options

    def create_accumulator(self):
        from keras_i3d.tasks.fvd.statistics import VideoStatistics

        return VideoStatistics(self.dimension, self.options)

    def add_input(self, statistics, embeddings):
        statistics.update(embeddings)
        return statistics

    def merge_accumulators(self, accumulators):
        accumulators = iter(accumulators)
        merged = next(accumulators)
        for statistics in accumulators:
            merged.merge(statistics)
        return merged

    def extract_output(self, statistics):
        return statistics


class EmbedClips(beam.DoFn):
    """A video path to the float32 embedding `(1, dimension)` of its clip."""

    def __init__(self, protocol, clip_length, frame_step, weights, input_range):
        super().__init__()
        self.protocol = protocol
        self.clip_length = clip_length
        self.frame_step = frame_step
        self.weights = weights
        self.input_range = input_range
        self.model = None

    def setup(self):
        from keras_i3d.tasks.fvd.embed import fvd_embedding_model

        one_thread_per_worker()
        self.model = fvd_embedding_model(self.protocol.features, weights=self.weights)

    def process(self, path):
        from keras_i3d.tasks.fvd.embed import check_videos
        from keras_i3d.tasks.fvd.embed import embed_model_inputs
        from keras_i3d.tasks.fvd.embed import preprocess_videos
        from keras_i3d.tasks.fvd.sources import read_clip

        try:
            with local_input(path) as local_path:
                clip = read_clip(local_path, self.clip_length, self.frame_step)
            check_videos(clip[None], name=str(path), input_range=self.input_range)
            model_inputs = preprocess_videos(clip[None], self.protocol.resize, self.input_range)
        except Exception as error:  # noqa: BLE001 - a bad video must not stop the job
            yield beam.pvalue.TaggedOutput(FAILURES, failure_row(path, error))
            return
        yield embed_model_inputs(self.model, model_inputs)


class ComputeVideoStatistics(beam.PTransform):
    """The `VideoStatistics` of video files, for FVD.

    Args:
        preset: an `FVDPreset` or its name (`resize`, `features`,
            `clip_length`, `frame_step`).
        real: whether these are the real videos.
        clip_length, frame_step: override the preset's.
        weights: the embedding model's weights (`fvd_embedding_model`).
        input_range: decoded frames are uint8, so `(0, 255)`.

    Returns (of `expand`):
        A dict: `statistics`, a one-element PCollection of
        `VideoStatistics`, and `failures`, the failure rows (unreadable or
        too short videos).

    Raises:
        ValueError: the preset draws random offsets for real videos.

    Example:

    ```python
    with beam.Pipeline() as pipeline:
        result = pipeline | beam.Create(paths) | ComputeVideoStatistics("reference")
        result["statistics"] | beam.Map(lambda stats: stats.save("real.npz"))
    ```
    """

    def __init__(
        self,
        preset="reference",
        real=True,
        clip_length=None,
        frame_step=None,
        weights="kinetics400",
        input_range=(0, 255),
    ):
        super().__init__()
        from keras_i3d.tasks.fvd.embed import FEATURE_DIMENSIONS
        from keras_i3d.tasks.fvd.embed import embedding_options
        from keras_i3d.tasks.fvd.presets import get_preset

        self.protocol = get_preset(preset)
        if real and self.protocol.real_offset == "random":
            raise ValueError(
                f"The {self.protocol.name!r} preset draws the real clips' offsets "
                "in sequence from one seed, which a parallel job cannot repeat; "
                "compute those statistics with video_file_statistics. Received: "
                f"preset={self.protocol.name!r}, real=True"
            )
        self.clip_length = clip_length or self.protocol.clip_length
        self.frame_step = frame_step or self.protocol.frame_step
        self.weights = weights
        self.input_range = tuple(input_range)
        self.dimension = FEATURE_DIMENSIONS[self.protocol.features]
        self.options = embedding_options(
            self.protocol.resize, self.protocol.features, self.clip_length
        )

    def expand(self, paths):
        embedded = paths | "Embed" >> beam.ParDo(
            EmbedClips(
                self.protocol, self.clip_length, self.frame_step, self.weights, self.input_range
            )
        ).with_outputs(FAILURES, main="embeddings")
        statistics = embedded.embeddings | "Statistics" >> beam.CombineGlobally(
            VideoStatisticsCombineFn(self.dimension, self.options)
        )
        return {"statistics": statistics, FAILURES: embedded[FAILURES]}
