"""Keras callbacks of the training recipe: resumable state, best weights, curves."""

import os

import keras
import numpy as np

from keras_i3d.training.checkpoint import atomic_save_weights
from keras_i3d.training.checkpoint import latest_state
from keras_i3d.training.checkpoint import restore_training_state
from keras_i3d.training.checkpoint import save_training_state
from keras_i3d.training.plots import plot_training_curves


class ResumableCheckpoint(keras.callbacks.Callback):
    """`BackupAndRestore` for `model.fit`, with atomic, complete states.

    At the end of every epoch the whole training state (model variables,
    optimizer variables including momentum, the epoch) is written
    atomically (see `keras_i3d.training.checkpoint`). When `model.fit`
    starts and the folder holds a state, it is restored and training
    continues with the next epoch. Unlike Keras' `BackupAndRestore` (which
    saves weights only, in place), a crash while saving never corrupts the
    state being resumed from, and momentum is restored too. For resuming in
    the middle of an epoch, use `CustomLoopTrainer` with
    `checkpoint_every`.

    Args:
        directory: the folder of the states (one per run).
        keep: how many states to keep.
    """

    def __init__(self, directory, keep=2):
        super().__init__()
        self.directory = os.fspath(directory)
        self.keep = keep
        self.restored_epoch = None

    def on_train_begin(self, logs=None):
        path = latest_state(self.directory)
        if path is None:
            return
        _, epoch = restore_training_state(path, self.model, self.model.optimizer)
        self.restored_epoch = epoch
        # The attribute Keras' own BackupAndRestore sets to skip epochs.
        self.model._initial_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        save_training_state(
            self.directory,
            self.model,
            optimizer,
            step=int(keras.ops.convert_to_numpy(optimizer.iterations)),
            epoch=epoch + 1,
            keep=self.keep,
        )


class BestWeightsCheckpoint(keras.callbacks.Callback):
    """Saves the weights atomically whenever a monitored value improves.

    Args:
        path: the `.weights.h5` file to write.
        monitor: the log key to watch, e.g. `"val_loss"` or `"val_top1"`.
        mode: `"min"` or `"max"`.
    """

    def __init__(self, path, monitor="val_loss", mode="min"):
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"`mode` must be 'min' or 'max'. Received: mode={mode!r}")
        self.path = os.fspath(path)
        self.monitor = monitor
        self.mode = mode
        self.best = np.inf if mode == "min" else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        value = float(value)
        improved = value < self.best if self.mode == "min" else value > self.best
        if improved:
            self.best = value
            atomic_save_weights(self.model, self.path)


class TrainingCurves(keras.callbacks.Callback):
    """Redraws a PNG of the training curves at the end of every epoch.

    Args:
        path: the PNG file.
        title: the figure's title.
    """

    def __init__(self, path, title="Training curves"):
        super().__init__()
        self.path = os.fspath(path)
        self.title = title
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if key == "learning_rate":
                continue
            self.history.setdefault(key, []).append(float(value))
        plot_training_curves(self.history, self.path, title=self.title)
