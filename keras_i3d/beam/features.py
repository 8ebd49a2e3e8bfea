"""`ExtractFeatures`: video paths to sliding-window I3D features, on Beam.

Each worker builds the feature models once (`setup`); each video is decoded
by `keras_i3d.data.video_clips.load_video_clips` and its windows embedded by
`keras_i3d.tasks.features.extract_features`, the functions `keras-i3d
extract-features` uses, and saved as `OUT/<video_id>_<stream>.npy`, the
command's layout. A video is finished when the files of all its streams
exist.
"""

import io

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.files import join
from keras_i3d.beam.files import local_input
from keras_i3d.beam.files import video_id
from keras_i3d.beam.files import write_output
from keras_i3d.beam.per_video import ProcessVideos
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS


def feature_target(out_dir, path, stream):
    """`OUT/<video_id>_<stream>.npy`, the layout of `keras-i3d extract-features`."""
    return join(out_dir, f"{video_id(path)}_{stream}.npy")


class _FeatureTargets:
    def __init__(self, out_dir, streams):
        self.out_dir = out_dir
        self.streams = streams

    def __call__(self, path):
        return tuple(feature_target(self.out_dir, path, stream) for stream in self.streams)


class _StoreFeatures:
    """Loads the models once per worker (`setup`), then one video per call."""

    def __init__(self, streams, model_settings, clip_settings, window_settings):
        self.streams = streams
        self.model_settings = model_settings
        self.clip_settings = clip_settings
        self.window_settings = window_settings
        self.models = None

    def setup(self):
        from keras_i3d.tasks.features import feature_model

        settings = dict(self.model_settings)
        weights = settings.pop("weights")
        self.models = {
            stream: feature_model(stream, weights=weights[stream], **settings)
            for stream in self.streams
        }

    def __call__(self, path, targets):
        import numpy as np

        from keras_i3d.data.video_clips import load_video_clips
        from keras_i3d.tasks.features import extract_features

        stream = "two_stream" if len(self.streams) == 2 else self.streams[0]
        with local_input(path) as local_path:
            clips = load_video_clips(local_path, stream=stream, **self.clip_settings)
        for stream, target in zip(self.streams, targets):
            features = extract_features(
                getattr(clips, stream), self.models[stream], stream, **self.window_settings
            )
            buffer = io.BytesIO()
            np.save(buffer, features)
            write_output(target, lambda local_target: _write_bytes(local_target, buffer))


def _write_bytes(path, buffer):
    from keras_i3d.atomic_files import atomic_write

    atomic_write(path, lambda file: file.write(buffer.getvalue()))


class ExtractFeatures(beam.PTransform):
    """Saves the sliding-window features of every video, as
    `keras-i3d extract-features` does.

    Args:
        out_dir: the output folder (local, gs:// or s3://).
        streams: `("rgb",)`, `("flow",)` or `("rgb", "flow")`.
        weights: `{stream: weights}` (as for `feature_model`; None: random).
        endpoint, window, stride, batch_size: as for `feature_model` and
            `extract_features`.
        fps, flow_method, short_side, crop_size: as for `load_video_clips`.
        overwrite: redo videos whose files exist.

    Returns (of `expand`):
        A `DoOutputsTuple`: the targets written, and the failure rows
        (`failures`).
    """

    def __init__(
        self,
        out_dir,
        streams=("rgb",),
        weights=None,
        endpoint="Mixed_5c",
        window=64,
        stride=16,
        batch_size=8,
        fps=TARGET_FPS,
        flow_method="tvl1",
        short_side=RESIZE_SHORT_SIDE,
        crop_size=CROP_SIZE,
        overwrite=False,
    ):
        super().__init__()
        from keras_i3d.tasks.features import check_window

        check_window(window, stride, endpoint)
        self.out_dir = str(out_dir)
        self.streams = tuple(streams)
        self.overwrite = overwrite
        weights = weights or {}
        self.work = _StoreFeatures(
            self.streams,
            dict(
                endpoint=endpoint,
                window=window,
                crop_size=crop_size,
                weights={stream: weights.get(stream) for stream in self.streams},
            ),
            dict(fps=fps, flow_method=flow_method, short_side=short_side, crop_size=crop_size),
            dict(window=window, stride=stride, batch_size=batch_size),
        )

    def expand(self, paths):
        process = ProcessVideos(
            self.work, _FeatureTargets(self.out_dir, self.streams), overwrite=self.overwrite
        )
        return paths | "Features" >> beam.ParDo(process).with_outputs(FAILURES, main="written")
