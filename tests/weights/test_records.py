import re

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.labels import load_labels
from keras_i3d.weights import records
from keras_i3d.weights.verify import load_golden_logits


@pytest.mark.parametrize("name", records.list_weights())
def test_record_is_complete_and_true(name):
    record = records.get_record(name)
    assert record.name == name and record.filename.startswith(name)
    assert record.filename.endswith(".weights.h5")
    assert re.fullmatch(r"[0-9a-f]{64}", record.tensors_sha256)
    assert re.fullmatch(r"[0-9a-f]{64}", record.source.sha256)
    assert re.fullmatch(r"[0-9a-f]{64}", record.source.member_sha256)
    assert len(load_labels(record.label_set)) == record.classes
    assert record.metrics and all(m.source and m.protocol for m in record.metrics)
    assert 0 < record.max_abs_logit_difference <= record.golden.tolerance
    # Published records name a pinned revision and the file's hash; records
    # that are not published name neither (no invented repositories).
    if record.published:
        assert re.fullmatch(r"[0-9a-f]{40}", record.hub_revision)
        assert re.fullmatch(r"[0-9a-f]{64}", record.file_sha256)
    else:
        assert record.hub_revision is None and record.file_sha256 is None
    # Parameter counts, recomputed.
    model = I3D(stream=record.stream, weights=None, classes=record.classes)
    assert model.count_params() == record.parameter_count
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == record.trainable_parameter_count
    golden = load_golden_logits(record)
    assert golden.shape == (record.golden.clip_shape[0], record.classes)


def test_aliases_resolve_per_stream():
    assert records.resolve_alias("kinetics400", "rgb").stream == "rgb"
    with pytest.raises(ValueError, match="flow-stream"):
        records.resolve_alias("kinetics400", "flow")
    with pytest.raises(ValueError, match="rgb stream"):
        records.resolve_alias("i3d_rgb_kinetics400_tfhub", "flow")
    assert records.resolve_alias("no-such-thing", "rgb") is None
    with pytest.raises(ValueError, match="Unknown weights record"):
        records.get_record("no-such-thing")
