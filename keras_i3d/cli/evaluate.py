"""`keras-i3d evaluate`: accuracy of a model on a labelled video dataset.

```
keras-i3d evaluate SOURCE [--format folders|kinetics|ucf101|hmdb51]
    [--video-dir DIR] [--split 1] [--subset test]
    [--model FILE.keras | --weights kinetics400] [--labels kinetics400]
    [--clip-frames 64 --clips 10] [--crops 3] [--flip] [--output-dir results/]
```

SOURCE is a folder per class (`SOURCE/<class name>/<video>`), a Kinetics
annotation CSV, or a UCF101 / HMDB51 split folder (`--format`). Each video is
decoded at 25 fps, its short side resized, and scored as in the paper: the
whole video convolutionally in time (default), or the average of `--clips`
clips x `--crops` crops. It prints top-1, top-5 and mean per-class accuracy,
writes `metrics.json`, `confusion_matrix.png` and `per_class_accuracy.png` to
`--output-dir`, and lists the videos it skipped (unreadable or too small)
with the reason.
"""

import json
import logging
import os

from keras_i3d.cli.dataset_args import SOURCE_HELP
from keras_i3d.cli.dataset_args import add_dataset_arguments
from keras_i3d.cli.dataset_args import read_samples
from keras_i3d.cli.errors import CLIError
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RESIZE_SHORT_SIDE


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="Top-1/top-5 and per-class accuracy on a labelled video "
        "dataset, with confusion-matrix plots.",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("source", help=SOURCE_HELP)
    add_dataset_arguments(parser, default_subset="test")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--model",
        help="A saved Keras model (.keras) to evaluate, e.g. the output of "
        "examples/finetune.py. It must return logits unless "
        "--probabilities is given.",
    )
    source.add_argument(
        "--weights",
        default="kinetics400",
        help="Weights of an RGB I3D to evaluate when --model is not given: "
        "a weights name, a .weights.h5 file, or 'hf://owner/repo' "
        "(default: kinetics400). Its class count must match the dataset's: "
        "use --labels kinetics400 for Kinetics classes.",
    )
    parser.add_argument(
        "--labels",
        help="Label set of the model's outputs (e.g. kinetics400): every "
        "class name of the dataset must be one of its labels (for --format "
        "kinetics, the class order of the CSV; default kinetics400 there). "
        "Without it, the dataset's own class order is used.",
    )
    parser.add_argument(
        "--probabilities",
        action="store_true",
        help="The --model returns probabilities, not logits.",
    )
    parser.add_argument(
        "--clip-frames", type=int, default=None,
        help="Frames per clip; default: the whole video in one pass "
        "(convolutional in time, as in the paper).",
    )
    parser.add_argument(
        "--clips", type=int, default=1,
        help="Evenly spaced clips per video, with --clip-frames (default 1: "
        "the central clip).",
    )
    parser.add_argument(
        "--crops", type=int, default=1, choices=(1, 3, 5),
        help="Spatial crops per clip: 1 centre, 3 along the long side, 5 "
        "corners and centre (default 1).",
    )
    parser.add_argument(
        "--flip", action="store_true",
        help="Also score the horizontally flipped views.",
    )
    parser.add_argument(
        "--resize", type=int, default=RESIZE_SHORT_SIDE,
        help=f"Short side in pixels frames are resized to (default "
        f"{RESIZE_SHORT_SIDE}).",
    )
    parser.add_argument(
        "--crop-size", type=int, default=CROP_SIZE,
        help=f"Crop side in pixels (default {CROP_SIZE}).",
    )
    parser.add_argument(
        "--output-dir", default="evaluation",
        help="Folder for metrics.json and the PNG plots "
        "(default: ./evaluation).",
    )
    parser.set_defaults(func=run)


def _check_numbers(args):
    if args.clip_frames is not None and args.clip_frames < 1:
        raise CLIError(f"--clip-frames must be at least 1 (got "
                       f"{args.clip_frames})", 2)
    if args.clips < 1:
        raise CLIError(f"--clips must be at least 1 (got {args.clips})", 2)
    if args.clips > 1 and args.clip_frames is None:
        raise CLIError("--clips needs --clip-frames (without it the whole "
                       "video is one clip)", 2)
    if args.crop_size < 1 or args.resize < args.crop_size:
        raise CLIError(
            f"--resize ({args.resize}) must be at least --crop-size "
            f"({args.crop_size}), which must be positive", 2)


def dataset_classes(args, samples):
    """Returns `(class_names, samples)` with labels in the model's order.

    With `--labels`, each sample's class name is looked up in that label set
    (the model's outputs); otherwise the dataset's own labels are kept.
    """
    import dataclasses

    from keras_i3d.labels import load_labels

    label_set = args.labels or ("kinetics400" if args.format == "kinetics"
                                else None)
    if label_set is None:
        names = {sample.label: sample.label_name for sample in samples}
        if args.format == "folders":
            names.update(enumerate(sorted(
                entry for entry in os.listdir(args.source)
                if os.path.isdir(os.path.join(args.source, entry))
            )))
        return [names.get(i, f"class {i}")
                for i in range(max(names) + 1)], samples
    try:
        labels = list(load_labels(label_set))
    except ValueError as error:
        raise CLIError(str(error)) from None
    index = {name: i for i, name in enumerate(labels)}
    unknown = sorted({s.label_name for s in samples} - set(index))
    if unknown:
        raise CLIError(
            f"classes not in the {label_set} labels: "
            f"{', '.join(unknown[:10])}"
        )
    return labels, [dataclasses.replace(s, label=index[s.label_name])
                    for s in samples]


def _load_model(args, classes):
    import keras

    if args.model:
        if not os.path.isfile(args.model):
            raise CLIError(f"{args.model}: no such model file.")
        try:
            return keras.saving.load_model(args.model)
        except (ValueError, OSError) as error:
            raise CLIError(f"{args.model}: cannot load: {error}") from None
    from keras_i3d import I3D
    from keras_i3d.weights.loading import resolve_weights

    try:
        resolved = resolve_weights(args.weights, "rgb", classes)
        if resolved.classes != classes:
            raise CLIError(
                f"--weights {args.weights} predicts {resolved.classes} "
                f"classes but the dataset has {classes}; name the class "
                "folders after the model's labels and pass --labels (e.g. "
                "kinetics400), or evaluate a fine-tuned --model."
            )
        return I3D(
            stream="rgb",
            weights=args.weights,
            input_shape=(None, None, None, 3),
            classes=classes,
            classifier_activation=None,
        )
    except (ValueError, OSError, ImportError) as error:
        raise CLIError(f"cannot build I3D with --weights "
                       f"{args.weights}: {error}") from None


def _check_model_input(model, args):
    """Rejects a `--model` whose fixed input size the views cannot match."""
    shape = tuple(model.inputs[0].shape) if model.inputs else ()
    if len(shape) != 5:
        raise CLIError(f"{args.model}: expects inputs of shape {shape}, "
                       "not video clips (batch, frames, height, width, 3).")
    frames, height, width = shape[1:4]
    if frames is not None and args.clip_frames != frames:
        raise CLIError(f"{args.model} takes clips of {frames} frames: pass "
                       f"--clip-frames {frames}.")
    if (height, width) != (None, None) and (height, width) != (
            args.crop_size, args.crop_size):
        raise CLIError(f"{args.model} takes {height}x{width} frames: pass "
                       f"--crop-size {height}.")


def _print_report(result, metrics_path, plots):
    summary = result.summary()
    print(f"videos evaluated: {summary['videos']} "
          f"(skipped: {summary['skipped']})")
    print(f"top-1 accuracy: {summary['top1']:.4f}")
    print(f"top-5 accuracy: {summary['top5']:.4f}")
    print(f"mean class accuracy: {summary['mean_class_accuracy']:.4f}")
    for name, label, predicted, probability in result.predictions:
        mark = "ok" if label == predicted else "WRONG"
        print(f"{mark:>5}  {name}: {label} -> {predicted} "
              f"(p={probability:.3f})")
    if result.skipped:
        print(result.skipped.summary())
    print(f"wrote {metrics_path}, {', '.join(plots)}")


def run(args):
    from keras_i3d.data.skipped import SkippedVideos
    from keras_i3d.training.evaluation import evaluate_videos
    from keras_i3d.training.evaluation import load_test_clips

    _check_numbers(args)
    if args.clip_frames is not None and args.clip_frames < \
            MIN_FRAMES_FOR_LOGITS and not args.model:
        raise CLIError(f"I3D's head needs clips of at least "
                       f"{MIN_FRAMES_FOR_LOGITS} frames (got --clip-frames "
                       f"{args.clip_frames})", 2)
    samples = read_samples(args, args.source,
                           label_set=args.labels or "kinetics400")
    class_names, samples = dataset_classes(args, samples)
    model = _load_model(args, len(class_names))
    if args.model:
        _check_model_input(model, args)

    def loader(sample):
        def load():
            clips = load_test_clips(sample, "rgb", args.clip_frames,
                                    args.clips, args.resize)
            return clips, sample.label

        return load

    skipped = SkippedVideos()
    # Skipped videos are listed once at the end, not between bar updates.
    logging.getLogger("keras_i3d.data").setLevel(logging.ERROR)
    try:
        result = evaluate_videos(
            model, [(s.path, loader(s)) for s in samples], class_names,
            crop_size=args.crop_size, num_crops=args.crops, flip=args.flip,
            from_logits=not args.probabilities, skipped=skipped,
            progress=True,
        )
    except ValueError as error:
        raise CLIError(str(error)) from None
    os.makedirs(args.output_dir, exist_ok=True)
    metrics_path = os.path.join(args.output_dir, "metrics.json")
    with open(metrics_path, "w") as file:
        json.dump(result.summary(), file, indent=2)
    plots = result.save_plots(args.output_dir)
    _print_report(result, metrics_path, plots)
    return 0
