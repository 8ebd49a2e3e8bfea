import os

import keras
import numpy as np
import pytest

from keras_i3d.training.checkpoint import CheckpointMismatchError
from keras_i3d.training.checkpoint import atomic_save_weights
from keras_i3d.training.checkpoint import atomic_write
from keras_i3d.training.checkpoint import latest_state
from keras_i3d.training.checkpoint import list_states
from keras_i3d.training.checkpoint import restore_training_state
from keras_i3d.training.checkpoint import save_training_state


def _model_and_optimizer(units=3, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(units),
            keras.layers.Dropout(0.5),
            keras.layers.BatchNormalization(),
        ]
    )
    optimizer = keras.optimizers.SGD(0.1, momentum=0.9)
    optimizer.build(model.trainable_variables)
    for variable in optimizer.variables[2:]:
        variable.assign(np.full(variable.shape, 0.25, variable.dtype))
    return model, optimizer


def _values(variables):
    return [np.array(v.numpy()) for v in variables]


def test_round_trip_restores_model_optimizer_step_epoch(tmp_path):
    model, optimizer = _model_and_optimizer(seed=0)
    path = save_training_state(tmp_path, model, optimizer, step=7, epoch=2)
    assert os.path.basename(path) == "state-000000007.npz"
    other, other_optimizer = _model_and_optimizer(seed=1)
    for variable in other_optimizer.variables[2:]:
        variable.assign(np.zeros(variable.shape, variable.dtype))
    assert restore_training_state(path, other, other_optimizer) == (7, 2)
    for a, b in zip(_values(model.variables), _values(other.variables)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_values(optimizer.variables), _values(other_optimizer.variables)):
        np.testing.assert_array_equal(a, b)


def test_old_states_are_pruned_and_the_newest_wins(tmp_path):
    model, optimizer = _model_and_optimizer()
    for step in (1, 2, 3, 4):
        save_training_state(tmp_path, model, optimizer, step, 0, keep=2)
    assert [step for step, _ in list_states(tmp_path)] == [3, 4]
    assert latest_state(tmp_path).endswith("state-000000004.npz")
    assert latest_state(tmp_path / "missing") is None


def test_a_crash_while_writing_leaves_the_previous_state(tmp_path):
    model, optimizer = _model_and_optimizer()
    save_training_state(tmp_path, model, optimizer, 1, 0)
    target = tmp_path / "state-000000002.npz"

    def crash(file):
        file.write(b"half a checkpoint")
        raise KeyboardInterrupt("killed while saving")

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, crash)
    assert not target.exists()
    assert sorted(os.listdir(tmp_path)) == ["state-000000001.npz"]
    # A temporary file left by a process killed with SIGKILL is ignored.
    (tmp_path / ".tmp-999-state-000000009.npz").write_bytes(b"partial")
    assert latest_state(tmp_path).endswith("state-000000001.npz")


def test_a_state_of_another_model_is_refused(tmp_path):
    model, optimizer = _model_and_optimizer(units=3)
    path = save_training_state(tmp_path, model, optimizer, 1, 0)
    other, other_optimizer = _model_and_optimizer(units=5)
    with pytest.raises(CheckpointMismatchError, match="state-000000001.npz"):
        restore_training_state(path, other, other_optimizer)
    assert issubclass(CheckpointMismatchError, ValueError)


def test_atomic_save_weights(tmp_path):
    model, _ = _model_and_optimizer()
    path = tmp_path / "best.weights.h5"
    atomic_save_weights(model, path)
    assert os.listdir(tmp_path) == ["best.weights.h5"]
    other, _ = _model_and_optimizer(seed=3)
    other.load_weights(path)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), other.layers[0].kernel.numpy())
    with pytest.raises(ValueError, match="weights.h5"):
        atomic_save_weights(model, tmp_path / "best.h5")
