"""Train I3D on Kinetics (or any folder-per-class dataset) with the full recipe.

```
# one machine (all its GPUs), paper schedule, mixed precision per device:
python examples/train_kinetics.py --train-dir kinetics400/train \
    --val-dir kinetics400/val --output-dir runs/k400_rgb

# several machines: the same command on each, with TF_CONFIG set
# (see keras_i3d/training/distribute.py), --strategy multi_worker and an
# --output-dir on storage all workers share.
```

Recipe (DeepMind's kinetics-i3d README): SGD momentum 0.9, 6 clips per
replica, dropout 0.5, weight decay 1e-7, RGB learning rate 0.1 dropped to
0.01 at 97k and 0.001 at 108k of 115k steps (`--schedule paper_steps`
scales those to `--epochs x --steps-per-epoch`), 64-frame 224x224 random
crops with random flips. `--loop custom` (the default under
`multi_worker`, where Keras 3's `model.fit` fails, keras-team/keras#20585)
trains with `CustomLoopTrainer` and resumes mid-epoch after a crash;
`--loop fit` uses `model.fit` and resumes at epoch boundaries.

The input pipeline here streams videos from disk (decode, short side 256,
random 64-frame window and 224 crop); it is the place to plug in
`keras_i3d.data`'s pipelines.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-dir", required=True,
                        help="Training videos, one sub-folder per class.")
    parser.add_argument("--val-dir", help="Validation videos, same classes.")
    parser.add_argument("--output-dir", required=True,
                        help="Run folder (checkpoints, logs, curves).")
    parser.add_argument("--stream", default="rgb", choices=("rgb",),
                        help="Stream to train (flow needs the flow "
                        "pipeline).")
    parser.add_argument("--weights", default="none",
                        help="Initial weights: none (scratch), an ImageNet-"
                        "inflated weights file, or kinetics400.")
    parser.add_argument("--strategy", default="auto",
                        choices=("auto", "default", "mirrored",
                                 "multi_worker"))
    parser.add_argument("--loop", choices=("fit", "custom"),
                        help="Training loop; default: custom under "
                        "multi_worker, fit otherwise.")
    parser.add_argument("--precision", default="auto",
                        choices=("auto", "float32", "mixed_float16",
                                 "mixed_bfloat16"))
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--crop-size", type=int, default=224)
    parser.add_argument("--resize", type=int, default=256)
    parser.add_argument("--batch-per-replica", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=115)
    parser.add_argument("--steps-per-epoch", type=int, default=1000)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--schedule", default="paper_steps",
                        choices=("paper_steps", "plateau", "cosine",
                                 "constant"))
    parser.add_argument("--warmup-steps", type=int, default=0)
    parser.add_argument("--weight-decay", type=float, default=1e-7)
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--checkpoint-every", type=int, default=500,
                        help="Steps between mid-epoch states (custom loop).")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def video_dataset(entries, args, training, epoch=0):
    """Streams `(clip, label)` pairs decoded from `(path, label)` entries."""
    import numpy as np
    import tensorflow as tf

    from keras_i3d.cli.evaluate import read_video
    from keras_i3d.preprocessing import preprocess_rgb
    from keras_i3d.training.evaluation import spatial_crops
    from keras_i3d.training.evaluation import temporal_windows

    paths = [p for p, _ in entries]
    labels = np.array([l for _, l in entries], np.int32)
    shape = (args.frames, args.crop_size, args.crop_size, 3)

    def decode(path, label, draw):
        rng = np.random.default_rng(int(draw))
        try:
            video = read_video(path.decode(), args.resize)
        except ValueError as error:
            print(f"skipped: {error}", file=sys.stderr)
            return np.zeros(shape, np.float32), np.int32(-1)
        length, height, width = video.shape[:3]
        if training:
            start = rng.integers(0, max(length - args.frames, 0) + 1)
            window = (start + np.arange(args.frames)) % length
            row = rng.integers(0, height - args.crop_size + 1)
            column = rng.integers(0, width - args.crop_size + 1)
        else:
            window = temporal_windows(length, args.frames, 1)[0]
            row, column = spatial_crops(height, width, args.crop_size)[0]
        clip = video[window, row:row + args.crop_size,
                     column:column + args.crop_size]
        if training and rng.random() < 0.5:
            clip = clip[:, :, ::-1]
        return preprocess_rgb(clip), label

    draws = np.random.default_rng((args.seed, epoch)).integers(
        0, 2**31, len(paths))
    dataset = tf.data.Dataset.from_tensor_slices((paths, labels, draws))
    if training:
        dataset = dataset.shuffle(len(paths), seed=args.seed + epoch,
                                  reshuffle_each_iteration=False)

    def load(path, label, draw):
        clip, label = tf.numpy_function(decode, [path, label, draw],
                                        (tf.float32, tf.int32))
        clip.set_shape(shape)
        label.set_shape(())
        return clip, label

    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    # Videos that failed to decode (label -1) are dropped, and reported.
    return dataset.filter(lambda clip, label: label >= 0)


def main(argv=None):
    args = parse_args(argv)
    import keras

    from keras_i3d.cli.evaluate import list_video_folder
    from keras_i3d.training import CustomLoopTrainer
    from keras_i3d.training import TrainingConfig
    from keras_i3d.training import TrainingCurves
    from keras_i3d.training import build_classifier
    from keras_i3d.training import compile_model
    from keras_i3d.training import fit
    from keras_i3d.training import is_chief
    from keras_i3d.training import make_optimizer
    from keras_i3d.training import make_strategy
    from keras_i3d.training import set_precision
    from keras_i3d.training import step_drop_on_plateau

    keras.utils.set_random_seed(args.seed)
    strategy = make_strategy(args.strategy)
    loop = args.loop or (
        "custom" if "MultiWorker" in type(strategy).__name__ else "fit"
    )
    precision = set_precision(args.precision)
    class_names, train_entries = list_video_folder(args.train_dir)
    val_entries = list_video_folder(args.val_dir)[1] if args.val_dir else None
    global_batch = args.batch_per_replica * strategy.num_replicas_in_sync
    config = TrainingConfig(
        classes=len(class_names), stream=args.stream, frames=args.frames,
        crop_size=args.crop_size, epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        learning_rate=args.learning_rate, weight_decay=args.weight_decay,
        schedule=args.schedule, warmup_steps=args.warmup_steps,
        label_smoothing=args.label_smoothing,
    )
    weights = None if args.weights.lower() == "none" else args.weights
    print(f"{len(class_names)} classes, {len(train_entries)} videos, "
          f"{strategy.num_replicas_in_sync} replicas, global batch "
          f"{global_batch}, precision {precision}, loop {loop}")

    def train_data(epoch):
        return video_dataset(train_entries, args, True, epoch).repeat() \
            .batch(global_batch, drop_remainder=True).prefetch(2)

    val_data = None
    if val_entries:
        val_data = video_dataset(val_entries, args, False).batch(
            global_batch).prefetch(2)

    with strategy.scope():
        model = build_classifier(config, weights=weights)
        if loop == "fit":
            compile_model(model, config)
        else:
            optimizer = make_optimizer(config)
    if loop == "fit":
        fit(model, train_data(0), val_data, config, args.output_dir,
            verbose=2)
        return 0
    chief = is_chief(strategy)
    run_dir = args.output_dir if chief else os.path.join(
        args.output_dir, f"worker_{strategy.cluster_resolver.task_id}")
    callbacks = [
        keras.callbacks.CSVLogger(os.path.join(run_dir, "log.csv"),
                                  append=True),
        keras.callbacks.TensorBoard(os.path.join(run_dir, "tensorboard")),
        TrainingCurves(os.path.join(run_dir, "curves.png")),
    ]
    if config.schedule == "plateau":
        callbacks.append(step_drop_on_plateau(config.plateau_patience))
    trainer = CustomLoopTrainer(
        model, optimizer, strategy,
        label_smoothing=config.label_smoothing,
        checkpoint_dir=os.path.join(args.output_dir, "state"),
        checkpoint_every=args.checkpoint_every,
    )
    trainer.fit(train_data, config.epochs, config.steps_per_epoch,
                validation_data=val_data, callbacks=callbacks,
                progress=chief)
    if chief:
        model.save_weights(os.path.join(args.output_dir,
                                        "final.weights.h5"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
