"""Label maps shipped with the package, `decode_predictions` and `softmax`.

`kinetics400.txt` and `kinetics600.txt` are DeepMind's `label_map.txt` and
`label_map_600.txt` from `deepmind/kinetics-i3d` (Apache-2.0), copied byte for
byte: one class name a line, in the checkpoints' output order.
"""

import functools
from importlib import resources

import numpy as np

from keras_i3d.conventions import DEFAULT_TOP_K

LABEL_SETS = {"kinetics400": 400, "kinetics600": 600}


@functools.lru_cache(maxsize=None)
def load_labels(label_set="kinetics400"):
    """Returns the class names of a label set as a tuple of strings.

    Args:
        label_set: `"kinetics400"` or `"kinetics600"`.
    """
    if label_set not in LABEL_SETS:
        raise ValueError(
            f"Unknown label set. Expected one of {sorted(LABEL_SETS)}. "
            f"Received: label_set={label_set!r}"
        )
    text = resources.files(__name__).joinpath(f"{label_set}.txt").read_text(encoding="utf-8")
    labels = tuple(line for line in text.splitlines() if line)
    if len(labels) != LABEL_SETS[label_set]:
        raise RuntimeError(
            f"The packaged label map {label_set}.txt has {len(labels)} "
            f"names, expected {LABEL_SETS[label_set]}: the installation is "
            "damaged."
        )
    return labels


def label_set_for_classes(classes):
    """Returns the label set with `classes` names, or None if there is none."""
    for name, count in LABEL_SETS.items():
        if count == classes:
            return name
    return None


def softmax(logits, axis=-1):
    """Class probabilities of logits, in float64.

    The largest logit is subtracted first, so large logits do not overflow.

    Args:
        logits: an array of logits, classes on `axis`.
        axis: the class axis.

    Returns:
        A float64 numpy array of the same shape that sums to 1 on `axis`.

    Example:

    >>> softmax([0.0, np.log(3.0)]).round(2).tolist()
    [0.25, 0.75]
    """
    logits = np.asarray(logits, dtype=np.float64)
    exponentials = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return exponentials / exponentials.sum(axis=axis, keepdims=True)


def decode_predictions(preds, top=DEFAULT_TOP_K, label_set=None):
    """Decodes a batch of class scores into (index, label, score) tuples.

    Args:
        preds: array of shape `(batch, classes)`: probabilities or logits.
        top: how many of the best classes to return per sample.
        label_set: `"kinetics400"`, `"kinetics600"`, or None to choose by
            the number of classes.

    Returns:
        A list (one entry per sample) of lists of `(index, label, score)`
        tuples, best first.
    """
    preds = np.asarray(preds)
    if preds.ndim != 2:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions of shape "
            f"(batch, classes). Received: an array of shape {preds.shape}"
        )
    if label_set is None:
        label_set = label_set_for_classes(preds.shape[1])
        if label_set is None:
            raise ValueError(
                f"No packaged label set has {preds.shape[1]} classes (known: {LABEL_SETS})."
            )
    labels = load_labels(label_set)
    if preds.shape[1] != len(labels):
        raise ValueError(
            f"The label set {label_set!r} has {len(labels)} classes but the "
            f"predictions have {preds.shape[1]}."
        )
    top = int(min(top, preds.shape[1]))
    results = []
    for row in preds:
        best = np.argsort(-row, kind="stable")[:top]
        results.append([(int(i), labels[i], float(row[i])) for i in best])
    return results
