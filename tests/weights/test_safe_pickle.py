import os
import pickle

import numpy as np
import pytest

from keras_i3d.weights.safe_pickle import UnsafePickleError
from keras_i3d.weights.safe_pickle import load_numpy_pickle


class _RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_loads_nested_dicts_of_arrays():
    tree = {
        "params": {"a/b": np.arange(6, dtype="float32").reshape(2, 3)},
        "stats": [np.float32(1.5), (1, "x")],
    }
    loaded = load_numpy_pickle(pickle.dumps(tree, protocol=4))
    np.testing.assert_array_equal(loaded["params"]["a/b"], tree["params"]["a/b"])
    assert loaded["stats"][1] == (1, "x")


def test_refuses_a_pickle_that_calls_os_system(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weights": _RunsACommand(marker)})
    path = tmp_path / "evil.ckpt"
    path.write_bytes(payload)
    with pytest.raises(UnsafePickleError, match=r"evil.ckpt.*(posix|os)\.system"):
        load_numpy_pickle(path)
    assert not marker.exists()


def test_refuses_other_numpy_callables():
    payload = pickle.dumps(np.load)  # a global outside the allow-list
    with pytest.raises(UnsafePickleError, match="numpy"):
        load_numpy_pickle(payload, source="x.pkl")


@pytest.mark.parametrize("data", [b"", b"not a pickle", pickle.dumps([1])[:-3]])
def test_garbage_is_a_clear_value_error(data):
    with pytest.raises(ValueError, match="not a readable pickle"):
        load_numpy_pickle(data, source="broken.ckpt")
