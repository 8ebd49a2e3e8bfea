"""The training recipe of the paper, as code: model, optimizer, compile, fit.

DeepMind's values (kinetics-i3d README; Carreira & Zisserman 2017, sec. 3):
SGD with momentum 0.9, dropout 0.5 before the classifier, 6 clips per
replica, weight decay 1e-7, RGB learning rate 0.1 -> 0.01 at 97k ->
0.001 at 108k of 115k steps (64 GPUs); the paper drops the learning rate
by 10x when the validation loss saturates.

```python
from keras_i3d.training import TrainingConfig, build_classifier, fit

config = TrainingConfig(classes=101, epochs=20, steps_per_epoch=500)
model = build_classifier(config, weights="kinetics400")
history = fit(model, train_ds, val_ds, config, workdir="runs/ucf101")
```
"""

import dataclasses
import os
from typing import Optional
from typing import Union

import keras

from keras_i3d.conventions import DEFAULT_TOP_K as TOP_K
from keras_i3d.training.batch_norm import freeze_batch_norm
from keras_i3d.training.batch_norm import set_batch_norm_momentum
from keras_i3d.training.callbacks import BestWeightsCheckpoint
from keras_i3d.training.callbacks import ResumableCheckpoint
from keras_i3d.training.callbacks import TrainingCurves
from keras_i3d.training.losses import SparseCategoricalCrossentropy
from keras_i3d.training.precision import with_loss_scaling
from keras_i3d.training.schedules import cosine_schedule
from keras_i3d.training.schedules import paper_step_schedule
from keras_i3d.training.schedules import step_drop_on_plateau

SCHEDULES = ("plateau", "paper_steps", "cosine", "constant")


@dataclasses.dataclass
class TrainingConfig:
    """The knobs of a training run; the defaults are the paper's (RGB).

    Attributes:
        classes: number of classes.
        stream: `"rgb"`, `"flow"` or `"two_stream"`.
        clip_length: frames per clip (64 in the paper).
        crop_size: crop height and width (224).
        epochs: number of epochs.
        steps_per_epoch: optimizer steps per epoch.
        learning_rate: the initial learning rate (0.1 for RGB from scratch;
            fine-tuning from Kinetics wants ~0.01 or less).
        momentum: SGD momentum (0.9).
        weight_decay: decoupled weight decay (DeepMind: 1e-7), applied to
            convolution kernels only (not batch-norm offsets or biases).
        schedule: `"plateau"` (drop 10x when val loss saturates),
            `"paper_steps"` (drops at 97/115 and 108/115 of the run),
            `"cosine"` (with `warmup_steps`) or `"constant"`.
        plateau_patience: epochs without improvement before a drop.
        warmup_steps: linear warm-up of the cosine schedule.
        label_smoothing: label smoothing of the cross-entropy (0: none).
        dropout_rate: dropout before the classifier (0.5).
        freeze_batch_norm: run batch norm in inference mode (use the
            pretrained statistics); the documented fix for small batches.
        batch_norm_momentum: if set, the moving-average momentum of every
            batch norm (`compile_model` sets it). The checkpoints' 0.999
            needs thousands of steps before the moving statistics, used at
            validation, follow the training batches; short runs want ~0.9.
        clipnorm: clip each gradient to this L2 norm (None: no clipping).
        jit_compile: XLA for `model.fit` (`"auto"`, True or False); on
            CPUs XLA is usually slower for these models.
    """

    classes: int
    stream: str = "rgb"
    clip_length: int = 64
    crop_size: int = 224
    epochs: int = 10
    steps_per_epoch: int = 1000
    learning_rate: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-7
    schedule: str = "plateau"
    plateau_patience: int = 2
    warmup_steps: int = 0
    label_smoothing: float = 0.0
    dropout_rate: float = 0.5
    freeze_batch_norm: bool = False
    batch_norm_momentum: Optional[float] = None
    clipnorm: Optional[float] = None
    jit_compile: Union[str, bool] = "auto"

    def __post_init__(self):
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"`schedule` must be one of {SCHEDULES}. Received: schedule={self.schedule!r}"
            )
        if self.batch_norm_momentum is not None and not (0 <= self.batch_norm_momentum < 1):
            raise ValueError(
                "`batch_norm_momentum` must be in [0, 1). "
                f"Received: batch_norm_momentum={self.batch_norm_momentum}"
            )
        if self.clipnorm is not None and self.clipnorm <= 0:
            raise ValueError(f"`clipnorm` must be positive. Received: clipnorm={self.clipnorm}")
        if self.stream not in ("rgb", "flow", "two_stream"):
            raise ValueError(
                f"`stream` must be 'rgb', 'flow' or 'two_stream'. Received: stream={self.stream!r}"
            )

    @property
    def total_steps(self):
        return self.epochs * self.steps_per_epoch


def build_classifier(config, weights="kinetics400", input_shape=None):
    """Builds the I3D model of `config` for training (it returns logits).

    The model is `get_model` of `"i3d_rgb"`, `"i3d_flow"` or
    `"two_stream_i3d"` for `config.stream`. With pretrained weights and
    `config.classes != 400` the backbone is loaded and the head
    re-initialised for the new classes. If `config.freeze_batch_norm`,
    batch norm is frozen.

    Args:
        config: a `TrainingConfig`.
        weights: passed to `I3D` / `TwoStreamI3D` (None: random).
        input_shape: overrides `(clip_length, crop, crop, channels)` (for
            two-stream, the RGB shape or the pair `(rgb_shape,
            flow_shape)`); any size may be None.

    Returns:
        A `keras.Model` returning logits (a dict of logits for two-stream).
    """
    from keras_i3d.conventions import STREAM_CHANNELS
    from keras_i3d.models.registry import get_model

    if config.stream == "two_stream":
        name, channels = "two_stream_i3d", STREAM_CHANNELS["rgb"]
    else:
        name, channels = f"i3d_{config.stream}", STREAM_CHANNELS[config.stream]
    model = get_model(
        name,
        weights=weights,
        input_shape=input_shape
        or (config.clip_length, config.crop_size, config.crop_size, channels),
        classes=config.classes,
        classifier_activation=None,
        dropout_rate=config.dropout_rate,
    )
    if config.freeze_batch_norm:
        freeze_batch_norm(model)
    return model


def learning_rate_for(config):
    """Returns the learning rate (a float or a schedule) of `config`."""
    if config.schedule == "paper_steps":
        return paper_step_schedule(config.learning_rate, config.total_steps)
    if config.schedule == "cosine":
        return cosine_schedule(config.learning_rate, config.total_steps, config.warmup_steps)
    return config.learning_rate


def make_optimizer(config):
    """SGD with momentum and decoupled weight decay on conv kernels.

    Keras applies `weight_decay` as `w -= lr * weight_decay * w` each step,
    the gradient of an L2 penalty `weight_decay / 2 * |w|^2`.
    """
    optimizer = keras.optimizers.SGD(
        learning_rate=learning_rate_for(config),
        momentum=config.momentum,
        weight_decay=config.weight_decay or None,
        clipnorm=config.clipnorm,
    )
    if config.weight_decay:
        optimizer.exclude_from_weight_decay(var_names=["beta", "bias"])
    return optimizer


def _stream_targets(model):
    """Output names that take the labels, for dict-output models."""
    names = list(getattr(model, "output_names", None) or [])
    return names if len(names) > 1 else None


def prepare_dataset(dataset, model):
    """Maps a dataset of `(clips, label)` to the targets `model.fit` needs.

    Single-output models take the dataset as it is; a two-stream model gets
    the label repeated for each of its outputs.
    """
    names = _stream_targets(model)
    if names is None:
        return dataset
    return dataset.map(lambda clips, label: (clips, {n: label for n in names}))


def compile_model(model, config):
    """Compiles `model` with the recipe's optimizer, loss and metrics.

    The loss is the softmax cross-entropy on the logits (summed over the two
    streams of a two-stream model, which trains each stream with its own
    loss as in the paper); the metrics are top-1 and top-5 accuracy, named
    `top1` and `top5`. Under `mixed_float16` the optimizer gets loss
    scaling.

    Returns:
        The model.
    """
    k = min(TOP_K, config.classes)
    optimizer = with_loss_scaling(make_optimizer(config), model.dtype_policy)
    loss = SparseCategoricalCrossentropy(label_smoothing=config.label_smoothing, from_logits=True)

    def metrics():
        return [
            keras.metrics.SparseCategoricalAccuracy(name="top1"),
            keras.metrics.SparseTopKCategoricalAccuracy(k=k, name=f"top{TOP_K}"),
        ]

    if config.batch_norm_momentum is not None:
        set_batch_norm_momentum(model, config.batch_norm_momentum)
    names = _stream_targets(model)
    if names is None:
        model.compile(
            optimizer=optimizer, loss=loss, metrics=metrics(), jit_compile=config.jit_compile
        )
    else:
        model.compile(
            optimizer=optimizer,
            loss={n: loss for n in names if n.endswith("_logits")},
            metrics={"predictions": metrics()},
            jit_compile=config.jit_compile,
        )
    return model


def make_callbacks(config, workdir, tensorboard=True):
    """The recipe's callbacks, writing into `workdir`.

    * `state/`: resumable training state (atomic, per epoch);
    * `best.weights.h5`: the weights with the lowest validation loss;
    * `log.csv`, `tensorboard/`, `curves.png`;
    * the plateau learning-rate drop when `config.schedule == "plateau"`.
    """
    workdir = os.fspath(workdir)
    callbacks = [
        ResumableCheckpoint(os.path.join(workdir, "state")),
        BestWeightsCheckpoint(os.path.join(workdir, "best.weights.h5")),
        keras.callbacks.CSVLogger(os.path.join(workdir, "log.csv"), append=True),
        TrainingCurves(os.path.join(workdir, "curves.png")),
    ]
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(os.path.join(workdir, "tensorboard")))
    if config.schedule == "plateau":
        callbacks.append(step_drop_on_plateau(config.plateau_patience))
    return callbacks


def fit(model, train_data, validation_data, config, workdir, verbose=1, callbacks=()):
    """Compiles (if needed) and trains `model` with `model.fit`.

    For one device or `MirroredStrategy` (build the model in its scope).
    Multi-worker runs use `CustomLoopTrainer` instead.

    Args:
        model: from `build_classifier` (or any model returning logits).
        train_data: a `tf.data.Dataset` of `(clips, label)` batches; it is
            repeated, `config.steps_per_epoch` batches make an epoch.
        validation_data: a dataset of `(clips, label)` batches, or None.
        config: the `TrainingConfig`.
        workdir: the run's folder (checkpoints, logs, curves).
        verbose: Keras' progress display (0, 1 or 2).
        callbacks: extra Keras callbacks.

    Returns:
        The Keras `History`.
    """
    if getattr(model, "optimizer", None) is None:
        compile_model(model, config)
    train_data = prepare_dataset(train_data, model).repeat()
    if validation_data is not None:
        validation_data = prepare_dataset(validation_data, model)
    return model.fit(
        train_data,
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        validation_data=validation_data,
        callbacks=make_callbacks(config, workdir) + list(callbacks),
        verbose=verbose,
    )
