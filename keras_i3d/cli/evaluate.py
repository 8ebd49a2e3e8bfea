"""`keras-i3d evaluate`: accuracy of a model on a labelled video dataset.

```
keras-i3d evaluate SOURCE --out results/
    [--dataset-format folders|kinetics|ucf101|hmdb51]
    [--video-dir DIR] [--split 1] [--subset test]
    [--model FILE.keras | --weights kinetics400] [--labels kinetics400]
    [--clip-length 64 --clips 10 | --view ARCHITECTURE [--flow-dir DIR]]
    [--crops 3] [--flip] [--precision float32|mixed_bfloat16] [--no-fuse]
```

SOURCE is a folder per class (`SOURCE/<class name>/<video>`), a Kinetics
annotation CSV, or a UCF101 / HMDB51 split folder (`--dataset-format`). Each
video is decoded at 25 fps, its short side resized, and scored as in the
paper: the
whole video convolutionally in time (default), or the average of `--clips`
clips x `--crops` crops. It prints top-1, top-5 and mean per-class accuracy,
writes `metrics.json`, `confusion_matrix.png` and `per_class_accuracy.png` to
`--out`, and lists the videos it skipped (unreadable or too small)
with the reason. An I3D with its own head, and each stream of a two-stream
I3D, runs as the fused float32 graph (logits within 1e-4 of the reference
graph; `--no-fuse` runs the reference, `--precision mixed_bfloat16` the fused
graph in bfloat16); other models and heads run as they are.

`--view` scores a model the way the paper tests that architecture (Table 1,
`keras_i3d.data.PAPER_INPUTS`): ConvNet+LSTM on 50 frames, every 5th;
C3D on 15 clips of 16 frames at 112 px; Two-Stream 2D on 25 snapshots with
their 10-frame flow stacks; 3D-Fused on 5 windows. The views with flow read
it from `--flow-dir`, the output folder of `keras-i3d flow`.
"""

import json
import logging
import os

from keras_i3d.cli import options
from keras_i3d.cli.dataset_args import DEFAULT_LABEL_SET
from keras_i3d.cli.dataset_args import read_samples
from keras_i3d.cli.errors import CLIError
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.data.formats import with_flow_folders
from keras_i3d.data.views import PAPER_INPUTS


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="Top-1/top-5 and per-class accuracy on a labelled video "
        "dataset, with confusion-matrix plots.",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("source", help=options.DATASET_SOURCE_HELP)
    options.add_out_option(parser)
    options.add_dataset_options(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--model",
        help="A saved Keras model (.keras) to evaluate, e.g. the output of "
        "examples/finetune.py. Whether it returns logits or probabilities "
        "is read from its outputs (see --probabilities).",
    )
    options.add_weights_option(source)
    options.add_labels_option(parser)
    parser.add_argument(
        "--probabilities",
        action="store_true",
        help="The --model returns probabilities, not logits. Default: "
        "detected from its outputs (rows of non-negative scores summing to "
        "1 are probabilities; anything else gets a softmax).",
    )
    parser.add_argument(
        "--view",
        choices=tuple(PAPER_INPUTS),
        help="Score with the paper's test protocol of this architecture: "
        "its test view, windows per video, crop and resize (see "
        "keras_i3d.data.PAPER_INPUTS). Replaces --clip-length/--clips; "
        "--short-side and --crop-size, if given, override its sizes.",
    )
    parser.add_argument(
        "--flow-dir",
        help="Folder of precomputed flow, one sub-folder per video named "
        "after the video file without its extension, as `keras-i3d flow "
        "--out DIR` writes it; needed by the --view protocols with flow.",
    )
    options.add_clip_length_option(parser)
    parser.add_argument(
        "--clips",
        type=options.positive_int,
        default=1,
        help="Evenly spaced clips per video, with --clip-length (default 1: the central clip).",
    )
    options.add_crops_option(parser, choices=(1, 3, 5))
    parser.add_argument(
        "--flip",
        action="store_true",
        help="Also score the horizontally flipped views.",
    )
    options.add_short_side_option(parser)
    options.add_crop_size_option(parser)
    options.add_inference_graph_options(parser)
    parser.set_defaults(func=run)


def resolve_protocol(args):
    """Sets `args.clips`, `args.short_side` and `args.crop_size` from `--view`
    (a `PaperInput`) or the defaults; returns the test `InputView` or None."""
    paper = PAPER_INPUTS[args.view] if args.view else None
    if paper is None:
        if args.flow_dir:
            raise CLIError("--flow-dir needs a --view that uses flow", 2)
        args.short_side = RESIZE_SHORT_SIDE if args.short_side is None else args.short_side
        args.crop_size = CROP_SIZE if args.crop_size is None else args.crop_size
        return None
    if args.clip_length is not None or args.clips != 1:
        raise CLIError("--view sets the clips; drop --clip-length/--clips", 2)
    if paper.test.flow_stack and not args.model:
        raise CLIError(
            f"the {args.view} view reads flow, which the "
            "--weights I3D does not take: pass the trained --model",
            2,
        )
    if paper.test.flow_stack and not args.flow_dir:
        raise CLIError(
            f"the {args.view} view needs flow: pass --flow-dir "
            "(the output folder of `keras-i3d flow`)",
            2,
        )
    args.clips = paper.test_clips
    args.short_side = paper.short_side if args.short_side is None else args.short_side
    args.crop_size = paper.crop_size if args.crop_size is None else args.crop_size
    return paper.test


def _check_numbers(args):
    if args.clips > 1 and args.clip_length is None:
        raise CLIError("--clips needs --clip-length (without it the whole video is one clip)", 2)
    if args.short_side < args.crop_size:
        raise CLIError(
            f"--short-side ({args.short_side}) must be at least --crop-size ({args.crop_size})", 2
        )


def dataset_classes(args, samples):
    """Returns `(class_names, samples)` with labels in the model's order.

    With `--labels`, each sample's class name is looked up in that label set
    (the model's outputs); otherwise the dataset's own labels are kept.
    """
    import dataclasses

    from keras_i3d.labels import load_labels

    label_set = args.labels or (DEFAULT_LABEL_SET if args.dataset_format == "kinetics" else None)
    if label_set is None:
        names = {sample.label: sample.label_name for sample in samples}
        if args.dataset_format == "folders":
            names.update(
                enumerate(
                    sorted(
                        entry
                        for entry in os.listdir(args.source)
                        if os.path.isdir(os.path.join(args.source, entry))
                    )
                )
            )
        return [names.get(i, f"class {i}") for i in range(max(names) + 1)], samples
    try:
        labels = list(load_labels(label_set))
    except ValueError as error:
        raise CLIError(str(error)) from None
    index = {name: i for i, name in enumerate(labels)}
    unknown = sorted({s.label_name for s in samples} - set(index))
    if unknown:
        raise CLIError(f"classes not in the {label_set} labels: {', '.join(unknown[:10])}")
    return labels, [dataclasses.replace(s, label=index[s.label_name]) for s in samples]


def _load_model(args, classes):
    import keras

    if args.model:
        if not os.path.isfile(args.model):
            raise CLIError(f"{args.model}: no such model file.")
        try:
            # Scoring needs no optimizer, loss or metrics.
            return keras.saving.load_model(args.model, compile=False)
        except (ValueError, OSError) as error:
            raise CLIError(f"{args.model}: cannot load: {error}") from None
    from keras_i3d.models.i3d import I3D
    from keras_i3d.weights.resolving import resolve_weights

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
        raise CLIError(f"cannot build I3D with --weights {args.weights}: {error}") from None


def _inference_graph(model, args):
    """The graph that scores: an I3D or a two-stream I3D fused (the default,
    exact in float32) unless --no-fuse; other architectures and heads as
    they are."""
    from keras_i3d.models.fused import NotAnI3DError
    from keras_i3d.models.fused import inference_model
    from keras_i3d.models.two_stream_inference import is_two_stream_i3d
    from keras_i3d.models.two_stream_inference import two_stream_inference_graph

    if args.precision != "float32" and not args.fused:
        raise CLIError(f"--precision {args.precision} runs the fused graph; drop --no-fuse", 2)
    fuse = two_stream_inference_graph if is_two_stream_i3d(model) else inference_model
    try:
        return fuse(model, fused=args.fused, precision=args.precision)
    except NotAnI3DError:
        if args.precision != "float32":
            raise CLIError(
                f"--precision {args.precision} runs a fused I3D; {args.model} is not an I3D "
                "with I3D's head",
                2,
            ) from None
        return model


def _check_model_input(model, args, view):
    """Rejects a `--model` whose inputs the test views cannot match."""
    shapes = [tuple(x.shape) for x in model.inputs]
    expected = (
        view.input_shapes(args.crop_size)
        if view is not None
        else (None, args.crop_size, args.crop_size, 3)
    )
    expected = list(expected) if isinstance(expected[0], tuple) else [expected]
    if len(shapes) != len(expected) or any(len(s) != 5 for s in shapes):
        wanted = " and ".join(str((None,) + e) for e in expected)
        raise CLIError(
            f"{args.model}: expects inputs of shapes {', '.join(map(str, shapes))}, not {wanted}."
        )
    for shape, want in zip(shapes, expected):
        frames, height, width, channels = shape[1:]
        wanted_frames = want[0] if view is not None else args.clip_length
        if frames is not None and frames != wanted_frames:
            hint = (
                f"the --view {args.view} test view has {wanted_frames} steps"
                if view is not None
                else f"pass --clip-length {frames}"
            )
            raise CLIError(f"{args.model} takes clips of {frames} frames: {hint}.")
        if (height, width) != (None, None) and (height, width) != (args.crop_size, args.crop_size):
            raise CLIError(
                f"{args.model} takes {height}x{width} frames: pass --crop-size {height}."
            )
        if channels is not None and channels != want[3]:
            raise CLIError(
                f"{args.model} takes {channels} channels where the test views have {want[3]}."
            )


def _print_report(result, metrics_path, plots):
    summary = result.summary()
    print(f"videos evaluated: {summary['videos']} (skipped: {summary['skipped']})")
    print(f"top-1 accuracy: {summary['top1']:.4f}")
    print(f"top-5 accuracy: {summary['top5']:.4f}")
    print(f"mean class accuracy: {summary['mean_class_accuracy']:.4f}")
    for name, label, predicted, probability in result.predictions:
        mark = "ok" if label == predicted else "WRONG"
        print(f"{mark:>5}  {name}: {label} -> {predicted} (p={probability:.3f})")
    if result.skipped:
        print(result.skipped.summary())
    print(f"wrote {metrics_path}, {', '.join(plots)}")


def run(args):
    from keras_i3d.data.skipped import SkippedVideos
    from keras_i3d.training.evaluation import evaluate_videos
    from keras_i3d.training.evaluation import load_test_clips

    view = resolve_protocol(args)
    _check_numbers(args)
    if args.clip_length is not None and args.clip_length < MIN_FRAMES_FOR_LOGITS and not args.model:
        raise CLIError(
            f"I3D's head needs clips of at least "
            f"{MIN_FRAMES_FOR_LOGITS} frames (got --clip-length "
            f"{args.clip_length})",
            2,
        )
    samples = read_samples(args, args.source, label_set=args.labels)
    class_names, samples = dataset_classes(args, samples)
    if args.flow_dir:
        if not os.path.isdir(args.flow_dir):
            raise CLIError(f"{args.flow_dir}: no such flow folder.")
        samples = with_flow_folders(samples, args.flow_dir)
    model = _load_model(args, len(class_names))
    if args.model:
        _check_model_input(model, args, view)
    model = _inference_graph(model, args)

    def loader(sample):
        def load():
            clips = load_test_clips(
                sample, "rgb", args.clip_length, args.clips, args.short_side, view=view
            )
            return clips, sample.label

        return load

    skipped = SkippedVideos()
    # Skipped videos are listed once at the end, not between bar updates.
    logging.getLogger("keras_i3d.data").setLevel(logging.ERROR)
    try:
        result = evaluate_videos(
            model,
            [(s.path, loader(s)) for s in samples],
            class_names,
            crop_size=args.crop_size,
            num_crops=args.crops,
            flip=args.flip,
            from_logits=False if args.probabilities else None,
            skipped=skipped,
            progress=True,
            flow_stack=view.flow_stack if view else 1,
        )
    except ValueError as error:
        raise CLIError(str(error)) from None
    os.makedirs(args.out, exist_ok=True)
    metrics_path = os.path.join(args.out, "metrics.json")
    with open(metrics_path, "w") as file:
        json.dump(result.summary(), file, indent=2)
    plots = result.save_plots(args.out)
    _print_report(result, metrics_path, plots)
    return 0
