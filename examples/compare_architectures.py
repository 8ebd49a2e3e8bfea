"""Rebuild the paper's architecture comparison on a motion-only dataset.

```
python examples/compare_architectures.py [--out docs/compare] \
    [--size 32] [--train-clips 128] [--val-clips 64] [--epochs 4] ...
```

Quo Vadis (Carreira & Zisserman, CVPR 2017) compares five video
architectures on Kinetics: ConvNet+LSTM, a 3D ConvNet (C3D), Two-Stream 2D,
3D-Fused Two-Stream and Two-Stream I3D. This script trains all of them
(and RGB-only I3D) from scratch with the same budget (the same clips, in
the same order, for the same epochs, with the `keras_i3d.training` recipe)
on `keras_i3d.data.synthetic_motion`: a textured patch moving right, left,
down or up over a textured background. Every frame has the same
distribution in all four classes, so only motion separates them: a network
that sees one RGB frame (Two-Stream 2D's RGB stream) stays at chance (25%).

Each architecture reads its paper input view (`keras_i3d.data.PAPER_INPUTS`)
scaled by `PaperInput.scaled`: frame counts divided by `--time-scale` (64
I3D frames become 16 at the default 4), frame sides by 224 / `--size`.

The data goes the way real data goes: each split is written once as `.mp4`
videos, a folder per class, under `--cache-dir`, with their optical flow
(`keras_i3d.flow.corpus`; Farneback by default, as TV-L1, the paper's, is
about 200 times slower). Every architecture reads them through
`keras_i3d.data.video_dataset` with its view: a random window per video and
epoch for training (one seed: the same order for every model), the central
window for validation, no flip (a mirrored "right" is "left"). Every model
is built by name (`keras_i3d.models.get_model`) and returns logits; the
two-stream models fuse their streams' logits.

Outputs in `--out`: `results.md` and `results.csv` (validation and
per-stream accuracy, parameters, training and inference clips per second,
the paper's Kinetics top-1), `accuracy.png` and `results.json` (the
configuration, the command and the wall time).
"""

import argparse
import csv
import dataclasses
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_i3d.data.synthetic_motion import MOTION_CLASSES  # noqa: E402

CHANCE = 1 / len(MOTION_CLASSES)
# key: (name, parameters (Table 1), Kinetics top-1 % from scratch (Table 3)
# and from ImageNet weights (Table 2), each as (RGB, Flow, RGB+Flow)).
ARCHITECTURES = {
    "convnet_lstm": ("ConvNet+LSTM", "9M", (53.9, None, None), (63.3, None, None)),
    "c3d": ("3D-ConvNet (C3D)", "79M", (56.1, None, None), (None, None, None)),
    "two_stream_2d": ("Two-Stream 2D", "12M", (57.9, 49.6, 62.8), (62.2, 52.4, 65.6)),
    "fused_two_stream_3d": ("3D-Fused Two-Stream", "39M", (None, None, 62.7), (None, None, 67.2)),
    "i3d_rgb": ("I3D (RGB)", "-", (68.4, None, None), (71.1, None, None)),
    "two_stream_i3d": ("Two-Stream I3D", "25M", (68.4, 61.5, 71.6), (71.1, 63.4, 74.2)),
}
ARCHITECTURE_KEYS = tuple(ARCHITECTURES)
TWO_STREAM_KEYS = ("two_stream_2d", "two_stream_i3d")  # streams scored alone


class ComparisonError(ValueError):
    """The pipeline skipped videos of the generated dataset."""


def input_plan(size, time_scale):
    """The run's `size`, `time_scale` and `video_frames`: one frame more
    than any architecture's input reaches, so its last flow field is real."""
    plan = {"size": size, "time_scale": time_scale}
    longest = max(architecture_view(key, plan)[0].span for key in ARCHITECTURE_KEYS)
    return {**plan, "video_frames": longest + 1}


def architecture_view(key, plan):
    """`(view, short_side, crop_size)`: the paper's training view of `key`
    scaled to the plan, the pipeline's short side (None: frames keep their size;
    C3D reads whole frames resized to its crop) and its crop."""
    from keras_i3d.data import PAPER_INPUTS

    paper = PAPER_INPUTS[key].scaled(plan["time_scale"], plan["size"])
    short_side = paper.crop_size if paper.crop_size < plan["size"] else None
    return paper.train, short_side, paper.crop_size


def write_split(count, seed, plan, args):
    """Writes a split's videos (`write_motion_split`) and their flow
    (`.npz`, at the videos' size, within 0.08 px) once under `--cache-dir`.

    Returns:
        `(samples, seconds)`: `VideoSample`s with `flow_path` set, and the
        seconds spent computing flow (0 when all of it was cached).
    """
    from keras_i3d.data.synthetic_motion import write_motion_split
    from keras_i3d.flow.corpus import compute_and_store_flow
    from keras_i3d.flow.storage import flow_output_path

    root = os.path.join(
        args.cache_dir,
        f"{args.flow_method}_seed{seed}_n{count}_t"
        f"{plan['video_frames']}_s{plan['size']}_v{args.speed}",
    )
    videos = write_motion_split(
        os.path.join(root, "videos"),
        count // len(MOTION_CLASSES),
        seed=seed,
        num_frames=plan["video_frames"],
        size=plan["size"],
        speed=args.speed,
    )
    settings = {"flow_method": args.flow_method, "short_side": None, "flow_format": "npz"}
    samples, seconds = [], 0.0
    for sample in videos:
        stem = os.path.splitext(os.path.basename(sample.path))[0]
        target = flow_output_path(os.path.join(root, "flow"), stem, "npz")
        if not target.exists():
            start = time.perf_counter()
            compute_and_store_flow(sample.path, target, settings)
            seconds += time.perf_counter() - start
        samples.append(dataclasses.replace(sample, flow_path=str(target)))
    return samples, seconds


def architecture_dataset(key, samples, plan, training, args, skipped):
    """`keras_i3d.data.video_dataset` over `samples` with `key`'s view."""
    from keras_i3d.data import video_dataset
    from keras_i3d.flow import read_flow

    view, short_side, crop_size = architecture_view(key, plan)
    return video_dataset(
        samples,
        view=view,
        sampling="random" if training else "uniform",
        augment=False,
        shuffle=training,
        seed=args.seed,
        deterministic=True,
        short_side=short_side,
        crop_size=crop_size,
        flow_reader=read_flow,
        batch_size=args.batch_size if training else None,
        skipped=skipped,
    )


def split_arrays(dataset):
    """`(inputs, labels)` of an unbatched dataset: a tuple of arrays, one
    per model input, and the int labels."""
    import numpy as np

    inputs, labels = [], []
    for example, label in dataset:
        example = example if isinstance(example, tuple) else (example,)
        inputs.append([x.numpy() for x in example])
        labels.append(int(label))
    return tuple(np.stack(x) for x in zip(*inputs)), np.array(labels)


def build_model(key, input_shapes, classes, dropout_rate):
    """Architecture `key` for inputs of `input_shapes`, returning logits.

    I3D's paper head needs clips of at least 9 frames and 193 pixels, so
    each I3D stream here is the builder's pooled backbone with the usual
    `keras.applications` fine-tuning head: dropout, then a dense `Logits`.
    Two-Stream I3D adds its streams' logits and returns them too (the
    recipe trains each stream with its own loss, as the paper does).
    """
    import keras

    from keras_i3d.models import get_model

    if key not in ("i3d_rgb", "two_stream_i3d"):
        shapes = input_shapes[0] if len(input_shapes) == 1 else input_shapes
        return get_model(key, input_shape=shapes, classes=classes, classifier_activation=None)
    backbone = get_model(
        key, include_top=False, pooling="avg", weights=None, input_shape=input_shapes[0]
    )

    def head(features, name):
        return keras.Sequential(
            [
                keras.layers.Dropout(dropout_rate, name="Logits_Dropout"),
                keras.layers.Dense(classes, dtype="float32", name="Logits"),
            ],
            name=name,
        )(features)

    if key == "i3d_rgb":
        return keras.Model(backbone.input, head(backbone.output, "head"), name=key)
    logits = {
        f"{stream}_logits": head(backbone.output[f"{stream}_features"], f"{stream}_logits")
        for stream in ("rgb", "flow")
    }
    joint = keras.layers.Add(dtype="float32", name="predictions")(list(logits.values()))
    return keras.Model(backbone.input, {"predictions": joint, **logits}, name=key)


def evaluation_model(key, model):
    """`model` with outputs `[logits]`, or `[joint, rgb, flow]` logits for
    `TWO_STREAM_KEYS` (Two-Stream 2D's per snapshot)."""
    import keras

    outputs = [model.output]
    if key == "two_stream_2d":
        outputs += [
            model.get_layer(f"{stream}_inception_v1_frames").output for stream in ("rgb", "flow")
        ]
    elif key == "two_stream_i3d":
        outputs = [model.output[name] for name in ("predictions", "rgb_logits", "flow_logits")]
    return keras.Model(model.inputs, outputs, name=f"{model.name}_eval")


def top1_and_loss(logits, labels):
    """Top-1 accuracy and mean cross-entropy of `(N, classes)` logits, or
    of `(N, T, classes)` per-snapshot logits averaged over the snapshots."""
    import numpy as np

    from keras_i3d.training import SparseCategoricalCrossentropy
    from keras_i3d.training import classification_metrics

    logits = np.asarray(logits, np.float32)
    logits = logits.mean(axis=1) if logits.ndim == 3 else logits
    top1 = classification_metrics(logits, labels, logits.shape[-1])["top1"]
    loss = SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    return top1, float(loss)


def epoch_timer(seconds):
    """A callback that appends each epoch's wall time to `seconds`."""
    import keras

    started = []
    return keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: started.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: seconds.append(time.perf_counter() - started[-1]),
    )


def timed_predict(model, inputs, batch_size):
    """The outputs (a list) and clips per second of one pass over `inputs`
    after a warm-up batch (which traces the graph)."""

    def predict(arrays):
        arrays = arrays[0] if len(arrays) == 1 else tuple(arrays)
        return model.predict(arrays, batch_size=batch_size, verbose=0)

    predict([x[:batch_size] for x in inputs])
    start = time.perf_counter()
    outputs = predict(inputs)
    speed = len(inputs[0]) / (time.perf_counter() - start)
    return (outputs if isinstance(outputs, list) else [outputs]), speed


def train_and_evaluate(key, train_samples, val_samples, plan, args):
    """Trains architecture `key` from random weights and measures it.

    Returns:
        A dict: `val_accuracy`, `val_loss`, `rgb_stream_accuracy` and
        `flow_stream_accuracy` (None but for `TWO_STREAM_KEYS`),
        `parameters`, `train_clips_per_s` (over the epochs after the first,
        which traces the graph, if any) and `inference_clips_per_s`.
    """
    import keras

    from keras_i3d.data import SkippedVideos
    from keras_i3d.training import TrainingConfig
    from keras_i3d.training import compile_model
    from keras_i3d.training.recipe import prepare_dataset

    skipped = SkippedVideos()
    val_inputs, val_labels = split_arrays(
        architecture_dataset(key, val_samples, plan, training=False, args=args, skipped=skipped)
    )
    steps = len(train_samples) // args.batch_size
    config = TrainingConfig(
        classes=len(MOTION_CLASSES),
        stream="two_stream" if len(val_inputs) == 2 else "rgb",
        clip_length=val_inputs[0].shape[1],
        crop_size=val_inputs[0].shape[2],
        epochs=args.epochs,
        steps_per_epoch=steps,
        learning_rate=args.learning_rate,
        schedule=args.schedule,
        # One warm-up epoch for the cosine schedule (none in a 1-epoch run).
        warmup_steps=steps if args.schedule == "cosine" and args.epochs > 1 else 0,
        batch_norm_momentum=args.batch_norm_momentum,
        jit_compile=False,  # XLA compiles slower than it runs at this size
    )
    keras.utils.set_random_seed(args.seed)
    model = compile_model(
        build_model(key, [x.shape[1:] for x in val_inputs], config.classes, config.dropout_rate),
        config,
    )
    train = architecture_dataset(
        key, train_samples, plan, training=True, args=args, skipped=skipped
    )
    epoch_seconds = []
    model.fit(
        prepare_dataset(train, model).repeat(),
        epochs=args.epochs,
        steps_per_epoch=steps,
        callbacks=[epoch_timer(epoch_seconds)],
        verbose=args.verbose,
    )
    if len(skipped):
        raise ComparisonError(
            f"{key}: the pipeline skipped videos of the generated dataset: {skipped.summary()}"
        )
    timed = epoch_seconds[1:] or epoch_seconds
    outputs, inference_speed = timed_predict(
        evaluation_model(key, model), val_inputs, args.batch_size
    )
    accuracy, loss = top1_and_loss(outputs[0], val_labels)
    streams = [top1_and_loss(x, val_labels)[0] for x in outputs[1:]] or [None, None]
    measured = {
        "val_accuracy": accuracy,
        "val_loss": loss,
        "rgb_stream_accuracy": streams[0],
        "flow_stream_accuracy": streams[1],
        "parameters": model.count_params(),
        "train_clips_per_s": steps * args.batch_size * len(timed) / sum(timed),
        "inference_clips_per_s": inference_speed,
    }
    keras.backend.clear_session()
    return measured


def headline(top1):
    """The RGB+Flow number of a paper's `(RGB, Flow, RGB+Flow)`, else RGB:
    the modality of our accuracy column."""
    return top1[0] if top1[2] is None else top1[2]


def result_row(key, plan, measured):
    """The results table's row of `key`: ours, then the paper's numbers."""
    name, params, scratch, imagenet = ARCHITECTURES[key]
    view, _, crop_size = architecture_view(key, plan)
    two_stream = key in TWO_STREAM_KEYS
    return {
        "architecture": key,
        "name": name,
        "inputs": f"{view.describe()}, {crop_size}px",
        **measured,
        "paper_params": params,
        "paper_kinetics_top1_scratch": headline(scratch),
        "paper_kinetics_top1_imagenet": headline(imagenet),
        "paper_rgb_stream_top1_scratch": scratch[0] if two_stream else None,
        "paper_flow_stream_top1_scratch": scratch[1] if two_stream else None,
    }


def percent(value, paper=None):
    """`value` (a fraction) as a percentage, with the paper's in brackets."""
    if value is None:
        return "-"
    return f"{100 * value:.1f}" + ("" if paper is None else f" [{paper}]")


def markdown_cells(row):
    """The results.md columns of a row: `{header: text}`."""
    kinetics = " / ".join(
        str(row[f"paper_kinetics_top1_{kind}"] or "-") for kind in ("scratch", "imagenet")
    )
    return {
        "Architecture": row["name"],
        "Inputs per clip": row["inputs"],
        "Val. accuracy %": percent(row["val_accuracy"]),
        "RGB stream %": percent(row["rgb_stream_accuracy"], row["paper_rgb_stream_top1_scratch"]),
        "Flow stream %": percent(
            row["flow_stream_accuracy"], row["paper_flow_stream_top1_scratch"]
        ),
        "Parameters": f"{row['parameters']:,}",
        "Train clips/s": f"{row['train_clips_per_s']:.1f}",
        "Inference clips/s": f"{row['inference_clips_per_s']:.1f}",
        "Paper: params": row["paper_params"],
        "Paper: Kinetics top-1 %, scratch / ImageNet": kinetics,
    }


# The notes under the table in results.md (paragraphs unwrapped).
NOTES = """\
Synthetic motion dataset, 4 classes (chance {chance:.0f}%): {train_clips}
training and {val_clips} validation videos (.mp4) of {video_frames} frames at
{size}x{size}, patch speed {speed} px/frame, read through
`keras_i3d.data.video_dataset` with each architecture's input view (training:
a random window per video and epoch; validation: the central window). Every
model: {epochs} epochs of the same videos in the same order, batch
{batch_size}, the `keras_i3d.training` recipe (SGD momentum 0.9, weight decay
1e-7, learning rate {learning_rate}, {schedule} schedule), from random
weights, float32. Flow: {flow_method_text}. Frame counts are the paper's
divided by {time_scale:g}.

Stream columns: the accuracy of each stream of a two-stream model alone
(Two-Stream 2D's RGB stream sees one frame), with the paper's Kinetics top-1
of that stream (from scratch) in brackets. Training clips/s excludes the
first epoch (graph tracing) when there is more than one; inference clips/s is
one pass over the validation clips after a warm-up batch; flow computation is
in neither. Measured on {machine}.

Paper columns: Carreira & Zisserman (CVPR 2017), Table 1 (parameters) and
Table 3 (Kinetics top-1 %, trained from scratch / from ImageNet weights, the
latter also in Table 2), in the modality of our accuracy column (RGB+Flow for
the two-stream models). RGB-only I3D is the RGB column of Two-Stream I3D (the
paper trains the streams separately); the paper's C3D has no ImageNet
version.

Command: `{command}`, wall time {wall_minutes:.1f} min."""


def results_markdown(rows, summary):
    """The results table in Markdown, and notes on how it was measured."""
    config = summary["config"]
    cells = [markdown_cells(row) for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|---|---|" + "---:|" * (len(cells[0]) - 2)]
    lines += ["| " + " | ".join(row.values()) + " |" for row in cells]
    notes = "\n\n".join(" ".join(paragraph.split()) for paragraph in NOTES.split("\n\n"))
    return (
        "\n".join(lines)
        + "\n\n"
        + notes.format(
            **config,
            **summary,
            chance=100 * CHANCE,
            video_frames=summary["plan"]["video_frames"],
            wall_minutes=summary["wall_seconds"] / 60,
        )
        + "\n"
    )


def plot_accuracy(rows, path):
    """Bars per architecture: our validation accuracy next to the paper's
    Kinetics top-1 from scratch; dashed: chance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axis = plt.subplots(figsize=(10, 5))
    positions = np.arange(len(rows))
    for offset, column, label in (
        (-0.2, "val_accuracy", "this run: synthetic motion, validation"),
        (0.2, "paper_kinetics_top1_scratch", "paper: Kinetics top-1, from scratch (Table 3)"),
    ):
        values = [row[column] / (100 if column.startswith("paper") else 1) for row in rows]
        axis.bar_label(
            axis.bar(positions + offset, values, 0.4, label=label),
            [f"{100 * value:.0f}" for value in values],
            fontsize=8,
        )
    axis.axhline(CHANCE, color="gray", linestyle="--", linewidth=1)
    axis.set_xticks(positions, [row["name"] for row in rows], rotation=30, ha="right")
    axis.set(ylim=(0, 1.1), ylabel="accuracy")
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def positive(kind):
    """An argparse type: a `kind` number that must be > 0."""

    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive. Received: {text}")
        return value

    return parse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    add = parser.add_argument
    add("--out", default="docs/compare", help="Where results.md/.csv/.json and accuracy.png go.")
    add(
        "--cache-dir",
        help="The videos and their flow. Default: "
        "$KERAS_I3D_HOME/compare_flow (~/.cache/keras_i3d).",
    )
    add(
        "--architectures",
        nargs="+",
        default=list(ARCHITECTURE_KEYS),
        choices=ARCHITECTURE_KEYS,
        help="Which architectures to train.",
    )
    add(
        "--size",
        type=int,
        default=32,
        help="Frame side in pixels (C3D gets half, as the paper's 112 vs 224).",
    )
    add(
        "--time-scale",
        type=float,
        default=4.0,
        help="Divides the paper's frame counts and spacings (64 I3D frames -> 16).",
    )
    add("--speed", type=positive(int), default=2, help="Pixels the patch moves per frame.")
    add(
        "--train-clips",
        type=positive(int),
        default=128,
        help="Balanced over the 4 classes; a multiple of --batch-size.",
    )
    add("--val-clips", type=positive(int), default=64, help="Validation clips (another seed).")
    add(
        "--epochs",
        type=positive(int),
        default=4,
        help="Every model sees train-clips x epochs clips.",
    )
    add("--batch-size", type=positive(int), default=8)
    add(
        "--learning-rate",
        type=positive(float),
        default=0.01,
        help="Initial learning rate of the SGD recipe.",
    )
    add(
        "--schedule",
        default="cosine",
        choices=("cosine", "constant", "paper_steps"),
        help="Learning-rate schedule (cosine: one warm-up epoch, then decay to 0).",
    )
    add(
        "--batch-norm-momentum",
        type=float,
        default=0.9,
        help="Of every "
        "batch norm (the checkpoints' 0.999 needs thousands of steps for "
        "its validation statistics).",
    )
    add(
        "--flow-method",
        default="farneback",
        choices=("farneback", "tvl1"),
        help="Optical flow (tvl1 is the paper's; farneback is ~200x faster here).",
    )
    add(
        "--seed",
        type=int,
        default=0,
        help="Seeds the data (training: "
        "seed, validation: seed + 1), the weights and the shuffling.",
    )
    add("--verbose", type=int, default=0, choices=(0, 1, 2), help="Keras' training display.")
    args = parser.parse_args(argv)
    classes = len(MOTION_CLASSES)
    for passed, message in (
        (
            args.size >= 16,
            "--size must be at least 16 (C3D gets size / 2 "
            f"and five 2x pools). Received: {args.size}",
        ),
        (args.time_scale >= 1, f"--time-scale must be >= 1. Received: {args.time_scale}"),
        (
            0 <= args.batch_norm_momentum < 1,
            f"--batch-norm-momentum must be in [0, 1). Received: {args.batch_norm_momentum}",
        ),
        (
            args.train_clips % args.batch_size == 0,
            f"--train-clips "
            f"({args.train_clips}) must be a multiple of --batch-size "
            f"({args.batch_size}) so that every model sees every clip once "
            "per epoch.",
        ),
        (
            args.train_clips % classes == 0 and args.val_clips % classes == 0,
            f"--train-clips and --val-clips must be multiples of {classes} "
            f"(the classes are balanced). Received: {args.train_clips} and "
            f"{args.val_clips}",
        ),
    ):
        if not passed:
            parser.error(message)
    if args.cache_dir is None:
        from keras_i3d.weights.paths import home_dir

        args.cache_dir = str(home_dir() / "compare_flow")
    args.architectures = [key for key in ARCHITECTURE_KEYS if key in args.architectures]
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    from keras_i3d.cli.main import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    plan = input_plan(args.size, args.time_scale)
    print(
        f"Writing {args.train_clips} + {args.val_clips} videos of "
        f"{plan['video_frames']} frames at {args.size}px and their "
        f"{args.flow_method} flow (once per configuration) ...",
        flush=True,
    )
    train, train_seconds = write_split(args.train_clips, args.seed, plan, args)
    val, val_seconds = write_split(args.val_clips, args.seed + 1, plan, args)
    rows = []
    for key in args.architectures:
        model_started = time.perf_counter()
        row = result_row(key, plan, train_and_evaluate(key, train, val, plan, args))
        rows.append(row)
        streams = (
            ""
            if key not in TWO_STREAM_KEYS
            else (
                f" (RGB stream {percent(row['rgb_stream_accuracy'])}%, flow "
                f"stream {percent(row['flow_stream_accuracy'])}%)"
            )
        )
        print(
            f"{row['name']}: val accuracy {percent(row['val_accuracy'])}%"
            f"{streams}, {row['parameters']:,} parameters, "
            f"{time.perf_counter() - model_started:.0f} s",
            flush=True,
        )

    flow_seconds = train_seconds + val_seconds
    flow_text = {
        "farneback": "Farneback (OpenCV; the paper uses TV-L1)",
        "tvl1": "TV-L1, the paper's",
    }[args.flow_method]
    if flow_seconds:
        per_clip = flow_seconds / (args.train_clips + args.val_clips)
        flow_text += f", {1000 * per_clip:.0f} ms per clip to compute"
    summary = {
        "config": {k: v for k, v in vars(args).items() if k not in ("out", "cache_dir", "verbose")},
        "plan": plan,
        "flow_method_text": flow_text,
        "flow_seconds": flow_seconds,
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores "
        "(shared with other jobs: speeds are comparable within "
        "this run only)",
        "command": " ".join(
            ["python examples/compare_architectures.py"] + (sys.argv[1:] if argv is None else argv)
        ),
        "wall_seconds": time.perf_counter() - started,
        "rows": rows,
    }
    output = args.out
    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "results.csv"), "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in rows
        )
    with open(os.path.join(output, "results.md"), "w") as file:
        file.write(results_markdown(rows, summary))
    with open(os.path.join(output, "results.json"), "w") as file:
        json.dump(summary, file, indent=2)
    plot_accuracy(rows, os.path.join(output, "accuracy.png"))
    print(
        f"Wrote {output}/results.md, results.csv, results.json and "
        f"accuracy.png in {summary['wall_seconds'] / 60:.1f} min."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
