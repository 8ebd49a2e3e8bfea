"""Training throughput of I3D-RGB: clips/s in float32 vs mixed precision.

```
python benchmarks/train_throughput.py                 # GPU: 64x224x224
python benchmarks/train_throughput.py --clip-length 16 --crop-size 112 --batch 2 \
    --steps 3 --precisions float32 mixed_bfloat16     # reduced, on CPU
```

Each precision trains the full I3D-RGB (random weights, 400 classes) with
the recipe's SGD step under `tf.function` on random clips: `--warmup`
steps are excluded (tracing, autotuning), then `--steps` are timed. With
`--batch 0` the batch is the largest power of two that fits (halved from
`--max-batch` on out-of-memory errors), found for float32 and used for
every precision so that the comparison is at the same batch. The table
gives clips/s and the ratio to the first precision listed (the baseline,
float32 by default). The default precisions are float32 and the mixed
policy of the device (`mixed_float16` on GPU, `mixed_bfloat16` on CPU).
Frames below 9 or sizes below 193 are raised to I3D's minimum for logits.
"""

import argparse
import gc
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip-length", type=int, default=64)
    parser.add_argument("--crop-size", type=int, default=224)
    parser.add_argument(
        "--batch", type=int, default=0, help="Clips per step; 0 finds the largest that fits."
    )
    parser.add_argument("--max-batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--precisions",
        nargs="+",
        help="Policies to compare; the first is the "
        "baseline (default: float32 and the device's mixed "
        "policy).",
    )
    return parser.parse_args(argv)


def build_step(precision, frames, size):
    import keras
    import tensorflow as tf

    from keras_i3d import I3D
    from keras_i3d.training import SparseCategoricalCrossentropy
    from keras_i3d.training.precision import with_loss_scaling

    keras.backend.clear_session()
    gc.collect()
    keras.mixed_precision.set_dtype_policy(precision)
    model = I3D(weights=None, input_shape=(frames, size, size, 3), classifier_activation=None)
    optimizer = with_loss_scaling(keras.optimizers.SGD(0.1, momentum=0.9))
    loss_fn = SparseCategoricalCrossentropy()

    @tf.function
    def step(clips, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(clips, training=True))
            scaled = optimizer.scale_loss(loss)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return loss

    return step


def time_steps(step, batch, frames, size, steps, warmup):
    import tensorflow as tf

    clips = tf.random.uniform((batch, frames, size, size, 3), -1, 1)
    labels = tf.random.uniform((batch,), 0, 400, dtype=tf.int32)
    for _ in range(warmup):
        float(step(clips, labels))
    start = time.perf_counter()
    for _ in range(steps):
        loss = step(clips, labels)
    float(loss)  # waits for the device
    return batch * steps / (time.perf_counter() - start)


def largest_batch(precision, frames, size, max_batch):
    import tensorflow as tf

    batch = max_batch
    while batch >= 1:
        try:
            step = build_step(precision, frames, size)
            time_steps(step, batch, frames, size, steps=1, warmup=1)
            return batch
        except (tf.errors.ResourceExhaustedError, tf.errors.InternalError) as error:
            print(f"batch {batch} does not fit ({type(error).__name__})", file=sys.stderr)
            batch //= 2
    raise SystemExit("Not even one clip fits in memory.")


def main(argv=None):
    args = parse_args(argv)
    import tensorflow as tf

    from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
    from keras_i3d.conventions import MIN_PIXELS_FOR_LOGITS
    from keras_i3d.training.precision import precision_for_device

    frames = max(args.clip_length, MIN_FRAMES_FOR_LOGITS)
    size = max(args.crop_size, MIN_PIXELS_FOR_LOGITS)
    precisions = args.precisions or ["float32", precision_for_device()]
    gpus = tf.config.list_physical_devices("GPU")
    device = (
        tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
        if gpus
        else f"CPU ({os.cpu_count()} cores)"
    )
    batch = args.batch or largest_batch(precisions[0], frames, size, args.max_batch)
    rows = []
    for precision in precisions:
        step = build_step(precision, frames, size)
        rows.append((precision, time_steps(step, batch, frames, size, args.steps, args.warmup)))
    print(
        f"I3D-RGB training, {frames}x{size}x{size} clips, batch {batch}, "
        f"{args.steps} timed steps, on {device}"
    )
    print(f"{'precision':<16}{'clips/s':>10}{'ratio':>8}")
    for precision, rate in rows:
        print(f"{precision:<16}{rate:>10.2f}{rate / rows[0][1]:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
