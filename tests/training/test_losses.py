import keras
import numpy as np
import pytest

from keras_i3d.training.losses import SparseCategoricalCrossentropy

LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], np.float32)
LABELS = np.array([0, 1])


def test_without_smoothing_it_is_sparse_cross_entropy():
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(
        float(SparseCategoricalCrossentropy()(LABELS, LOGITS)),
        float(expected(LABELS, LOGITS)),
        rtol=1e-6,
    )


def test_smoothing_matches_the_formula():
    smoothing = 0.2
    loss = SparseCategoricalCrossentropy(label_smoothing=smoothing, reduction=None)(LABELS, LOGITS)
    log_p = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    targets = np.full((2, 3), smoothing / 3)
    targets[[0, 1], LABELS] += 1 - smoothing
    np.testing.assert_allclose(np.asarray(loss), -(targets * log_p).sum(axis=1), rtol=1e-5)


def test_config_round_trip_and_bad_value():
    loss = SparseCategoricalCrossentropy(label_smoothing=0.1)
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, SparseCategoricalCrossentropy)
    assert restored.label_smoothing == 0.1
    with pytest.raises(ValueError, match="label_smoothing"):
        SparseCategoricalCrossentropy(label_smoothing=1.0)
