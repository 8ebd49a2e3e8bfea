"""Checks a converted model against its source model's golden logits."""

import dataclasses
import json
from importlib import resources

import numpy as np


def golden_clip(shape):
    """A deterministic clip in `[-1, 1]` for golden-output checks.

    The values come from a fixed arithmetic sequence (no random generator,
    whose streams may change between numpy versions), so every machine
    builds the same clip.

    Args:
        shape: the clip's shape, e.g. `(1, 16, 224, 224, 3)`.

    Returns:
        A float32 array of that shape.
    """
    size = int(np.prod(shape))
    golden_ratio = 0.6180339887498949
    values = (np.arange(size, dtype=np.float64) * golden_ratio) % 1.0
    return (values * 2.0 - 1.0).astype(np.float32).reshape(shape)


def load_golden_logits(record):
    """Returns the source model's logits on `golden_clip(record.golden...)`."""
    text = (
        resources.files("keras_i3d.weights")
        .joinpath("golden", record.golden.file)
        .read_text(encoding="utf-8")
    )
    payload = json.loads(text)
    if tuple(payload["clip_shape"]) != tuple(record.golden.clip_shape):
        raise RuntimeError(
            f"The golden file {record.golden.file} was made for a clip of "
            f"shape {payload['clip_shape']}, the record says "
            f"{record.golden.clip_shape}: the installation is damaged."
        )
    return np.asarray(payload["logits"], dtype=np.float32)


@dataclasses.dataclass(frozen=True)
class LogitsComparison:
    """How two sets of logits differ."""

    max_abs_difference: float
    same_top5: bool
    tolerance: float

    @property
    def ok(self):
        return self.max_abs_difference <= self.tolerance and self.same_top5

    def __str__(self):
        verdict = "OK" if self.ok else "MISMATCH"
        return (
            f"{verdict}: max |logit difference| = "
            f"{self.max_abs_difference:.3g} (tolerance {self.tolerance:g}), "
            f"top-5 {'identical' if self.same_top5 else 'DIFFERENT'}"
        )


def compare_logits(actual, expected, tolerance):
    """Compares two `(batch, classes)` logits arrays."""
    actual = np.asarray(actual, dtype=np.float32)
    expected = np.asarray(expected, dtype=np.float32)
    if actual.shape != expected.shape:
        raise ValueError(
            f"Logits of shape {actual.shape} cannot be compared with "
            f"logits of shape {expected.shape}."
        )
    top5 = lambda x: np.argsort(-x, axis=-1, kind="stable")[:, :5]  # noqa
    return LogitsComparison(
        max_abs_difference=float(np.max(np.abs(actual - expected))),
        same_top5=bool(np.array_equal(top5(actual), top5(expected))),
        tolerance=float(tolerance),
    )


def verify_against_golden(logits_model, record):
    """Runs `logits_model` on the record's golden clip and compares.

    Args:
        logits_model: a model returning logits (no softmax).
        record: the `WeightsRecord` whose golden logits to use.

    Returns:
        A `LogitsComparison`.
    """
    clip = golden_clip(record.golden.clip_shape)
    logits = np.asarray(logits_model.predict(clip, verbose=0))
    return compare_logits(logits, load_golden_logits(record), record.golden.tolerance)
