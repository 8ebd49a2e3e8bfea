"""Writing an export, running it back, and checking it against Keras.

- `savedmodel`: written by `model.export(format="tf_saved_model")`, run back
  with `tf.saved_model.load`; input `(None, None, H, W, C)`.
- `onnx`: written by `model.export(format="onnx")` (tf2onnx), run back with
  ONNX Runtime on the CPU; input `(None, None, H, W, C)`.
- `tflite`: written by `model.export(format="litert")` with builtin ops only,
  run back with the `ai_edge_litert` Interpreter; input
  `(1, clip_length, H, W, C)`.

The LiteRT export computes the 3D pools as 2D pools (`pools.py`), since
LiteRT has no builtin 3D pools and its interpreters run no Flex ops.
"""

import dataclasses
import os
import pathlib

import numpy as np

from keras_i3d.atomic_files import atomic_output
from keras_i3d.export.choices import PARITY_TOLERANCE
from keras_i3d.export.choices import check_path
from keras_i3d.export.dependencies import check_dependencies
from keras_i3d.export.serving import INPUT_NAME
from keras_i3d.export.serving import OUTPUT_NAMES
from keras_i3d.export.serving import ServingModel
from keras_i3d.export.serving import logits_model
from keras_i3d.export.serving import serving_input_spec
from keras_i3d.export.serving import stream_of
from keras_i3d.preprocessing import preprocess_input


class ExportError(RuntimeError):
    """An export could not be written or run back."""


class ExportParityError(ExportError):
    """An export ran, but its logits differ from the Keras model's.

    Attributes:
        report: the `ExportReport` with the numbers.
    """

    def __init__(self, report):
        super().__init__(
            f"{report.format} export: max |logit difference| "
            f"{report.max_abs_logits_diff:.3g} to the Keras model exceeds "
            f"{report.tolerance:g}; nothing was written to {report.path}"
        )
        self.report = report


@dataclasses.dataclass(frozen=True)
class ExportReport:
    """What was written and how closely it matches the Keras model.

    Attributes:
        format: `"savedmodel"`, `"onnx"` or `"tflite"`.
        path: where the export is.
        size_bytes: its size on disk (a folder's files summed).
        input_shape: the export's input shape, None where dynamic.
        input_dtype: the export's input dtype.
        check_shape: the shape of the clip it was checked on.
        max_abs_logits_diff: the largest |logit difference| to Keras.
        max_abs_probabilities_diff: the same for the probabilities.
        keras_top1: the Keras model's top class on the check clip.
        export_top1: the export's top class.
        tolerance: the largest logit difference allowed.
        graph: `"fused"` (an I3D's fused graph was exported) or
            `"reference"` (the model's own graph).
    """

    format: str
    path: str
    size_bytes: int
    input_shape: tuple
    input_dtype: str
    check_shape: tuple
    max_abs_logits_diff: float
    max_abs_probabilities_diff: float
    keras_top1: int
    export_top1: int
    tolerance: float = PARITY_TOLERANCE
    graph: str = "reference"

    @property
    def passed(self):
        return self.max_abs_logits_diff <= self.tolerance and self.keras_top1 == self.export_top1

    def format_lines(self):
        """The report as the lines `keras-i3d export` prints."""
        shape = ", ".join("None" if s is None else str(s) for s in self.input_shape)
        verdict = "ok" if self.passed else "FAILED"
        return [
            f"{self.format}: {self.path} ({_format_size(self.size_bytes)}, {self.graph} graph)",
            (
                f"  input '{INPUT_NAME}': {self.input_dtype} ({shape}); "
                f"outputs {', '.join(OUTPUT_NAMES)}"
            ),
            (
                f"  parity with the Keras reference graph on a real clip {self.check_shape}: "
                "max |logit diff| "
                f"{self.max_abs_logits_diff:.2e}, max |probability diff| "
                f"{self.max_abs_probabilities_diff:.2e} (tolerance "
                f"{self.tolerance:g}); top-1 class {self.export_top1} "
                f"(Keras {self.keras_top1}): {verdict}"
            ),
        ]


def _format_size(size_bytes):
    if size_bytes >= 1e6:
        return f"{size_bytes / 1e6:.1f} MB"
    return f"{size_bytes / 1e3:.1f} kB"


def _size_bytes(path):
    path = pathlib.Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _write_savedmodel(serving, path, spec):
    serving.export(str(path), format="tf_saved_model", input_signature=[spec], verbose=False)


def _run_savedmodel(path, frames):
    import tensorflow as tf

    endpoint = tf.saved_model.load(str(path)).signatures["serve"]
    spec = endpoint.structured_input_signature[1][INPUT_NAME]
    outputs = endpoint(**{INPUT_NAME: tf.constant(frames)})
    return (
        {name: outputs[name].numpy() for name in OUTPUT_NAMES},
        tuple(spec.shape),
        spec.dtype.name,
    )


def _write_onnx(serving, path, spec):
    import warnings

    import onnx

    with warnings.catch_warnings():
        # Keras's tf2onnx patch probes `np.object`, which numpy 2 warns about.
        warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
        serving.export(str(path), format="onnx", input_signature=[spec], verbose=False)
    # tf2onnx names the outputs after graph tensors ("Identity:0"); the
    # function returns a dict, flattened in sorted-key order.
    graph = onnx.load(str(path))
    renames = dict(zip((o.name for o in graph.graph.output), OUTPUT_NAMES))
    for node in graph.graph.node:
        node.output[:] = [renames.get(name, name) for name in node.output]
    for output in graph.graph.output:
        output.name = renames[output.name]
    onnx.save(graph, str(path))


def _run_onnx(path, frames):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (model_input,) = session.get_inputs()
    values = session.run(list(OUTPUT_NAMES), {model_input.name: frames})
    shape = tuple(s if isinstance(s, int) else None for s in model_input.shape)
    dtype = model_input.type.removeprefix("tensor(").removesuffix(")")
    dtype = {"float": "float32", "double": "float64"}.get(dtype, dtype)
    return dict(zip(OUTPUT_NAMES, values)), shape, dtype


def _write_tflite(serving, path, spec):
    import tensorflow as tf

    try:
        serving.export(
            str(path),
            format="litert",
            input_signature=[spec],
            verbose=False,
            target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]},
        )
    except Exception as error:  # The converter raises several types.
        raise ExportError(
            "LiteRT conversion with builtin ops only failed (an op without "
            f"a LiteRT builtin?): {str(error).strip().splitlines()[-1]}"
        ) from error


def _run_tflite(path, frames):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    (details,) = interpreter.get_input_details()
    (signature,) = interpreter.get_signature_list()
    outputs = interpreter.get_signature_runner(signature)(**{INPUT_NAME: frames})
    shape = tuple(None if s < 0 else int(s) for s in details["shape_signature"])
    return (
        {name: np.asarray(outputs[name]) for name in OUTPUT_NAMES},
        shape,
        np.dtype(details["dtype"]).name,
    )


_WRITERS = {"savedmodel": _write_savedmodel, "onnx": _write_onnx, "tflite": _write_tflite}
_RUNNERS = {"savedmodel": _run_savedmodel, "onnx": _run_onnx, "tflite": _run_tflite}


def export_model(model, path, export_format, check_clip, overwrite=False, fused=True):
    """Exports a classifier with its preprocessing, and checks the export.

    The export takes raw frames (uint8 RGB in `[0, 255]`, or float32 flow
    in pixels), preprocesses them as `keras_i3d.preprocess_input` does and
    returns `{"logits", "probabilities"}` (see `serving.py`). After writing,
    it is loaded back (TensorFlow, ONNX Runtime or the LiteRT interpreter)
    and run on `check_clip`; its logits must be within `PARITY_TOLERANCE`
    of the Keras model's, with the same top class. An I3D is exported as
    its fused float32 graph (`keras_i3d.models.fused.inference_model`), and
    checked against the reference graph it was given. The export is written
    under a temporary name beside `path` and moved there only if it passes.

    Args:
        model: a one-stream keras-i3d classifier (`I3D(...)`, a fine-tuned
            `.keras` model); its output up to the `Logits` layer is used.
        path: a folder for `"savedmodel"`, a `.onnx` or `.tflite` file.
        export_format: `"savedmodel"`, `"onnx"` or `"tflite"`.
        check_clip: the clip to check on, `(frames, H, W, channels)`
            unscaled (see `check_clip.load_check_clip`). For `"tflite"` its
            length becomes the export's fixed clip length.
        overwrite: whether to replace an existing `path`.
        fused: export an I3D's fused graph (batch norm folded: fewer,
            larger ops); False, or a model that is not an I3D with I3D's
            head, exports the graph as it is.

    Returns:
        An `ExportReport`.

    Raises:
        ExportParityError: the export's logits differ from Keras's by more
            than `PARITY_TOLERANCE` (nothing is left at `path`).
        ExportError: the export could not be written.
        MissingExportDependencyError: the format's packages are not
            installed (LiteRT's: `pip install "keras-i3d[export]"`).
        FileExistsError: `path` exists and `overwrite` is False.
        ValueError: an unknown format, a path without the format's suffix,
            or a model that is not a one-stream classifier.

    Example:

    >>> clip = load_check_clip("rgb", clip_length=16)  # doctest: +SKIP
    >>> report = export_model(I3D(), "i3d.onnx", "onnx", clip)  # doctest: +SKIP
    >>> report.passed  # doctest: +SKIP
    True
    """
    import keras

    check_path(path, export_format)
    if keras.backend.backend() != "tensorflow":
        raise ExportError(
            "keras-i3d exports through TensorFlow; run with "
            "KERAS_BACKEND=tensorflow. Received: backend "
            f"{keras.backend.backend()!r}"
        )
    check_dependencies(export_format)
    classifier = logits_model(model)
    stream = stream_of(classifier)
    frames = np.asarray(check_clip)[None]
    frames = frames.astype(serving_input_spec(classifier, stream).dtype.name)
    expected_logits = keras.ops.convert_to_numpy(
        classifier(preprocess_input(frames, stream=stream), training=False)
    ).astype(np.float32)
    graph = "reference"
    if fused:
        from keras_i3d.models.fused import NotAnI3DError
        from keras_i3d.models.fused import inference_model

        try:
            classifier = inference_model(classifier)
            graph = "fused"
        except NotAnI3DError:
            pass  # Not an I3D with I3D's head: exported as it is.
    if export_format == "tflite":
        from keras_i3d.export.pools import rewrite_3d_pools

        classifier = rewrite_3d_pools(classifier)
        spec = serving_input_spec(classifier, stream, batch_size=1, clip_length=frames.shape[1])
    else:
        spec = serving_input_spec(classifier, stream)
    serving = ServingModel(classifier, stream, name=f"{model.name}_serving")
    serving(frames)  # Builds it; Keras exports built models only.
    with atomic_output(
        path, folder=export_format == "savedmodel", overwrite=overwrite
    ) as temporary:
        _WRITERS[export_format](serving, temporary, spec)
        outputs, input_shape, input_dtype = _RUNNERS[export_format](temporary, frames)
        report = ExportReport(
            format=export_format,
            path=os.fspath(path),
            size_bytes=_size_bytes(temporary),
            input_shape=input_shape,
            input_dtype=input_dtype,
            check_shape=tuple(frames.shape),
            max_abs_logits_diff=float(np.max(np.abs(outputs["logits"] - expected_logits))),
            max_abs_probabilities_diff=float(
                np.max(
                    np.abs(
                        outputs["probabilities"]
                        - keras.ops.convert_to_numpy(keras.ops.softmax(expected_logits, axis=-1))
                    )
                )
            ),
            keras_top1=int(np.argmax(expected_logits[0])),
            export_top1=int(np.argmax(outputs["logits"][0])),
            graph=graph,
        )
        if not report.passed:
            raise ExportParityError(report)
    return report
