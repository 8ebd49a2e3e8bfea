"""The pretrained fused I3D on ONNX Runtime, for inference without TensorFlow.

Importing TensorFlow and Keras takes 2.4-2.6 s of every `keras-i3d predict`
on this project's CPU, more than building the model; ONNX Runtime starts in
about 0.2 s. `onnx_runtime_classifier` returns an `OnnxRuntimeClassifier`
that runs the fused float32 graph of a pretrained I3D as ONNX
(`keras_i3d.export`: uint8 frames in, the preprocessing inside, logits out;
checked on conversion to be within `PARITY_TOLERANCE` (1e-4) of the
reference graph's logits). The graph is converted once, with TensorFlow,
and kept in the model cache (`keras_i3d.weights.model_cache`,
`model.onnx`) under a key that names what it depends on, computed without
importing TensorFlow:

- the weights file's sha256 and the stream;
- the versions of keras-i3d, Keras, TensorFlow, tf2onnx and onnx, read from
  the installed distributions, and the sha256 of the source files of
  `keras_i3d/layers`, `models`, `weights`, `export` and this module.

Later processes load it and import neither TensorFlow nor Keras.

Example:

```python
classifier, origin = onnx_runtime_classifier("kinetics400")
logits = classifier.logits(uint8_clips)  # (batch, frames, 224, 224, 3) -> (batch, 400)
```
"""

import functools
import importlib.metadata
import importlib.util

import numpy as np

from keras_i3d.conventions import CROP_SIZE

# The file the converted graph is kept as in its model-cache folder.
ONNX_GRAPH_FILE = "model.onnx"
# The packages a conversion needs, and those running the graph needs.
CONVERSION_MODULES = ("tensorflow", "tf2onnx", "onnx", "onnxruntime")
RUNTIME_MODULES = ("onnxruntime",)
# The source packages the converted graph depends on.
_ONNX_GRAPH_SOURCE_PACKAGES = (
    "layers",
    "models",
    "weights",
    "export",
    "tasks/onnx_classifier.py",
)
# Frames of the clip the conversion is checked on.
_CHECK_CLIP_LENGTH = 16
# ONNX Runtime's names of the export's input types.
_ONNX_DTYPES = {"tensor(uint8)": "uint8", "tensor(float)": "float32"}


class OnnxRuntimeUnavailableError(ImportError):
    """A package ONNX Runtime inference needs is not installed."""


class OnnxRuntimeClassifier:
    """A converted I3D on an ONNX Runtime session: raw frames to logits.

    Args:
        path: the `.onnx` file (`keras_i3d.export`'s graph: input `frames`,
            outputs `logits` and `probabilities`). The session reads it
            whole; the file is not needed afterwards.
        threads: ONNX Runtime's intra-op threads (None: one per core).

    Example:

    >>> classifier = OnnxRuntimeClassifier("i3d.onnx")  # doctest: +SKIP
    >>> classifier.logits(np.zeros((1, 16, 224, 224, 3), np.uint8)).shape  # doctest: +SKIP
    (1, 400)
    """

    def __init__(self, path, threads=None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        # Idle workers sleep instead of spinning: the next clip is decoded
        # in a thread beside the model and needs the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        (model_input,) = self._session.get_inputs()
        self.input_name = model_input.name
        # uint8 RGB frames, or float32 flow in pixels; (height, width, channels).
        self.input_dtype = np.dtype(_ONNX_DTYPES[model_input.type])
        self.frame_shape = tuple(model_input.shape[2:])

    def logits(self, frames):
        """The logits of a batch of clips.

        Args:
            frames: `(batch, frames, 224, 224, channels)` of the graph's
                input dtype: uint8 RGB in `[0, 255]` (or, for a flow
                graph, float32 flow in pixels), unscaled (the graph scales
                them as `preprocess_input` does).

        Returns:
            float32 `(batch, classes)` logits.
        """
        frames = np.asarray(frames)
        if (frames.dtype, frames.ndim, frames.shape[2:]) != (self.input_dtype, 5, self.frame_shape):
            raise ValueError(
                f"This graph takes {self.input_dtype} clips (batch, frames, "
                f"{', '.join(map(str, self.frame_shape))}). Received: {frames.dtype} of "
                f"shape {frames.shape}"
            )
        return self._session.run(["logits"], {self.input_name: frames})[0]


def missing_modules(modules):
    """The names of `modules` that are not installed (none is imported)."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def onnx_runtime_classifier(weights="kinetics400", stream="rgb", model_cache=True, cache_dir=None):
    """The pretrained fused I3D on ONNX Runtime, converted once and cached.

    Loading a cached graph imports neither TensorFlow nor Keras. Converting
    it (the first time for a weights file and package versions, about 15 s
    on a 2-core CPU) builds the fused graph with TensorFlow, writes it with
    `keras_i3d.export.export_model` and checks its logits on a real clip
    (the bundled example video, or a synthetic moving clip where the
    source tree is not there) against the reference graph's.

    Args:
        weights: anything `I3D(weights=...)` accepts, except None.
        stream: `"rgb"` or `"flow"`.
        model_cache: load the graph from the model cache, and keep it there
            when converted; False: convert it into a temporary folder.
        cache_dir: the cache folder (default:
            `keras_i3d.weights.model_cache.model_cache_dir()`).

    Returns:
        `(classifier, origin)`: an `OnnxRuntimeClassifier` and `"loaded"`
        or `"built"`.

    Raises:
        OnnxRuntimeUnavailableError: onnxruntime (or, to convert, tf2onnx,
            onnx or TensorFlow) is not installed.
        ValueError: unknown weights.
        keras_i3d.weights.WeightsFileError: the weights cannot be loaded.
        keras_i3d.export.ExportParityError: the converted graph's logits
            differ from the reference graph's by more than 1e-4.
    """
    from keras_i3d.weights.model_cache import load_or_write
    from keras_i3d.weights.model_cache import load_written_aside

    _require(RUNTIME_MODULES, "run I3D on ONNX Runtime")

    def write(path):
        _require(CONVERSION_MODULES, "convert I3D to ONNX")
        write_onnx_graph(weights, stream, path)

    if not model_cache:
        return load_written_aside(ONNX_GRAPH_FILE, write, OnnxRuntimeClassifier), "built"
    key = onnx_graph_key(weights, stream)
    return load_or_write(key, ONNX_GRAPH_FILE, write, OnnxRuntimeClassifier, cache_dir=cache_dir)


def onnx_graph_is_cached(weights="kinetics400", stream="rgb", cache_dir=None):
    """Whether the model cache holds the ONNX graph of `weights` (so that
    `onnx_runtime_classifier` will not convert, nor import TensorFlow)."""
    from keras_i3d.weights.model_cache import is_cached

    return is_cached(onnx_graph_key(weights, stream), ONNX_GRAPH_FILE, cache_dir=cache_dir)


def onnx_graph_key(weights, stream="rgb"):
    """The model-cache key of the ONNX graph of `weights` (no TensorFlow import)."""
    import os

    from keras_i3d import __version__
    from keras_i3d.weights.model_cache import package_source_sha256
    from keras_i3d.weights.resolving import resolve_weights

    path = resolve_weights(weights, stream, None).path
    status = os.stat(path)
    return {
        "builder": "keras_i3d.tasks.onnx_classifier.write_onnx_graph",
        "weights_sha256": _file_sha256(os.fspath(path), status.st_size, status.st_mtime_ns),
        "stream": stream,
        "keras_i3d": __version__,
        "versions": {
            name: _installed_version(*distributions)
            for name, distributions in (
                ("keras", ("keras",)),
                ("tensorflow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos")),
                ("tf2onnx", ("tf2onnx",)),
                ("onnx", ("onnx",)),
            )
        },
        "graph_source_sha256": package_source_sha256(_ONNX_GRAPH_SOURCE_PACKAGES),
    }


def write_onnx_graph(weights, stream, path):
    """Converts the pretrained fused I3D to ONNX at `path`, checked.

    Returns:
        The `keras_i3d.export.ExportReport` of the conversion.

    Raises:
        keras_i3d.export.ExportParityError: the graph's logits differ from
            the reference graph's by more than 1e-4 (nothing is written).
    """
    from keras_i3d.export.formats import export_model
    from keras_i3d.models.fused import pretrained_inference_model

    reference = pretrained_inference_model(weights, stream, fused=False)
    return export_model(reference, path, "onnx", _check_clip(stream), overwrite=True)


def _check_clip(stream):
    """The bundled example's first frames, or a synthetic moving clip."""
    from keras_i3d.export.check_clip import DEFAULT_CHECK_VIDEO
    from keras_i3d.export.check_clip import load_check_clip

    if DEFAULT_CHECK_VIDEO.is_file():
        return load_check_clip(stream, _CHECK_CLIP_LENGTH)
    from keras_i3d.data.synthetic_motion import motion_clip
    from keras_i3d.export.check_clip import CHECK_FLOW_METHOD
    from keras_i3d.flow.methods import compute_flow

    length = _CHECK_CLIP_LENGTH + (stream == "flow")
    clip = motion_clip("right", seed=0, clip_length=length, size=CROP_SIZE)
    if stream == "flow":
        return compute_flow(clip, flow_method=CHECK_FLOW_METHOD)[:_CHECK_CLIP_LENGTH]
    return clip


@functools.lru_cache(maxsize=8)
def _file_sha256(path, size, mtime_ns):
    """`file_sha256(path)`, read once per process for a file's size and time
    (the key is computed to check the cache, then to load from it)."""
    from keras_i3d.weights.hashing import file_sha256

    return file_sha256(path)


def _installed_version(*distributions):
    """The version of the first of `distributions` installed, or None."""
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _require(modules, purpose):
    missing = missing_modules(modules)
    if missing:
        raise OnnxRuntimeUnavailableError(
            f"To {purpose}, keras-i3d needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Reinstall keras-i3d "
            "(they are among its dependencies) or run it on TensorFlow."
        )
