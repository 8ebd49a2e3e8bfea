"""The files of a feature extraction, shared by the CLI and Beam.

Each video gives `<video_id>_<stream>.npy` per stream (or one
`<video_id>.npy` with `concat_streams`) and then `<video_id>.json`, the
sidecar (`keras_i3d.tasks.features.sidecar`): the sidecar is written last,
so its presence marks a finished video.

* `sidecar_settings`: what every sidecar of a run records (settings,
  weights, graph);
* `video_results`: the windows of videos through the feature models, the
  one per-video path of `keras-i3d extract-features` and of Beam's
  `ExtractFeatures`;
* `FeatureFiles`: the names of a video's files, which are missing, and
  their content in writing order; `save` writes them into a local folder
  (Beam writes the same files through its own file system).
"""

import dataclasses
import pathlib

import numpy as np

from keras_i3d.tasks.features.crops import reduce_crops
from keras_i3d.tasks.features.extract import batched_features
from keras_i3d.tasks.features.prefetch import prefetched
from keras_i3d.tasks.features.settings import VideoWindows
from keras_i3d.tasks.features.sidecar import sidecar_name
from keras_i3d.tasks.features.sidecar import sidecar_record
from keras_i3d.tasks.features.sidecar import sidecar_text


def output_names(video_id, settings, streams=None):
    """`{stream or "concat": file name}` of a video's feature files.

    Args:
        video_id: the stem of the video's outputs.
        settings: the `FeatureSettings`.
        streams: the streams to name (default: all of `settings.streams`).

    Returns:
        `{"rgb": "<video_id>_rgb.npy", ...}`, or `{"concat":
        "<video_id>.npy"}` with `settings.concat_streams`.
    """
    if settings.concat_streams:
        return {"concat": f"{video_id}.npy"}
    return {stream: f"{video_id}_{stream}.npy" for stream in streams or settings.streams}


def missing_streams(out, video_id, settings, overwrite=False):
    """The streams of a video to extract: those whose file, or whose
    sidecar, is missing from the local folder `out` (all with
    `overwrite`)."""
    out = pathlib.Path(out)
    if overwrite or not (out / sidecar_name(video_id)).exists():
        return settings.streams
    names = output_names(video_id, settings)
    if settings.concat_streams:
        return () if (out / names["concat"]).exists() else settings.streams
    return tuple(stream for stream in settings.streams if not (out / names[stream]).exists())


def weights_description(weights, stream):
    """The sidecar's record of `stream`'s weights: record name and sha256s.

    Args:
        weights: as for `feature_model` (None: random weights).
        stream: `"rgb"` or `"flow"`.

    Returns:
        A JSON-able dict: the record's name and tensors sha256, or the
        file and its sha256, or the source (e.g. an hf:// repository).
    """
    from keras_i3d.weights.hashing import file_sha256
    from keras_i3d.weights.records import resolve_alias

    if weights is None:
        return {"name": None, "random": True}
    record = resolve_alias(weights, stream)
    if record is not None:
        described = {"name": record.name, "tensors_sha256": record.tensors_sha256}
        if record.file_sha256:
            described["file_sha256"] = record.file_sha256
        return described
    if not pathlib.Path(weights).is_file():  # e.g. an hf:// repository
        return {"name": None, "source": str(weights)}
    return {"name": None, "file": str(weights), "file_sha256": file_sha256(weights)}


def sidecar_settings(settings, weights, fused, precision):
    """What every sidecar of a run records besides its video's rows.

    Args:
        settings: the `FeatureSettings`.
        weights: `{stream: weights}`, as for `feature_model`.
        fused, precision: the inference graph (`feature_model`'s).

    Returns:
        A JSON-able dict: `settings.describe()`, the weights of each stream
        (`weights_description`), `graph` and `precision`. Nothing in it
        depends on the machine or the time, so two runs of the same
        extraction write the same bytes.
    """
    described = settings.describe()
    described["weights"] = {
        stream: weights_description(weights.get(stream), stream) for stream in settings.streams
    }
    described["graph"] = "fused" if fused else "reference"
    described["precision"] = precision
    return described


def video_results(videos, settings, models, batch_size=8, workers=1):
    """Extracts the features of `videos`, decoding ahead of the network.

    Args:
        videos: an iterable of `(key, path, streams)`: `streams` the
            streams to extract for that video (a subset of
            `settings.streams`), or None for all.
        settings: the `FeatureSettings`.
        models: `{stream: feature model}` of every stream asked for.
        batch_size: network inputs per forward pass (windows of
            consecutive videos share batches).
        workers: videos decoded at the same time, in reader threads.

    Yields:
        `(VideoWindows, VideoFeatures)` per video, in order, as soon as
        its last window is done; a video that failed has
        `VideoFeatures.error` set.
    """
    sources = {}

    def windows():
        for key, path, streams in videos:
            per_video = settings
            if streams is not None and tuple(streams) != settings.streams:
                per_video = dataclasses.replace(settings, streams=tuple(streams))
            sources[key] = VideoWindows(path, per_video)
            yield key, sources[key]

    # Each queued window holds its crops: read ahead about one batch.
    depth = max(2, batch_size // settings.crops)
    ahead = prefetched(windows(), workers=workers, depth=depth)
    for result in batched_features(ahead, models, batch_size):
        yield sources.pop(result.key), result


class FeatureFiles:
    """The files of every video of one extraction.

    Args:
        settings: the `FeatureSettings`.
        described: `sidecar_settings(...)`, recorded in every sidecar.
        feature_shapes: `{stream: model.output_shape[1:]}`, the shape of
            a row of each stream (for a video with no row, e.g. one
            shorter than a window with `loop_short` off); `of_models`
            reads them from the models.
    """

    def __init__(self, settings, described, feature_shapes):
        self.settings = settings
        self.described = described
        self.feature_shapes = feature_shapes

    @classmethod
    def of_models(cls, settings, described, models):
        """The files of an extraction by `models` (`{stream: model}`)."""
        shapes = {stream: tuple(model.output_shape[1:]) for stream, model in models.items()}
        return cls(settings, described, shapes)

    def names(self, video_id, streams=None):
        """`{stream or "concat": file name}` of a video's feature files.

        Args:
            video_id: the stem of the video's outputs.
            streams: the streams to name (default: all).

        Returns:
            `{"rgb": "<video_id>_rgb.npy", ...}`, or `{"concat":
            "<video_id>.npy"}` with `concat_streams`.
        """
        return output_names(video_id, self.settings, streams)

    def all_names(self, video_id):
        """Every file of a video: its feature files and its sidecar."""
        return tuple(self.names(video_id).values()) + (sidecar_name(video_id),)

    def files(self, video_id, windows, result, written_shape=None, video=None):
        """One video's files, as `(file name, write)` pairs in writing order.

        Args:
            video_id: the stem of the video's outputs.
            windows: the video's `VideoWindows`, iterated (its `settings`
                give the streams extracted; its `path` is recorded).
            result: its `VideoFeatures`.
            written_shape: a function, a file name to the shape of that
                feature file written before (for a stream not extracted
                now).
            video: the video the sidecar names (default `windows.path`;
                Beam names a remote video, not its local copy).

        Returns:
            A list of `(name, write)`, the feature files then the sidecar;
            `write(file)` writes the content to a binary file object.

        Raises:
            Exception: `result.error`, the error that stopped the video
                (no file is made for it).
        """
        from keras_i3d import __version__

        if result.error is not None:
            raise result.error
        settings = self.settings
        streams = windows.settings.streams
        arrays = {}
        for stream in streams:
            features = result.features.get(stream)
            if features is None:  # no row
                shape = (0, settings.crops) + tuple(self.feature_shapes[stream])
                features = np.zeros(shape, np.float32)
            arrays[stream] = reduce_crops(features, settings.crop_reduce)
        if settings.concat_streams:
            arrays = {"concat": np.concatenate([arrays["rgb"], arrays["flow"]], axis=-1)}
        shapes = {}
        for key, name in self.names(video_id).items():
            shapes[name] = arrays[key].shape if key in arrays else written_shape(name)
        record = sidecar_record(
            video_id,
            windows.path if video is None else video,
            windows.source_fps,
            windows.fps,
            result.rows,
            self.described,
            shapes,
            __version__,
        )
        names = self.names(video_id, streams)
        files = [(names[key], _npy_writer(array)) for key, array in arrays.items()]
        text = sidecar_text(record).encode()
        files.append((sidecar_name(video_id), lambda file: file.write(text)))
        return files

    def save(self, out, video_id, windows, result):
        """Writes one video's feature files, then its sidecar, into the
        local folder `out`, each atomically (see `files`)."""
        from keras_i3d.atomic_files import atomic_write

        out = pathlib.Path(out)

        def written_shape(name):
            return np.load(out / name, mmap_mode="r").shape

        for name, write in self.files(video_id, windows, result, written_shape):
            atomic_write(out / name, write)


def _npy_writer(array):
    return lambda file: np.save(file, array)
