"""`CustomLoopTrainer`: a training step under `strategy.run`.

It is the path that works under `MultiWorkerMirroredStrategy` in Keras 3
(whose `model.fit` fails there, keras-team/keras#20585), and it also runs
on one device or under `MirroredStrategy`. It adds what `model.fit` lacks:
resuming in the middle of an epoch, from atomic checkpoints, to the exact
weights an uninterrupted run reaches.

One step, on every replica:

```
logits = model(clips, training=True)            # float32 logits
loss   = sum(per-example loss) / global batch   # tf.nn.compute_average_loss
grads  = d(loss * loss_scale) / d(weights)      # loss scale: float16 only
optimizer.apply_gradients(grads)                # all-reduced over replicas
```
"""

import math

import keras
import numpy as np

from keras_i3d.conventions import DEFAULT_TOP_K as TOP_K
from keras_i3d.training.checkpoint import latest_state
from keras_i3d.training.checkpoint import restore_training_state
from keras_i3d.training.checkpoint import save_training_state
from keras_i3d.training.distribute import is_chief
from keras_i3d.training.losses import SparseCategoricalCrossentropy
from keras_i3d.training.precision import with_loss_scaling


def _logits_for_loss(outputs):
    """The outputs that carry a loss: the tensor, or each `*_logits` entry."""
    if isinstance(outputs, dict):
        keys = sorted(k for k in outputs if k.endswith("_logits"))
        if not keys:
            raise ValueError(
                "A model with dict outputs needs `*_logits` outputs (such as "
                "TwoStreamI3D's rgb_logits and flow_logits) to train. "
                f"Received outputs: {sorted(outputs)}"
            )
        return [outputs[k] for k in keys]
    return [outputs]


def _scores_for_metrics(outputs):
    if isinstance(outputs, dict):
        if "predictions" in outputs:
            return outputs["predictions"]
        return sum(_logits_for_loss(outputs))
    return outputs


class CustomLoopTrainer:
    """Trains a classifier with a custom step under `strategy.run`.

    Create the model and the optimizer inside `strategy.scope()` and pass
    them here. The model returns logits (build it with
    `classifier_activation=None`), or a dict with `*_logits` outputs (a
    two-stream model: the per-stream losses are summed, which trains each
    stream with its own softmax loss as in the paper).

    Data: a `tf.data.Dataset` of `(clips, labels)` batches of the *global*
    batch size (it is split between all replicas of all workers), or a
    function `epoch -> Dataset`. For an exact resume in the middle of an
    epoch, epoch `e`'s batches must come out in the same order in a
    restarted process: use a function of the epoch that seeds its shuffle
    with it, or a dataset whose order does not change between iterations.

    Args:
        model: a Keras model, built in `strategy.scope()`.
        optimizer: a Keras optimizer, created in `strategy.scope()`; wrapped
            in a `LossScaleOptimizer` when the model computes in float16.
        strategy: the `tf.distribute.Strategy`; None for the current one.
        label_smoothing: label smoothing of the softmax cross-entropy.
        checkpoint_dir: folder of the atomic training states; None
            disables checkpointing and resuming. Under multi-worker training
            it must be on storage all workers read (the chief writes it).
        checkpoint_every: save every this many steps (and at the end of
            each epoch); None saves at epoch ends only.
        keep_checkpoints: how many states to keep.

    Example:

    ```python
    strategy = make_strategy("multi_worker")
    with strategy.scope():
        model = build_classifier(...)
        optimizer = make_optimizer(0.1)
    trainer = CustomLoopTrainer(model, optimizer, strategy,
                                checkpoint_dir="gs://bucket/run1/state")
    history = trainer.fit(train_ds, epochs=10, steps_per_epoch=1000,
                          validation_data=val_ds)
    ```
    """

    def __init__(
        self,
        model,
        optimizer,
        strategy=None,
        label_smoothing=0.0,
        checkpoint_dir=None,
        checkpoint_every=None,
        keep_checkpoints=2,
    ):
        import tensorflow as tf

        self.model = model
        self.strategy = strategy or tf.distribute.get_strategy()
        with self.strategy.scope():
            self.optimizer = with_loss_scaling(optimizer, model.dtype_policy)
            if not self.optimizer.built:
                self.optimizer.build(model.trainable_variables)
        self.loss = SparseCategoricalCrossentropy(
            label_smoothing=label_smoothing,
            from_logits=True,
            reduction=None,
        )
        self.checkpoint_dir = checkpoint_dir
        if checkpoint_every is not None and checkpoint_every < 1:
            raise ValueError(
                "`checkpoint_every` must be a positive int or None. "
                f"Received: checkpoint_every={checkpoint_every!r}"
            )
        self.checkpoint_every = checkpoint_every
        self.keep_checkpoints = keep_checkpoints
        self.global_step = 0
        self.is_chief = is_chief(self.strategy)
        self._train_function = None
        self._eval_function = None
        # `model.optimizer` lets Keras callbacks such as ReduceLROnPlateau
        # find the learning rate.
        self.model.optimizer = self.optimizer

    # Steps ------------------------------------------------------------------

    def _statistics(self, labels, outputs, per_example_loss):
        from keras import ops

        scores = ops.cast(_scores_for_metrics(outputs), "float32")
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        top1 = ops.cast(ops.equal(ops.argmax(scores, axis=-1), labels), "float32")
        k = min(TOP_K, scores.shape[-1])
        topk = ops.cast(ops.in_top_k(labels, scores, k), "float32")
        return {
            "loss": ops.sum(per_example_loss),
            "count": ops.cast(ops.shape(labels)[0], "float32"),
            "top1": ops.sum(top1),
            f"top{TOP_K}": ops.sum(topk),
        }

    def _per_example_loss(self, labels, outputs):
        return sum(self.loss(labels, logits) for logits in _logits_for_loss(outputs))

    def _make_train_function(self):
        import tensorflow as tf

        model, optimizer, strategy = self.model, self.optimizer, self.strategy

        def replica_step(clips, labels):
            with tf.GradientTape() as tape:
                outputs = model(clips, training=True)
                per_example = self._per_example_loss(labels, outputs)
                loss = tf.nn.compute_average_loss(per_example)
                if model.losses:
                    loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
                scaled_loss = optimizer.scale_loss(loss)
            variables = model.trainable_variables
            gradients = tape.gradient(scaled_loss, variables)
            optimizer.apply_gradients(zip(gradients, variables))
            return self._statistics(labels, outputs, per_example)

        @tf.function
        def train_function(batch):
            statistics = strategy.run(replica_step, args=batch)
            return {
                key: strategy.reduce("SUM", value, axis=None) for key, value in statistics.items()
            }

        return train_function

    def _make_eval_function(self):
        import tensorflow as tf

        model, strategy = self.model, self.strategy

        def replica_step(clips, labels):
            outputs = model(clips, training=False)
            per_example = self._per_example_loss(labels, outputs)
            return self._statistics(labels, outputs, per_example)

        @tf.function
        def eval_function(batch):
            statistics = strategy.run(replica_step, args=batch)
            return {
                key: strategy.reduce("SUM", value, axis=None) for key, value in statistics.items()
            }

        return eval_function

    # Data -------------------------------------------------------------------

    def _distribute(self, dataset):
        import tensorflow as tf

        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return self.strategy.experimental_distribute_dataset(dataset.with_options(options))

    # Checkpoints ------------------------------------------------------------

    def restore(self):
        """Restores the newest state of `checkpoint_dir`, if there is one.

        Returns:
            The restored global step, or 0 when there was nothing to restore.
        """
        if self.checkpoint_dir is None:
            return 0
        path = latest_state(self.checkpoint_dir)
        if path is None:
            return 0
        with self.strategy.scope():
            step, _ = restore_training_state(path, self.model, self.optimizer)
        self.global_step = step
        return step

    def save(self, epoch):
        """Saves the training state (on the chief only); returns the path."""
        if self.checkpoint_dir is None or not self.is_chief:
            return None
        return save_training_state(
            self.checkpoint_dir,
            self.model,
            self.optimizer,
            step=self.global_step,
            epoch=epoch,
            keep=self.keep_checkpoints,
        )

    # Loops ------------------------------------------------------------------

    @staticmethod
    def _finish(totals):
        count = max(totals.pop("count"), 1.0)
        return {key: value / count for key, value in totals.items()}

    @staticmethod
    def _accumulate(totals, statistics):
        for key, value in statistics.items():
            totals[key] = totals.get(key, 0.0) + float(value)

    def evaluate(self, dataset):
        """Returns `{"loss", "top1", "top5"}` averaged over `dataset`."""
        if self._eval_function is None:
            self._eval_function = self._make_eval_function()
        totals = {}
        for batch in self._distribute(dataset):
            self._accumulate(totals, self._eval_function(batch))
        if not totals:
            raise ValueError("The evaluation dataset yielded no batches.")
        return self._finish(totals)

    def fit(
        self,
        dataset,
        epochs,
        steps_per_epoch,
        validation_data=None,
        callbacks=None,
        progress=False,
    ):
        """Trains for `epochs` epochs of `steps_per_epoch` steps.

        If `checkpoint_dir` holds a state, training resumes from it: the
        finished steps of the interrupted epoch are skipped in that epoch's
        data.

        Args:
            dataset: a `tf.data.Dataset` of global batches, or a function
                `epoch -> Dataset`.
            epochs: the total number of epochs of the run.
            steps_per_epoch: optimizer steps per epoch.
            validation_data: optional dataset evaluated after each epoch
                (logs `val_loss`, `val_top1`, `val_top5`).
            callbacks: Keras callbacks driven at epoch and batch level
                (`CSVLogger`, `TensorBoard`, `ReduceLROnPlateau`,
                `TrainingCurves`, ...).
            progress: whether to show a tqdm progress bar per epoch (stderr).

        Returns:
            A dict of per-epoch lists (`loss`, `top1`, `top5`,
            `learning_rate` and the `val_` keys), for the epochs run in this
            call.
        """
        if not isinstance(steps_per_epoch, int) or steps_per_epoch < 1:
            raise ValueError(
                "`steps_per_epoch` must be a positive int. "
                f"Received: steps_per_epoch={steps_per_epoch!r}"
            )
        if self._train_function is None:
            self._train_function = self._make_train_function()
        self.restore()
        callback_list = keras.callbacks.CallbackList(callbacks or [], model=self.model)
        history = {}
        callback_list.on_train_begin()
        start_epoch = self.global_step // steps_per_epoch
        for epoch in range(start_epoch, epochs):
            done_in_epoch = self.global_step - epoch * steps_per_epoch
            epoch_data = dataset(epoch) if callable(dataset) else dataset
            epoch_data = epoch_data.skip(done_in_epoch).take(steps_per_epoch - done_in_epoch)
            callback_list.on_epoch_begin(epoch)
            totals = {}
            batches = self._distribute(epoch_data)
            if progress:
                from tqdm import tqdm

                batches = tqdm(
                    batches,
                    total=steps_per_epoch - done_in_epoch,
                    desc=f"epoch {epoch + 1}/{epochs}",
                    leave=False,
                )
            for batch_index, batch in enumerate(batches, start=done_in_epoch):
                callback_list.on_train_batch_begin(batch_index)
                statistics = self._train_function(batch)
                self._accumulate(totals, statistics)
                self.global_step += 1
                if not math.isfinite(float(statistics["loss"])):
                    raise FloatingPointError(
                        f"The training loss became {float(statistics['loss'])}"
                        f" at step {self.global_step}."
                    )
                callback_list.on_train_batch_end(batch_index)
                if (
                    self.checkpoint_every
                    and self.global_step % self.checkpoint_every == 0
                    and self.global_step % steps_per_epoch != 0
                ):
                    self.save(epoch)
            if not totals:
                raise ValueError(f"The training data of epoch {epoch} yielded no batches.")
            logs = self._finish(totals)
            if validation_data is not None:
                for key, value in self.evaluate(validation_data).items():
                    logs[f"val_{key}"] = value
            logs["learning_rate"] = float(np.asarray(self.optimizer.learning_rate))
            callback_list.on_epoch_end(epoch, logs)
            for key, value in logs.items():
                history.setdefault(key, []).append(value)
            self.save(epoch + 1)
        callback_list.on_train_end()
        return history
