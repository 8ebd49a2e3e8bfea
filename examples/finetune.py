"""Fine-tune Kinetics-400 I3D on a folder-per-class video dataset.

```
python examples/finetune.py DATA_DIR --out runs/my_dataset \
    [--weights kinetics400] [--clip-length 64] [--head-epochs 1] [--epochs 5]
    [--batch-size 6]
```

`DATA_DIR/<class name>/<video>` (UCF101/HMDB51 layout). The RGB I3D is
built with the pretrained backbone and a new head for the dataset's classes
(re-initialised by the weights loader), batch norm frozen (the small-batch
fix), and trained with the recipe of `keras_i3d.training` (SGD momentum
0.9, the paper's plateau drops, checkpoints, CSV/TensorBoard logs): first
`--head-epochs` with only the new head trainable (its logs in
`OUT/head/`), then `--epochs` of the whole network at a lower
learning rate. The validation accuracy is measured before training and
after every epoch, so the log shows what the first epoch gained. Try it
without a dataset (the run of docs/training.md, ~6 minutes on 2 CPU cores):

```
python examples/finetune.py /tmp/motion --make-synthetic 12 \
    --out runs/motion --clip-length 16 --short-side 224 --crop-size 224 \
    --batch-size 4 --steps-per-epoch 48 --dropout 0 --learning-rate 0.0005 \
    --epochs 2 --precision mixed_bfloat16
```

Clips are decoded from disk by `keras_i3d.data.video_dataset`, the
package's input pipeline: the training clip is a random window, random crop
and random flip, the validation clip the central window and centre crop.
Unreadable videos are skipped and listed at the end. The run folder gets
`finetune_curves.png`: loss and top-1 per epoch, with the validation values
before training at epoch 0.
"""

import argparse
import dataclasses
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="Folder with one sub-folder of videos per class.")
    parser.add_argument(
        "--out", required=True, help="Run folder: checkpoints, logs, curves, finetuned.keras."
    )
    parser.add_argument(
        "--weights",
        default="kinetics400",
        help="Backbone weights: kinetics400, a weights file, "
        "hf://owner/repo, or 'none' (random; default "
        "kinetics400).",
    )
    parser.add_argument(
        "--make-synthetic",
        type=int,
        metavar="N",
        help="First write the synthetic motion dataset (4 classes, N videos each) into DATA_DIR.",
    )
    parser.add_argument(
        "--clip-length", type=int, default=64, help="Frames per training clip (default 64)."
    )
    parser.add_argument(
        "--short-side", type=int, default=256, help="Short side of decoded frames (default 256)."
    )
    parser.add_argument("--crop-size", type=int, default=224, help="Crop side (default 224).")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=6,
        help="Clips per step (default 6, DeepMind's per-GPU batch).",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=5,
        help="Whole-network epochs after the head-only ones (default 5).",
    )
    parser.add_argument(
        "--steps-per-epoch", type=int, help="Default: training videos / batch size."
    )
    parser.add_argument(
        "--head-epochs",
        type=int,
        default=1,
        help="Epochs that train only the new classifier, "
        "the backbone frozen, before the whole network is "
        "fine-tuned (default 1). A random head on a "
        "pretrained backbone otherwise sends large, random "
        "gradients into it.",
    )
    parser.add_argument(
        "--head-learning-rate",
        type=float,
        default=0.1,
        help="Learning rate of the head-only epochs (constant; default 0.1).",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=0.001,
        help="Initial learning rate of the whole-network "
        "epochs (default 0.001; on the synthetic set 0.005 "
        "already wiped out what the head had learned; the "
        "paper's 0.1 is for training from scratch).",
    )
    parser.add_argument("--schedule", default="plateau", choices=("plateau", "cosine", "constant"))
    parser.add_argument("--label-smoothing", type=float, default=0.0)
    parser.add_argument(
        "--dropout",
        type=float,
        default=0.5,
        help="Dropout before the new classifier (default 0.5, the paper's).",
    )
    parser.add_argument(
        "--train-batch-norm",
        action="store_true",
        help="Update batch-norm statistics (only for large batches; frozen by default).",
    )
    parser.add_argument(
        "--val-fraction",
        type=float,
        default=0.25,
        help="Fraction of each class held out for validation (default 0.25).",
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=("auto", "float32", "mixed_float16", "mixed_bfloat16"),
    )
    parser.add_argument(
        "--no-augment",
        action="store_true",
        help="Train on centre crops without random flips. "
        "Needed where the direction of motion is the label "
        "(a flipped 'left' clip is a 'right' clip); implied "
        "by --make-synthetic.",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def read_dataset(data_dir):
    """The class names and `VideoSample`s of a folder-per-class dataset."""
    from keras_i3d.data import read_class_folders

    samples = read_class_folders(data_dir)
    # read_class_folders numbers the sub-folders in this order.
    class_names = sorted(
        name for name in os.listdir(data_dir) if os.path.isdir(os.path.join(data_dir, name))
    )
    return class_names, samples


def split(samples, val_fraction, seed):
    """Holds out `val_fraction` of each class (at least one video)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in sorted({s.label for s in samples}):
        members = [s for s in samples if s.label == label]
        rng.shuffle(members)
        held_out = max(1, round(len(members) * val_fraction))
        validation += members[:held_out]
        train += members[held_out:]
    return train, validation


def clip_datasets(train, validation, args, skipped):
    """Training clips (random window, crop, flip) and validation clips
    (central window and crop), decoded by `keras_i3d.data.video_dataset`."""
    from keras_i3d.data import video_dataset

    common = dict(
        clip_length=args.clip_length,
        short_side=args.short_side,
        crop_size=args.crop_size,
        batch_size=args.batch_size,
        seed=args.seed,
        skipped=skipped,
    )
    train_data = video_dataset(train, sampling="random", augment=not args.no_augment, **common)
    val_data = video_dataset(validation, sampling="uniform", deterministic=True, **common)
    return train_data, val_data


def train_only_the_head(model, head_only, freeze_batch_norm_stats):
    """Freezes (or unfreezes) every layer but the new classifier."""
    from keras_i3d.models.i3d import LOGITS_CONV
    from keras_i3d.training import freeze_batch_norm

    for layer in model.layers:
        layer.trainable = layer.name == LOGITS_CONV or not head_only
    if freeze_batch_norm_stats:
        freeze_batch_norm(model)


def join_histories(histories):
    """One per-epoch history from consecutive `fit` runs (NaN-padded)."""
    keys = sorted({key for history in histories for key in history})
    joined = {key: [] for key in keys}
    for history in histories:
        epochs = max(len(values) for values in history.values())
        for key in keys:
            joined[key] += list(history.get(key, [float("nan")] * epochs))
    return joined


def main(argv=None):
    args = parse_args(argv)
    import keras

    from keras_i3d.data import SkippedVideos
    from keras_i3d.training import TrainingConfig
    from keras_i3d.training import build_classifier
    from keras_i3d.training import compile_model
    from keras_i3d.training import fit
    from keras_i3d.training import plot_training_curves
    from keras_i3d.training import set_precision

    if args.make_synthetic:
        from keras_i3d.data.synthetic_motion import write_motion_videos

        # 10 px a frame: Kinetics features separate fast motion better.
        write_motion_videos(
            args.data_dir,
            args.make_synthetic,
            num_frames=max(args.clip_length, 16) + 8,
            size=args.short_side,
            speed=10,
        )
        args.no_augment = True
    keras.utils.set_random_seed(args.seed)
    precision = set_precision(args.precision)
    class_names, samples = read_dataset(args.data_dir)
    train, validation = split(samples, args.val_fraction, args.seed)
    if not train:
        raise SystemExit("Not enough videos: every class needs at least 2.")
    steps = args.steps_per_epoch or max(1, len(train) // args.batch_size)
    config = TrainingConfig(
        classes=len(class_names),
        clip_length=args.clip_length,
        crop_size=args.crop_size,
        epochs=args.epochs,
        steps_per_epoch=steps,
        learning_rate=args.learning_rate,
        schedule=args.schedule,
        label_smoothing=args.label_smoothing,
        dropout_rate=args.dropout,
        freeze_batch_norm=not args.train_batch_norm,
    )
    weights = None if args.weights.lower() == "none" else args.weights
    model = build_classifier(config, weights=weights)
    head_config = dataclasses.replace(
        config, epochs=args.head_epochs, learning_rate=args.head_learning_rate, schedule="constant"
    )
    train_only_the_head(model, args.head_epochs > 0, config.freeze_batch_norm)
    compile_model(model, head_config)

    skipped = SkippedVideos()
    train_data, val_data = clip_datasets(train, validation, args, skipped)
    before = model.evaluate(val_data, verbose=0, return_dict=True)
    print(
        f"{len(class_names)} classes, {len(train)} training and "
        f"{len(validation)} validation videos, precision {precision}"
    )
    print(f"before training: val_top1 {before['top1']:.3f} val_loss {before['loss']:.3f}")
    histories = []
    if args.head_epochs > 0:
        print(f"training the new head for {args.head_epochs} epoch(s)")
        histories.append(
            fit(
                model, train_data, val_data, head_config, os.path.join(args.out, "head"), verbose=2
            ).history
        )
    if args.epochs > 0:
        print(f"fine-tuning the whole network for {args.epochs} epoch(s)")
        train_only_the_head(model, False, config.freeze_batch_norm)
        compile_model(model, config)
        histories.append(fit(model, train_data, val_data, config, args.out, verbose=2).history)
    if not histories:
        raise SystemExit("Nothing to train: --head-epochs and --epochs are 0.")
    history = join_histories(histories)
    for epoch, (accuracy, loss) in enumerate(zip(history["val_top1"], history["val_loss"]), 1):
        print(f"epoch {epoch}: val_top1 {accuracy:.3f} val_loss {loss:.3f}")
    model.save(os.path.join(args.out, "finetuned.keras"))
    plot_training_curves(
        history,
        os.path.join(args.out, "finetune_curves.png"),
        title=f"Fine-tuning {len(class_names)} classes from {args.weights}",
        initial={"val_top1": before["top1"], "val_loss": before["loss"]},
    )
    if skipped:
        print(skipped.summary(), file=sys.stderr)
    summary = {
        "classes": class_names,
        "val_top1_before": before["top1"],
        "val_loss_before": before["loss"],
        "head_epochs": args.head_epochs,
        "history": history,
        "skipped": [list(item) for item in skipped.items],
    }
    with open(os.path.join(args.out, "finetune.json"), "w") as file:
        json.dump(summary, file, indent=2, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
