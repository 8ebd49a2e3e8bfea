"""The export formats and limits, importable without Keras (for the CLI)."""

import os

FORMATS = ("savedmodel", "onnx", "tflite")
# A SavedModel is a folder; the other two are files with these suffixes.
FORMAT_SUFFIXES = {"savedmodel": "", "onnx": ".onnx", "tflite": ".tflite"}
# The largest |logit difference| an export may show against its Keras model.
PARITY_TOLERANCE = 1e-4
# Frames of the clip an export is checked on (and a LiteRT export's length).
DEFAULT_CLIP_LENGTH = 16


def check_format(export_format):
    """Returns `export_format` if it is one of `FORMATS`, else ValueError."""
    if export_format not in FORMATS:
        raise ValueError(
            f"`export_format` must be one of {FORMATS}. Received: export_format={export_format!r}"
        )
    return export_format


def check_path(path, export_format):
    """Raises ValueError if `path` lacks the suffix the format needs."""
    suffix = FORMAT_SUFFIXES[check_format(export_format)]
    if suffix and not os.fspath(path).endswith(suffix):
        raise ValueError(
            f"A {export_format} export is a file ending in {suffix}. "
            f"Received: path={os.fspath(path)!r}"
        )
