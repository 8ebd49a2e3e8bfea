"""A training process the multi-worker and fault-tolerance tests start.

`python -m tests.training.worker_script OUTPUT [--steps N] [--checkpoint-dir
DIR] [--checkpoint-every N] [--strategy default|multi_worker]
[--dropout RATE] [--step-delay SECONDS]`

Trains the small I3D on the synthetic motion dataset with deterministic
ops and writes the final weights to OUTPUT (`.npz`). With
`--step-delay` it sleeps after each step, so that a test can kill it in the
middle of an epoch; it prints `STEP <n>` after every step.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--steps-per-epoch", type=int, default=3)
    parser.add_argument("--global-batch", type=int, default=4)
    parser.add_argument("--checkpoint-dir")
    parser.add_argument("--checkpoint-every", type=int)
    parser.add_argument("--strategy", default="default")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--step-delay", type=float, default=0.0)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(1234)

    from keras_i3d.data.synthetic_motion import motion_dataset
    from keras_i3d.training import CustomLoopTrainer
    from keras_i3d.training import make_strategy
    from tests.training.small_model import small_i3d

    strategy = make_strategy(args.strategy)
    with strategy.scope():
        model = small_i3d(
            classes=4,
            clip_length=8,
            size=32,
            frozen_batch_norm=True,
            dropout_rate=args.dropout,
        )
        optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
    count = args.global_batch * args.steps_per_epoch

    def epoch_data(epoch):
        return motion_dataset(count, args.global_batch, seed=7, shuffle_seed=epoch)

    class PrintSteps(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("STEP", trainer.global_step, flush=True)
            time.sleep(args.step_delay)

    trainer = CustomLoopTrainer(
        model,
        optimizer,
        strategy,
        checkpoint_dir=args.checkpoint_dir,
        checkpoint_every=args.checkpoint_every,
    )
    restored = trainer.restore()
    print("RESTORED", restored, flush=True)
    history = trainer.fit(
        epoch_data,
        args.epochs,
        args.steps_per_epoch,
        callbacks=[PrintSteps()],
    )
    np.savez(
        args.output,
        *[keras.ops.convert_to_numpy(v.value) for v in model.variables],
        loss=np.array(history.get("loss", []), dtype=np.float64),
    )
    print("DONE", trainer.global_step, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
