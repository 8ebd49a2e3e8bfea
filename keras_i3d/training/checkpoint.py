"""Atomic training-state checkpoints: every variable, the step, the epoch.

A training state is one `.npz` file holding the values of all the model's
variables (weights, batch-norm statistics and the dropout seed state), all
the optimizer's variables (momentum, iteration count, loss scale), the
global step and the epoch. It is written with
`keras_i3d.atomic_files.atomic_write` (a temporary file in the same folder,
flushed and `fsync`ed, renamed over its final name): a crash while saving
leaves at worst a stray temporary file, never a truncated state, and the
newest complete file is always the one restored.
"""

import json
import os
import re

import keras
import numpy as np

from keras_i3d.atomic_files import atomic_output
from keras_i3d.atomic_files import atomic_write

STATE_PREFIX = "state-"
STATE_SUFFIX = ".npz"
_STATE_NAME = re.compile(r"^state-(\d{9})\.npz$")


class CheckpointMismatchError(ValueError):
    """A training state does not fit the model or optimizer restoring it."""


def state_path(directory, step):
    """Returns the path of the training state saved at `step`."""
    return os.path.join(directory, f"{STATE_PREFIX}{int(step):09d}{STATE_SUFFIX}")


def list_states(directory):
    """Returns `[(step, path), ...]` of the complete states, oldest first."""
    if not os.path.isdir(directory):
        return []
    states = []
    for name in os.listdir(directory):
        match = _STATE_NAME.match(name)
        if match:
            states.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(states)


def latest_state(directory):
    """Returns the path of the newest complete state, or None."""
    states = list_states(directory)
    return states[-1][1] if states else None


def _values(variables):
    return [keras.ops.convert_to_numpy(v.value) for v in variables]


def save_training_state(directory, model, optimizer, step, epoch, keep=2):
    """Saves the training state atomically and prunes old states.

    Args:
        directory: the checkpoint folder.
        model: the Keras model.
        optimizer: its optimizer (built).
        step: the global step (number of optimizer updates done).
        epoch: the epoch the next step belongs to.
        keep: how many states to keep (newest first); at least 1.

    Returns:
        The path written.
    """
    arrays = {}
    for group, variables in (
        ("model", model.variables),
        ("optimizer", optimizer.variables),
    ):
        for index, value in enumerate(_values(variables)):
            arrays[f"{group}/{index:05d}"] = value
        arrays[f"{group}_paths"] = np.array(json.dumps([v.path for v in variables]))
    arrays["step"] = np.array(int(step), dtype=np.int64)
    arrays["epoch"] = np.array(int(epoch), dtype=np.int64)
    path = state_path(directory, step)
    atomic_write(path, lambda file: np.savez(file, **arrays))
    for _, old in list_states(directory)[: -max(1, int(keep))]:
        os.remove(old)
    return path


def restore_training_state(path, model, optimizer):
    """Assigns a saved training state to `model` and `optimizer`.

    Args:
        path: a file written by `save_training_state`.
        model: the model, built as when it was saved.
        optimizer: its optimizer; it is built on the model's trainable
            variables if it is not yet.

    Returns:
        `(step, epoch)` of the saved state.

    Raises:
        CheckpointMismatchError: if the file holds a different number of
            variables or different shapes than the model and optimizer.
    """
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    with np.load(path) as state:
        for group, variables in (
            ("model", model.variables),
            ("optimizer", optimizer.variables),
        ):
            saved_paths = json.loads(str(state[f"{group}_paths"]))
            if len(saved_paths) != len(variables):
                raise CheckpointMismatchError(
                    f"{path}: holds {len(saved_paths)} {group} variables, "
                    f"the {group} being restored has {len(variables)}. Was "
                    "it saved from a different model or optimizer?"
                )
            for index, variable in enumerate(variables):
                value = state[f"{group}/{index:05d}"]
                if tuple(value.shape) != tuple(variable.shape):
                    raise CheckpointMismatchError(
                        f"{path}: {group} variable {index} "
                        f"({saved_paths[index]}) has shape {value.shape}, "
                        f"the one being restored ({variable.path}) has "
                        f"{tuple(variable.shape)}."
                    )
                variable.assign(value)
        return int(state["step"]), int(state["epoch"])


def atomic_save_weights(model, path):
    """`model.save_weights(path)` through a temporary file and a rename.

    Args:
        model: the Keras model.
        path: the destination; must end in `.weights.h5`.
    """
    path = os.fspath(path)
    if not path.endswith(".weights.h5"):
        raise ValueError(f"A weights file name must end in `.weights.h5`. Received: {path}")
    with atomic_output(path) as temporary:
        model.save_weights(temporary, overwrite=True)
