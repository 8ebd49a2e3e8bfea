"""Train I3D on Kinetics (or any folder-per-class dataset) with the full recipe.

```
# one machine (all its GPUs), paper schedule, mixed precision per device:
python examples/train_kinetics.py --train-dir kinetics400/train \
    --val-dir kinetics400/val --out runs/k400_rgb

# several machines: the same command on each, with TF_CONFIG set
# (see keras_i3d/training/distribute.py), --strategy multi_worker and an
# --out on storage all workers share.
```

Recipe (DeepMind's kinetics-i3d README): SGD momentum 0.9, 6 clips per
replica, dropout 0.5, weight decay 1e-7, RGB learning rate 0.1 dropped to
0.01 at 97k and 0.001 at 108k of 115k steps (`--schedule paper_steps`
scales those to `--epochs x --steps-per-epoch`), 64-frame 224x224 random
crops with random flips. `--loop custom` (the default under
`multi_worker`, where Keras 3's `model.fit` fails, keras-team/keras#20585)
trains with `CustomLoopTrainer` and resumes mid-epoch after a crash;
`--loop fit` uses `model.fit` and resumes at epoch boundaries.

`--architecture` trains one of the paper's baselines instead, through the
same pipelines and recipe, on its paper input view
(`keras_i3d.data.PAPER_INPUTS`): `convnet_lstm` (25 frames, every 5th),
`c3d` (16 frames, 112 px crops of 128 px frames), `two_stream_2d` (1 frame
+ 10 stacked flow frames) or `fused_two_stream_3d` (5 frames 10 apart +
their flow stacks). The flow of the last two comes from `--flow-dir`, the
output folder of `keras-i3d flow`. Validation during training uses the
central training view; `keras-i3d evaluate --model OUT/final.keras --view
ARCH` scores the trained model by the paper's test protocol.

Input: videos in one folder per class (or named by a Kinetics CSV with
`--train-csv`), streamed by `keras_i3d.data.video_dataset`, or TFRecord
shards of JPEG frames written by `keras-i3d make-tfrecords`
(`--train-tfrecords 'shards/train-*'`, much cheaper to decode at scale).
Unreadable videos are skipped and listed at the end.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ARCHITECTURES = ("i3d", "convnet_lstm", "c3d", "two_stream_2d", "fused_two_stream_3d")
# Baselines that take any number of time steps (their test views are
# longer than their training views).
VARIABLE_LENGTH = ("convnet_lstm", "two_stream_2d")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--train-dir",
        help="Training videos: one sub-folder per class, or the clips named in --train-csv.",
    )
    parser.add_argument("--val-dir", help="Validation videos, same layout.")
    parser.add_argument(
        "--train-csv",
        help="Kinetics annotation CSV "
        "(label,youtube_id,time_start,time_end,split) of "
        "the clips in --train-dir.",
    )
    parser.add_argument("--val-csv", help="Kinetics CSV of --val-dir.")
    parser.add_argument(
        "--train-tfrecords",
        help="Instead of videos: a glob of TFRecord shards from `keras-i3d make-tfrecords`.",
    )
    parser.add_argument("--val-tfrecords", help="Glob of validation shards.")
    parser.add_argument(
        "--labels",
        default="kinetics400",
        help="Label set, the class order of --train-csv (default kinetics400).",
    )
    parser.add_argument(
        "--classes",
        type=int,
        help="Number of classes of TFRecord shards (default: the size of --labels).",
    )
    parser.add_argument("--out", required=True, help="Run folder (checkpoints, logs, curves).")
    parser.add_argument(
        "--stream",
        default="rgb",
        choices=("rgb",),
        help="Stream to train (flow needs the flow pipeline).",
    )
    parser.add_argument(
        "--architecture",
        default="i3d",
        choices=ARCHITECTURES,
        help="I3D (default) or one of the paper's "
        "baselines, trained on its paper input view "
        "(--clip-length applies to I3D only).",
    )
    parser.add_argument(
        "--flow-dir",
        help="Flow folders, one per video named after the "
        "video file (`keras-i3d flow --out DIR`), for "
        "two_stream_2d and fused_two_stream_3d.",
    )
    parser.add_argument(
        "--weights",
        default="none",
        help="Initial weights: none (scratch), an ImageNet-inflated weights file, or kinetics400.",
    )
    parser.add_argument(
        "--strategy", default="auto", choices=("auto", "default", "mirrored", "multi_worker")
    )
    parser.add_argument(
        "--loop",
        choices=("fit", "custom"),
        help="Training loop; default: custom under multi_worker, fit otherwise.",
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=("auto", "float32", "mixed_float16", "mixed_bfloat16"),
    )
    parser.add_argument("--clip-length", type=int, default=64)
    parser.add_argument("--crop-size", type=int, help="Crop side (default 224; c3d: 112).")
    parser.add_argument(
        "--short-side", type=int, help="Short side before cropping (default 256; c3d: 128)."
    )
    parser.add_argument("--batch-per-replica", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=115)
    parser.add_argument("--steps-per-epoch", type=int, default=1000)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument(
        "--schedule",
        default="paper_steps",
        choices=("paper_steps", "plateau", "cosine", "constant"),
    )
    parser.add_argument("--warmup-steps", type=int, default=0)
    parser.add_argument("--weight-decay", type=float, default=1e-7)
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument("--clipnorm", type=float, help="Clip each gradient to this L2 norm.")
    parser.add_argument(
        "--batch-norm-momentum",
        type=float,
        help="Moving-average momentum of every batch norm "
        "(default: the model's, 0.999 for I3D); short runs "
        "want ~0.9.",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=500,
        help="Steps between mid-epoch states (custom loop).",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def input_view(args):
    """`(view, short_side, crop_size)`: what the architecture reads of a video.

    Raises:
        SystemExit: a flag combination the architecture cannot use.
    """
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.conventions import RESIZE_SHORT_SIDE
    from keras_i3d.data import InputView
    from keras_i3d.data import paper_input

    if args.architecture == "i3d":
        view = InputView.consecutive(args.stream, args.clip_length)
        short_side, crop_size = RESIZE_SHORT_SIDE, CROP_SIZE
    else:
        paper = paper_input(args.architecture)
        view, short_side, crop_size = (paper.train, paper.short_side, paper.crop_size)
    short_side = short_side if args.short_side is None else args.short_side
    crop_size = crop_size if args.crop_size is None else args.crop_size
    if view.flow_stack and not args.flow_dir:
        raise SystemExit(
            f"--architecture {args.architecture} reads flow: "
            "pass --flow-dir (the output of `keras-i3d flow`)."
        )
    if args.flow_dir and not view.flow_stack:
        raise SystemExit(f"--architecture {args.architecture} reads no flow; drop --flow-dir.")
    if view.flow_stack and args.train_tfrecords:
        raise SystemExit(
            f"TFRecord shards hold RGB only; train {args.architecture} from --train-dir videos."
        )
    return view, short_side, crop_size


def with_flow(samples, flow_dir):
    """The samples with the flow folders of `--flow-dir`, if given."""
    from keras_i3d.data import with_flow_folders

    return samples if flow_dir is None else with_flow_folders(samples, flow_dir)


def build_model(args, config, view, crop_size, weights):
    """The model to train; it returns logits."""
    from keras_i3d.models import get_model
    from keras_i3d.training import build_classifier

    if args.architecture == "i3d":
        return build_classifier(config, weights=weights)
    # The variable-length baselines are tested on longer views.
    shapes = view.input_shapes(crop_size, any_steps=args.architecture in VARIABLE_LENGTH)
    return get_model(
        args.architecture,
        input_shape=shapes,
        classes=config.classes,
        classifier_activation=None,
        weights=weights,
    )


def read_split(video_dir, csv_path, label_set):
    """`(class_names, samples)` of a folder per class or a Kinetics CSV."""
    from keras_i3d.data import read_class_folders
    from keras_i3d.data import read_kinetics_csv
    from keras_i3d.labels import load_labels

    if csv_path:
        return (
            list(load_labels(label_set)),
            read_kinetics_csv(csv_path, video_dir, label_set=label_set),
        )
    samples = read_class_folders(video_dir)
    # read_class_folders numbers the sub-folders in this order.
    class_names = sorted(
        name for name in os.listdir(video_dir) if os.path.isdir(os.path.join(video_dir, name))
    )
    return class_names, samples


def clip_dataset(source, args, training, epoch, skipped, view, short_side, crop_size):
    """Unbatched `(clip, label)`: random clips for training, central clips
    for validation, from videos (`keras_i3d.data.video_dataset`) or from
    TFRecord shards (`keras_i3d.data.tfrecord_dataset`, `source` a glob).

    The seed changes with `epoch`, so a resumed run draws the clips its
    epoch would have drawn.
    """
    from keras_i3d.data import tfrecord_dataset
    from keras_i3d.data import video_dataset

    options = dict(
        view=view,
        sampling="random" if training else "uniform",
        short_side=short_side,
        crop_size=crop_size,
        seed=args.seed + epoch,
        prefetch=False,
    )
    if isinstance(source, str):
        return tfrecord_dataset(source, **options)
    return video_dataset(source, skipped=skipped, **options)


def save_final_model(model, out):
    """Saves the trained model as `final.keras`, for `keras-i3d evaluate
    --model`."""
    path = os.path.join(out, "final.keras")
    model.save(path)
    print(f"saved {path}")


def report_skipped(skipped):
    if skipped:
        print(skipped.summary(), file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    import keras

    from keras_i3d.data import SkippedVideos
    from keras_i3d.labels import load_labels
    from keras_i3d.training import CustomLoopTrainer
    from keras_i3d.training import TrainingConfig
    from keras_i3d.training import TrainingCurves
    from keras_i3d.training import compile_model
    from keras_i3d.training import fit
    from keras_i3d.training import is_chief
    from keras_i3d.training import make_optimizer
    from keras_i3d.training import make_strategy
    from keras_i3d.training import set_batch_norm_momentum
    from keras_i3d.training import set_precision
    from keras_i3d.training import step_drop_on_plateau

    keras.utils.set_random_seed(args.seed)
    if bool(args.train_dir) == bool(args.train_tfrecords):
        raise SystemExit("Give --train-dir (videos) or --train-tfrecords.")
    view, short_side, crop_size = input_view(args)
    strategy = make_strategy(args.strategy)
    loop = args.loop or ("custom" if "MultiWorker" in type(strategy).__name__ else "fit")
    precision = set_precision(args.precision)
    if args.train_tfrecords:
        class_names = list(load_labels(args.labels))
        if args.classes:
            class_names = [f"class {i}" for i in range(args.classes)]
        train_source, val_source = args.train_tfrecords, args.val_tfrecords
        count = "TFRecord"
    else:
        class_names, train_source = read_split(args.train_dir, args.train_csv, args.labels)
        train_source = with_flow(train_source, args.flow_dir)
        val_source = (
            with_flow(read_split(args.val_dir, args.val_csv, args.labels)[1], args.flow_dir)
            if args.val_dir
            else None
        )
        count = len(train_source)
    global_batch = args.batch_per_replica * strategy.num_replicas_in_sync
    config = TrainingConfig(
        classes=len(class_names),
        stream=args.stream,
        clip_length=view.steps,
        crop_size=crop_size,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        learning_rate=args.learning_rate,
        weight_decay=args.weight_decay,
        schedule=args.schedule,
        warmup_steps=args.warmup_steps,
        label_smoothing=args.label_smoothing,
        clipnorm=args.clipnorm,
        batch_norm_momentum=args.batch_norm_momentum,
    )
    weights = None if args.weights.lower() == "none" else args.weights
    print(
        f"{args.architecture}: {view.describe()}, {crop_size}px; "
        f"{len(class_names)} classes, {count} videos, "
        f"{strategy.num_replicas_in_sync} replicas, global batch "
        f"{global_batch}, precision {precision}, loop {loop}"
    )
    skipped = SkippedVideos()

    def train_data(epoch):
        return (
            clip_dataset(train_source, args, True, epoch, skipped, view, short_side, crop_size)
            .repeat()
            .batch(global_batch, drop_remainder=True)
            .prefetch(2)
        )

    val_data = None
    if val_source:
        val_data = (
            clip_dataset(val_source, args, False, 0, skipped, view, short_side, crop_size)
            .batch(global_batch)
            .prefetch(2)
        )

    with strategy.scope():
        model = build_model(args, config, view, crop_size, weights)
        if config.batch_norm_momentum is not None:
            set_batch_norm_momentum(model, config.batch_norm_momentum)
        if loop == "fit":
            compile_model(model, config)
        else:
            optimizer = make_optimizer(config)
    if loop == "fit":
        fit(model, train_data(0), val_data, config, args.out, verbose=2)
        save_final_model(model, args.out)
        report_skipped(skipped)
        return 0
    chief = is_chief(strategy)
    run_dir = (
        args.out if chief else os.path.join(args.out, f"worker_{strategy.cluster_resolver.task_id}")
    )
    callbacks = [
        keras.callbacks.CSVLogger(os.path.join(run_dir, "log.csv"), append=True),
        keras.callbacks.TensorBoard(os.path.join(run_dir, "tensorboard")),
        TrainingCurves(os.path.join(run_dir, "curves.png")),
    ]
    if config.schedule == "plateau":
        callbacks.append(step_drop_on_plateau(config.plateau_patience))
    trainer = CustomLoopTrainer(
        model,
        optimizer,
        strategy,
        label_smoothing=config.label_smoothing,
        checkpoint_dir=os.path.join(args.out, "state"),
        checkpoint_every=args.checkpoint_every,
    )
    trainer.fit(
        train_data,
        config.epochs,
        config.steps_per_epoch,
        validation_data=val_data,
        callbacks=callbacks,
        progress=chief,
    )
    if chief:
        model.save_weights(os.path.join(args.out, "final.weights.h5"))
        save_final_model(model, args.out)
        report_skipped(skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
