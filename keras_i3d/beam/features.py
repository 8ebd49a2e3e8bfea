"""`ExtractFeatures`: video paths to window I3D features, on Beam.

Each worker builds the feature models once (`setup`); each video runs
through `keras_i3d.tasks.features.outputs.video_results` and its files are
made by `FeatureFiles`, what `keras-i3d extract-features` runs locally, so
a job writes the command's files byte for byte: `OUT/<video_id>_<stream>.npy`
(or `OUT/<video_id>.npy` with `concat_streams`), then the sidecar
`OUT/<video_id>.json`. A video is finished when all its files exist; an
unfinished one is redone whole (every stream).
"""

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.files import join
from keras_i3d.beam.files import local_input
from keras_i3d.beam.files import video_id
from keras_i3d.beam.files import write_output
from keras_i3d.beam.per_video import ProcessVideos


class _FeatureTargets:
    """A video's files: its feature files and its sidecar."""

    def __init__(self, out_dir, settings):
        self.out_dir = out_dir
        self.settings = settings

    def __call__(self, path):
        from keras_i3d.tasks.features.outputs import FeatureFiles

        names = FeatureFiles(self.settings, {}, {}).all_names(video_id(path))
        return tuple(join(self.out_dir, name) for name in names)


class _StoreFeatures:
    """Loads the models once per worker (`setup`), then one video per call."""

    def __init__(self, out_dir, settings, weights, fused, precision, batch_size, described):
        self.out_dir = out_dir
        self.settings = settings
        self.weights = weights
        self.fused = fused
        self.precision = precision
        self.batch_size = batch_size
        self.described = described
        self.models = None
        self.files = None

    def setup(self):
        from keras_i3d.tasks.features.models import feature_models
        from keras_i3d.tasks.features.outputs import FeatureFiles

        self.models = feature_models(self.settings, self.weights, self.fused, self.precision)
        self.files = FeatureFiles.of_models(self.settings, self.described, self.models)

    def __call__(self, path, targets):
        from keras_i3d.atomic_files import atomic_write
        from keras_i3d.tasks.features.outputs import video_results

        with local_input(path) as local_path:
            videos = [(path, local_path, None)]
            ((windows, result),) = video_results(
                videos, self.settings, self.models, self.batch_size
            )
        for name, write in self.files.files(video_id(path), windows, result, video=path):
            write_output(
                join(self.out_dir, name),
                lambda local_target, write=write: atomic_write(local_target, write),
            )


class ExtractFeatures(beam.PTransform):
    """Saves the window features of every video, as `keras-i3d
    extract-features` does.

    Args:
        out_dir: the output folder (local, gs:// or s3://).
        settings: the `keras_i3d.tasks.features.settings.FeatureSettings`
            (window, stride, layout, streams, endpoint, pooling, crops,
            fps, ...; the presets are `FeatureSettings` too).
        weights: `{stream: weights}` (as for `feature_model`; a stream
            not in it, or None: random weights). A weights file must be
            readable from every worker.
        fused, precision: the inference graph (`feature_model`'s).
        batch_size: network inputs per forward pass.
        overwrite: redo videos whose files exist.

    Returns (of `expand`):
        A `DoOutputsTuple`: the targets written, and the failure rows
        (`failures`).

    Raises:
        ValueError: a feature model cannot take the settings, or a bad
            `precision`.
    """

    def __init__(
        self,
        out_dir,
        settings,
        weights=None,
        fused=True,
        precision="float32",
        batch_size=8,
        overwrite=False,
    ):
        super().__init__()
        from keras_i3d.tasks.features.models import check_feature_models
        from keras_i3d.tasks.features.outputs import sidecar_settings

        check_feature_models(settings, fused, precision)
        self.out_dir = str(out_dir)
        self.settings = settings
        self.overwrite = overwrite
        weights = dict(weights or {})
        # Described here, once: the weights files are hashed on the machine
        # that starts the job.
        described = sidecar_settings(settings, weights, fused, precision)
        self.work = _StoreFeatures(
            self.out_dir, settings, weights, fused, precision, batch_size, described
        )

    def expand(self, paths):
        process = ProcessVideos(
            self.work, _FeatureTargets(self.out_dir, self.settings), overwrite=self.overwrite
        )
        return paths | "Features" >> beam.ParDo(process).with_outputs(FAILURES, main="written")
