import hashlib
from importlib import resources

import numpy as np
import pytest

from keras_i3d import decode_predictions
from keras_i3d import load_labels

# sha256 of deepmind/kinetics-i3d's data/label_map.txt and label_map_600.txt
# at commit 0667e889 (../shared/data/PROVENANCE.md lists the same).
DEEPMINDS_LABEL_MAPS = {
    "kinetics400": "e9f2806fe9109b851a80a74841244f6f8c9d10917fa0229cd82bab67f2f8e28f",
    "kinetics600": "8dfca4202520ea8291ce0242ef33b006d0a0772b409663c090a2876bc1978dcf",
}


def test_packaged_label_maps_are_deepminds_files():
    for name, sha256 in DEEPMINDS_LABEL_MAPS.items():
        packaged = resources.files("keras_i3d.labels").joinpath(f"{name}.txt").read_bytes()
        assert hashlib.sha256(packaged).hexdigest() == sha256


def test_label_sets():
    k400 = load_labels("kinetics400")
    assert len(k400) == 400 and k400[0] == "abseiling"
    assert k400[6] == "arm wrestling" and k400[227] == "playing cricket"
    assert len(load_labels("kinetics600")) == 600
    with pytest.raises(ValueError, match="Unknown label set"):
        load_labels("kinetics700")


def test_decode_predictions_ranks_per_sample():
    scores = np.zeros((2, 400), np.float32)
    scores[0, [6, 0, 227]] = [0.5, 0.3, 0.2]
    scores[1, 227] = 1.0
    decoded = decode_predictions(scores, top=3)
    assert [(i, label) for i, label, _ in decoded[0]] == [
        (6, "arm wrestling"),
        (0, "abseiling"),
        (227, "playing cricket"),
    ]
    assert [score for _, _, score in decoded[0]] == pytest.approx([0.5, 0.3, 0.2])
    assert decoded[1][0][1] == "playing cricket"
    assert len(decode_predictions(np.zeros((1, 600)), top=2)[0]) == 2


def test_decode_predictions_refuses_unknown_shapes():
    with pytest.raises(ValueError, match="batch of predictions"):
        decode_predictions(np.zeros(400))
    with pytest.raises(ValueError, match="No packaged label set has 7"):
        decode_predictions(np.zeros((1, 7)))
    with pytest.raises(ValueError, match="has 400 classes"):
        decode_predictions(np.zeros((1, 600)), label_set="kinetics400")


def test_softmax_is_stable_and_sums_to_one_on_the_class_axis():
    from keras_i3d.labels import softmax

    logits = np.array([[1000.0, 1000.0 + np.log(3.0)], [0.0, 0.0]])
    probabilities = softmax(logits)
    assert probabilities.dtype == np.float64
    np.testing.assert_allclose(probabilities, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(softmax(logits.T, axis=0), probabilities.T)
