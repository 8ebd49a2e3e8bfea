"""Rebuild the paper's architecture comparison on a motion-only dataset.

```
python examples/compare_architectures.py [--output-dir docs/compare] \
    [--size 32] [--train-clips 128] [--val-clips 64] [--epochs 4] ...
```

Quo Vadis (Carreira & Zisserman, CVPR 2017) compares five video
architectures on Kinetics: ConvNet+LSTM, a 3D ConvNet (C3D), Two-Stream 2D,
3D-Fused Two-Stream and Two-Stream I3D. This script trains all of them
(and RGB-only I3D) from scratch with the same budget (the same training
clips, in the same order, for the same number of epochs, with the same
optimizer recipe from `keras_i3d.training`) on the synthetic motion dataset
of `keras_i3d.data.synthetic_motion`: a textured patch moving right, left,
down or up over a textured background. Every frame of a clip has the same
distribution in all four classes, so a single frame cannot tell them
apart: an RGB network that sees one frame (the RGB stream of Two-Stream
2D) can do no better than chance (25%), and only motion separates the
classes.

Each architecture reads its paper input view (`keras_i3d.data.PAPER_INPUTS`,
Table 1 / Sec. 2) scaled by `PaperInput.scaled`: every frame count divided
by `--time-scale` (default 4; 64 I3D frames become 16, ConvNet+LSTM's 25
frames every 5th become 7 every 5th, 3D-Fused's 5 snapshots 10 apart with
10 flow frames become 5 snapshots 3 apart with 3) and every frame side by
224 / `--size` (C3D's 112 becomes `--size` / 2).

The data goes the way real data goes. Each split is written once as
`.mp4` videos, a folder per class, under `--cache-dir`; their optical flow
is computed from the decoded videos by `keras_i3d.flow` (Farneback by
default, for speed; `--flow-method tvl1` is the paper's and about 200 times
slower here) and stored quantised (`keras_i3d.flow.write_flow`, within
0.08 px). Every architecture then reads the videos through
`keras_i3d.data.video_dataset` with its own `InputView`
(`keras_i3d.data.views`): a random window per video and epoch for training
(one seed, so every architecture gets the videos in the same order), the
central window for validation, no flip (a mirrored "right" is "left").

Every model is built by name (`keras_i3d.models.get_model`) and returns
logits (`classifier_activation=None`; Two-Stream 2D then averages its two
streams' logits where the paper averages their softmax scores). I3D's
`Logits` head needs clips of at least 9 frames and 193 pixels, so each I3D
stream is built with `include_top=False, pooling="avg"`, then dropout
(`TrainingConfig.dropout_rate`) and a dense layer to the classes: the same
head (average pool, dropout, 1x1x1 conv, mean), since the conv is linear
and commutes with the averages. Two-Stream I3D adds the two streams'
logits and trains each stream with its own loss, as the paper does.

Outputs in `--output-dir`: `results.md` and `results.csv` (validation
accuracy, per-stream accuracy of the two-stream models, parameters,
training and inference clips per second, and the paper's Kinetics top-1
for the same architectures), `accuracy.png` (bar plot) and
`results.json` (the configuration, the command and the wall time).
"""

import argparse
import csv
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_i3d.data.synthetic_motion import MOTION_CLASSES  # noqa: E402

CHANCE = 1 / len(MOTION_CLASSES)
# Kinetics top-1 accuracy (%) of the paper: Table 3, trained from scratch
# ("Kinetics") and from ImageNet weights ("ImageNet then Kinetics", the
# numbers of Table 2), as (RGB, Flow, RGB+Flow); None where the paper has
# no number. Table 1 gives the parameter counts.
PAPER_KINETICS = {
    "convnet_lstm": {"scratch": (53.9, None, None),
                     "imagenet": (63.3, None, None), "params": "9M"},
    "c3d": {"scratch": (56.1, None, None),
            "imagenet": (None, None, None), "params": "79M"},
    "two_stream_2d": {"scratch": (57.9, 49.6, 62.8),
                      "imagenet": (62.2, 52.4, 65.6), "params": "12M"},
    "fused_two_stream_3d": {"scratch": (None, None, 62.7),
                            "imagenet": (None, None, 67.2), "params": "39M"},
    "i3d_rgb": {"scratch": (68.4, None, None),
                "imagenet": (71.1, None, None), "params": "-"},
    "two_stream_i3d": {"scratch": (68.4, 61.5, 71.6),
                       "imagenet": (71.1, 63.4, 74.2), "params": "25M"},
}

ARCHITECTURES = (
    ("convnet_lstm", "ConvNet+LSTM"),
    ("c3d", "3D-ConvNet (C3D)"),
    ("two_stream_2d", "Two-Stream 2D"),
    ("fused_two_stream_3d", "3D-Fused Two-Stream"),
    ("i3d_rgb", "I3D (RGB)"),
    ("two_stream_i3d", "Two-Stream I3D"),
)
ARCHITECTURE_KEYS = tuple(key for key, _ in ARCHITECTURES)
ARCHITECTURE_NAMES = dict(ARCHITECTURES)

CSV_COLUMNS = (
    "architecture", "name", "inputs", "val_accuracy", "val_loss",
    "rgb_stream_accuracy",
    "flow_stream_accuracy", "parameters", "train_clips_per_s",
    "inference_clips_per_s", "paper_params", "paper_kinetics_top1_scratch",
    "paper_kinetics_top1_imagenet", "paper_rgb_stream_top1_scratch",
    "paper_flow_stream_top1_scratch",
)


class ComparisonError(ValueError):
    """A configuration the comparison cannot run, or a bad cache entry."""


# ---------------------------------------------------------------- inputs


def input_plan(size, time_scale):
    """The run's scale: `size`, `time_scale` and `video_frames`, the
    frames a generated video needs so that every architecture's input fits.
    """
    plan = {"size": size, "time_scale": time_scale}
    longest = max(architecture_view(key, plan)[0].span
                  for key in ARCHITECTURE_KEYS)
    # One more frame than any input reaches, so that the last flow field
    # used is a real one (not the repeated last field).
    return {**plan, "video_frames": longest + 1}


def architecture_view(key, plan):
    """What architecture `key` sees of a video: its input view and sizes.

    Returns:
        `(view, resize, crop_size)`: the paper's training view of `key`
        scaled to the plan (`PaperInput.scaled`), and the pipeline's
        resize (None: frames keep their size) and crop.
    """
    from keras_i3d.data import PAPER_INPUTS

    paper = PAPER_INPUTS[key].scaled(plan["time_scale"], plan["size"])
    crop_size = paper.crop_size
    # C3D reads whole frames resized to its crop (the paper's 112 of 224).
    resize = crop_size if crop_size < plan["size"] else None
    return paper.train, resize, crop_size


def describe_inputs(key, plan):
    """A short text of what `key` sees, for the results table."""
    view, _, crop_size = architecture_view(key, plan)
    return f"{view.describe()}, {crop_size}px"


# ------------------------------------------------------------- the data


def write_split(count, seed, plan, args):
    """Writes a split of the motion dataset as videos and their flow.

    The clips are written as `.mp4` files (`write_motion_videos`, a
    folder per class), then decoded again and their optical flow computed
    (`keras_i3d.flow.video_flow`) and stored quantised as `.npz`
    (`keras_i3d.flow.write_flow`, within 0.08 px): what the pipelines read.
    A split is written once per configuration under `--cache-dir` and
    reused; `split.json` marks it complete.

    Returns:
        `(samples, seconds)`: `VideoSample`s with `flow_path` set, and the
        seconds spent computing flow (0 when the split came from the cache).
    """
    import shutil

    from keras_i3d.data.synthetic_motion import write_motion_videos
    from keras_i3d.flow.video import video_flow
    from keras_i3d.flow import write_flow

    classes = len(MOTION_CLASSES)
    key = (f"{args.flow_method}_seed{seed}_n{count}_t{plan['video_frames']}"
           f"_s{plan['size']}_v{args.speed}")
    root = os.path.join(args.cache_dir, key)
    manifest = os.path.join(root, "split.json")
    if os.path.exists(manifest):
        return read_split_manifest(root, manifest), 0.0
    if os.path.exists(root):  # an interrupted write
        shutil.rmtree(root)
    written = write_motion_videos(
        os.path.join(root, "videos"), count // classes, seed=seed,
        frames=plan["video_frames"], size=plan["size"], speed=args.speed,
    )
    entries, seconds = [], 0.0
    for path, label in written:
        start = time.perf_counter()
        flow = video_flow(path, method=args.flow_method, short_side=None).flow
        seconds += time.perf_counter() - start
        relative = os.path.relpath(path, root)
        flow_path = os.path.join("flow", os.path.splitext(relative)[0]
                                 + ".npz")
        write_flow(flow, os.path.join(root, flow_path), "npz",
                   metadata={"method": args.flow_method, "video": relative})
        entries.append({"path": relative, "label": label, "flow": flow_path})
    with open(manifest + ".partial", "w") as file:
        json.dump({"samples": entries}, file, indent=1)
    os.replace(manifest + ".partial", manifest)
    return read_split_manifest(root, manifest), seconds


def read_split_manifest(root, manifest):
    """The `VideoSample`s a complete split's `split.json` lists.

    Raises:
        ComparisonError: a file it lists is gone.
    """
    from keras_i3d.data import VideoSample

    with open(manifest) as file:
        entries = json.load(file)["samples"]
    samples = [VideoSample(os.path.join(root, entry["path"]), entry["label"],
                           flow_path=os.path.join(root, entry["flow"]))
               for entry in entries]
    missing = [s.flow_path for s in samples
               if not (os.path.exists(s.path) and os.path.exists(s.flow_path))]
    if missing:
        raise ComparisonError(
            f"{manifest}: {len(missing)} files of the cached split are "
            f"missing (first: {missing[0]}); remove the folder {root}"
        )
    return samples


def architecture_dataset(key, samples, plan, training, args, skipped):
    """The `tf.data` pipeline of architecture `key` over `samples`.

    `keras_i3d.data.video_dataset` with the architecture's view: training
    samples a random window of every video (the same windows, in the same
    order, for every architecture: one seed), validation the central one.
    There is no flip: mirroring would turn "right" into "left".
    """
    from keras_i3d.flow import read_flow
    from keras_i3d.data import video_dataset

    view, resize, crop_size = architecture_view(key, plan)
    return video_dataset(
        samples, view=view, sampling="random" if training else "uniform",
        augment=False, shuffle=training, seed=args.seed, deterministic=True,
        resize=resize, crop_size=crop_size, flow_reader=read_flow,
        batch_size=args.batch_size if training else None, skipped=skipped,
    )


def split_arrays(dataset):
    """Reads an unbatched `(inputs, label)` dataset into arrays.

    Returns:
        `(inputs, labels)`: a tuple of arrays, one per model input, and the
        int labels.
    """
    import numpy as np

    inputs, labels = [], []
    for example, label in dataset:
        example = example if isinstance(example, tuple) else (example,)
        inputs.append([x.numpy() for x in example])
        labels.append(int(label))
    return (tuple(np.stack(column) for column in zip(*inputs)),
            np.array(labels))


# ------------------------------------------------------------- the models


def i3d_stream(stream, input_shape, classes, dropout_rate):
    """One I3D stream with a pooled-feature head that returns logits."""
    import keras

    from keras_i3d.models import get_model

    backbone = get_model(
        f"i3d_{stream}", weights=None, include_top=False, pooling="avg",
        input_shape=input_shape, name=f"i3d_{stream}_backbone",
    )
    x = keras.layers.Dropout(dropout_rate, name="Logits_Dropout")(
        backbone.output
    )
    logits = keras.layers.Dense(classes, dtype="float32", name="Logits")(x)
    return keras.Model(backbone.input, logits, name=f"i3d_{stream}")


def two_stream_i3d(rgb_shape, flow_shape, classes, dropout_rate):
    """Two I3D streams; the same outputs as `keras_i3d.TwoStreamI3D`."""
    import keras

    inputs = [keras.Input(rgb_shape, name="rgb_clip"),
              keras.Input(flow_shape, name="flow_clip")]
    rgb_logits, flow_logits = (
        i3d_stream(stream, shape, classes, dropout_rate)(x)
        for stream, shape, x in zip(("rgb", "flow"), (rgb_shape, flow_shape),
                                    inputs))
    outputs = {
        "predictions": keras.layers.Add(dtype="float32", name="predictions")(
            [rgb_logits, flow_logits]),
        "rgb_logits": keras.layers.Identity(name="rgb_logits")(rgb_logits),
        "flow_logits": keras.layers.Identity(name="flow_logits")(flow_logits),
    }
    return keras.Model(inputs, outputs, name="two_stream_i3d")


def build_model(key, input_shapes, classes, dropout_rate):
    """Builds architecture `key` for inputs of `input_shapes` (logits)."""
    from keras_i3d.models import get_model

    if key == "i3d_rgb":
        return i3d_stream("rgb", input_shapes[0], classes, dropout_rate)
    if key == "two_stream_i3d":
        return two_stream_i3d(*input_shapes, classes, dropout_rate)
    shapes = input_shapes[0] if len(input_shapes) == 1 else input_shapes
    return get_model(key, input_shape=shapes, classes=classes,
                     classifier_activation=None)


def evaluation_model(key, model):
    """`model` with each stream's logits as extra outputs.

    Returns a model whose outputs are `[joint logits, rgb logits, flow
    logits]` for the two-stream models (Two-Stream 2D's streams are the
    per-snapshot outputs of its two Inception-v1 networks, Two-Stream
    I3D's its `rgb_logits` and `flow_logits`), or `[logits]` for the
    others. The streams are computed anyway, so timing this model is
    timing `model`.
    """
    import keras

    if key == "two_stream_2d":
        outputs = [model.output,
                   model.get_layer("rgb_inception_v1_frames").output,
                   model.get_layer("flow_inception_v1_frames").output]
    elif key == "two_stream_i3d":
        outputs = [model.output[name] for name in
                   ("predictions", "rgb_logits", "flow_logits")]
    else:
        outputs = [model.output]
    return keras.Model(model.inputs, outputs, name=f"{model.name}_eval")


# ---------------------------------------------------------- train, measure


def epoch_timer(seconds):
    """A callback that appends each epoch's wall time to `seconds`."""
    import keras

    started = []
    return keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: started.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: seconds.append(
            time.perf_counter() - started[-1]),
    )


def top1_and_loss(logits, labels):
    """Top-1 accuracy (`keras_i3d.training.classification_metrics`) and
    mean cross-entropy of `(N, classes)` logits; `(N, T, classes)`
    per-snapshot logits are averaged over the snapshots first."""
    import numpy as np

    from keras_i3d.training import SparseCategoricalCrossentropy
    from keras_i3d.training import classification_metrics

    logits = np.asarray(logits, np.float32)
    if logits.ndim == 3:
        logits = logits.mean(axis=1)
    top1 = classification_metrics(logits, labels, logits.shape[-1])["top1"]
    loss = SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    return top1, float(loss)


def model_inputs(inputs):
    """The arrays as Keras wants them: one array, or a tuple of several."""
    return inputs[0] if len(inputs) == 1 else tuple(inputs)


def timed_predict(model, inputs, batch_size):
    """Predicts `inputs` after a traced warm-up batch; returns the
    outputs (a list) and the clips per second of the timed pass."""
    warm_up = tuple(x[:batch_size] for x in inputs)
    model.predict(model_inputs(warm_up), batch_size=batch_size, verbose=0)
    start = time.perf_counter()
    outputs = model.predict(model_inputs(inputs), batch_size=batch_size,
                            verbose=0)
    speed = len(inputs[0]) / (time.perf_counter() - start)
    return (outputs if isinstance(outputs, list) else [outputs]), speed


def train_and_evaluate(key, train_samples, val_samples, plan, args):
    """Trains architecture `key` on the video pipelines and measures it.

    Args:
        key: one of `ARCHITECTURE_KEYS`.
        train_samples: the training `VideoSample`s (videos and flow).
        val_samples: the validation `VideoSample`s.
        plan: from `input_plan`.
        args: the parsed flags.

    Returns:
        A dict of the measurements (see `CSV_COLUMNS`).
    """
    import keras

    from keras_i3d.data import SkippedVideos
    from keras_i3d.training import TrainingConfig
    from keras_i3d.training import compile_model
    from keras_i3d.training.recipe import prepare_dataset

    skipped = SkippedVideos()
    val_inputs, val_labels = split_arrays(architecture_dataset(
        key, val_samples, plan, training=False, args=args, skipped=skipped))
    steps_per_epoch = len(train_samples) // args.batch_size
    config = TrainingConfig(
        classes=len(set(sample.label for sample in train_samples)),
        stream="two_stream" if len(val_inputs) == 2 else "rgb",
        frames=val_inputs[0].shape[1],
        crop_size=val_inputs[0].shape[2],
        epochs=args.epochs,
        steps_per_epoch=steps_per_epoch,
        learning_rate=args.learning_rate,
        schedule=args.schedule,
        # One warm-up epoch for the cosine schedule (none in a 1-epoch run).
        warmup_steps=(steps_per_epoch if args.schedule == "cosine"
                      and args.epochs > 1 else 0),
        # The checkpoints' 0.999 would leave validation with the initial
        # statistics after a few dozen steps.
        batch_norm_momentum=args.batch_norm_momentum,
        # XLA is slower to compile than to run at this size on a CPU.
        jit_compile=False,
    )
    keras.utils.set_random_seed(args.seed)
    model = build_model(key, [x.shape[1:] for x in val_inputs],
                        config.classes, config.dropout_rate)
    compile_model(model, config)

    dataset = architecture_dataset(key, train_samples, plan, training=True,
                                   args=args, skipped=skipped)
    dataset = prepare_dataset(dataset, model).repeat()
    epoch_seconds = []
    model.fit(dataset, epochs=config.epochs,
              steps_per_epoch=steps_per_epoch,
              callbacks=[epoch_timer(epoch_seconds)], verbose=args.verbose)
    # Training speed over the epochs after the first (which traces the
    # graph); over the first when there is only one.
    timed = epoch_seconds[1:] or epoch_seconds
    if len(skipped):
        raise ComparisonError(
            f"{key}: the pipeline skipped videos of the generated dataset: "
            f"{skipped.summary()}"
        )

    outputs, inference_speed = timed_predict(
        evaluation_model(key, model), val_inputs, args.batch_size)
    val_accuracy, val_loss = top1_and_loss(outputs[0], val_labels)
    row = {
        "architecture": key,
        "name": ARCHITECTURE_NAMES[key],
        "val_accuracy": val_accuracy,
        "val_loss": val_loss,
        "rgb_stream_accuracy": None,
        "flow_stream_accuracy": None,
        "parameters": model.count_params(),
        "train_clips_per_s": (steps_per_epoch * args.batch_size * len(timed)
                              / sum(timed)),
        "inference_clips_per_s": inference_speed,
    }
    if len(outputs) == 3:
        row["rgb_stream_accuracy"] = top1_and_loss(outputs[1], val_labels)[0]
        row["flow_stream_accuracy"] = top1_and_loss(outputs[2],
                                                    val_labels)[0]
    keras.backend.clear_session()
    return row


# ------------------------------------------------------------ the outputs


def paper_columns(key):
    """The paper's numbers for `key`, in the modalities of our columns.

    `paper_kinetics_top1_*` is the modality of `val_accuracy` (RGB+Flow for
    the two-stream models, else RGB); the stream columns are filled for
    the two models whose streams the paper reports alone.
    """
    paper = PAPER_KINETICS[key]

    def headline(triple):
        rgb, _, joint = triple
        return rgb if joint is None else joint

    rgb, flow, _ = paper["scratch"]
    two_stream = key in ("two_stream_2d", "two_stream_i3d")
    return {
        "paper_params": paper["params"],
        "paper_kinetics_top1_scratch": headline(paper["scratch"]),
        "paper_kinetics_top1_imagenet": headline(paper["imagenet"]),
        "paper_rgb_stream_top1_scratch": rgb if two_stream else None,
        "paper_flow_stream_top1_scratch": flow if two_stream else None,
    }


def _percent(value):
    return "-" if value is None else f"{100 * value:.1f}"


def write_csv(rows, path):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({
                column: "" if row[column] is None else (
                    round(row[column], 4) if isinstance(row[column], float)
                    else row[column])
                for column in CSV_COLUMNS
            })


def markdown_table(rows, summary):
    """The results as a Markdown document (table and its footnotes)."""

    def paper(value):
        return "-" if value is None else f"{value}"

    def stream(ours, theirs):
        if ours is None:
            return "-"
        return _percent(ours) + ("" if theirs is None else f" [{theirs}]")

    lines = [
        "| Architecture | Inputs per clip | Val. accuracy % | RGB stream % "
        "| Flow stream % | Parameters | Train clips/s | Inference clips/s "
        "| Paper: params | Paper: Kinetics top-1 %, scratch / ImageNet |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        rgb = stream(row["rgb_stream_accuracy"],
                     row["paper_rgb_stream_top1_scratch"])
        flow = stream(row["flow_stream_accuracy"],
                      row["paper_flow_stream_top1_scratch"])
        lines.append(
            f"| {row['name']} | {row['inputs']} "
            f"| {_percent(row['val_accuracy'])} | {rgb} | {flow} "
            f"| {row['parameters']:,} "
            f"| {row['train_clips_per_s']:.1f} "
            f"| {row['inference_clips_per_s']:.1f} "
            f"| {row['paper_params']} "
            f"| {paper(row['paper_kinetics_top1_scratch'])} / "
            f"{paper(row['paper_kinetics_top1_imagenet'])} |"
        )
    config = summary["config"]
    lines += [
        "",
        f"Synthetic motion dataset, 4 classes (chance {100 * CHANCE:.0f}%): "
        f"{config['train_clips']} training and {config['val_clips']} "
        f"validation videos (.mp4) of {summary['plan']['video_frames']} "
        f"frames at {config['size']}x{config['size']}, patch speed "
        f"{config['speed']} px/frame, read through "
        "`keras_i3d.data.video_dataset` with each architecture's input view "
        "(training: a random window per video and epoch; validation: the "
        f"central window). Every model: {config['epochs']} epochs of the "
        f"same videos in the same order, batch {config['batch_size']}, the "
        f"`keras_i3d.training` recipe (SGD momentum 0.9, weight decay 1e-7, "
        f"learning rate {config['learning_rate']}, {config['schedule']} "
        f"schedule), from random weights, float32. Flow: "
        f"{summary['flow_method_text']}. Frame counts are the paper's "
        f"divided by {config['time_scale']:g}.",
        "",
        "Stream columns: the accuracy of each stream of a two-stream model "
        "alone (Two-Stream 2D's RGB stream sees one frame), with the "
        "paper's Kinetics top-1 of that stream (from scratch) in brackets. "
        "Training "
        "clips/s excludes the first epoch (graph tracing) when there is "
        "more than one; inference clips/s is one pass over the validation "
        "clips after a warm-up batch; flow computation is in neither. "
        f"Measured on {summary['machine']}.",
        "",
        "Paper columns: Carreira & Zisserman (CVPR 2017), Table 1 "
        "(parameters) and Table 3 (Kinetics top-1 %, trained from scratch "
        "/ from ImageNet weights, the latter also in Table 2), in the "
        "modality of our accuracy column (RGB+Flow for the two-stream "
        "models). RGB-only I3D is the RGB column of Two-Stream I3D (the "
        "paper trains the streams separately); the paper's C3D has no "
        "ImageNet version.",
        "",
        f"Command: `{summary['command']}`, wall time "
        f"{summary['wall_seconds'] / 60:.1f} min.",
        "",
    ]
    return "\n".join(lines)


def plot_accuracy(rows, path):
    """Bar plot: validation accuracy per architecture (and per stream),
    next to the paper's Kinetics top-1 from scratch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"RGB": "#4c72b0", "Flow": "#dd8452", "RGB+Flow": "#55a868"}
    bars = []
    for row in rows:
        key = row["architecture"]
        if row["rgb_stream_accuracy"] is not None:
            bars.append((f"{row['name']}\nRGB stream",
                         row["rgb_stream_accuracy"], "RGB"))
            bars.append((f"{row['name']}\nflow stream",
                         row["flow_stream_accuracy"], "Flow"))
        modality = ("RGB+Flow" if key in ("two_stream_2d",
                                          "fused_two_stream_3d",
                                          "two_stream_i3d") else "RGB")
        bars.append((row["name"], row["val_accuracy"], modality))
    paper = []
    for key, name in ARCHITECTURES:
        rgb, flow, joint = PAPER_KINETICS[key]["scratch"]
        value = joint if joint is not None else rgb
        modality = "RGB+Flow" if joint is not None else "RGB"
        paper.append((name, value / 100, modality))

    figure, (ours, theirs) = plt.subplots(
        1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [3, 2]}
    )
    for axis, entries, title in (
        (ours, bars, "This run: synthetic motion, validation accuracy"),
        (theirs, paper, "Paper: Kinetics top-1, from scratch (Table 3)"),
    ):
        positions = range(len(entries))
        axis.bar(positions, [value for _, value, _ in entries],
                 color=[colors[m] for _, _, m in entries])
        for position, (_, value, _) in zip(positions, entries):
            axis.text(position, value + 0.01, f"{100 * value:.0f}",
                      ha="center", fontsize=8)
        axis.set_xticks(list(positions))
        axis.set_xticklabels([name for name, _, _ in entries], rotation=60,
                             ha="right", fontsize=8)
        axis.set(ylim=(0, 1.08), title=title)
        axis.grid(axis="y", alpha=0.3)
    ours.axhline(CHANCE, color="gray", linestyle="--", linewidth=1)
    ours.text(len(bars) - 0.5, CHANCE + 0.01, "chance", color="gray",
              ha="right", fontsize=8)
    ours.set_ylabel("accuracy")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()]
    theirs.legend(handles, list(colors), loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def machine_text():
    import platform

    return (f"{platform.machine()} CPU, {os.cpu_count()} cores "
            "(shared with other jobs: speeds are comparable within this "
            "run only)")


# ------------------------------------------------------------------ main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--output-dir", default="docs/compare",
                        help="Where results.md/.csv/.json and accuracy.png "
                        "go.")
    parser.add_argument("--cache-dir", help="Flow cache folder. Default: "
                        "$KERAS_I3D_HOME/compare_flow (~/.cache/keras_i3d).")
    parser.add_argument("--architectures", nargs="+",
                        default=list(ARCHITECTURE_KEYS),
                        choices=ARCHITECTURE_KEYS,
                        help="Which architectures to train, in the table's "
                        "order.")
    parser.add_argument("--size", type=int, default=32,
                        help="Frame side in pixels (C3D gets half, as the "
                        "paper's 112 vs 224).")
    parser.add_argument("--time-scale", type=float, default=4.0,
                        help="Divides the paper's frame counts and spacings "
                        "(64 I3D frames -> 16).")
    parser.add_argument("--speed", type=int, default=2,
                        help="Pixels the patch moves per frame.")
    parser.add_argument("--train-clips", type=int, default=128,
                        help="Training clips (balanced over the 4 classes; "
                        "a multiple of --batch-size).")
    parser.add_argument("--val-clips", type=int, default=64,
                        help="Validation clips (another seed).")
    parser.add_argument("--epochs", type=int, default=4,
                        help="Epochs: every model sees train-clips x epochs "
                        "clips.")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=0.01,
                        help="Initial learning rate of the SGD recipe.")
    parser.add_argument("--schedule", default="cosine",
                        choices=("cosine", "constant", "paper_steps"),
                        help="Learning-rate schedule (cosine: one warm-up "
                        "epoch, then cosine decay to 0).")
    parser.add_argument("--batch-norm-momentum", type=float, default=0.9,
                        help="Moving-average momentum of every batch norm "
                        "(the checkpoints' 0.999 needs thousands of steps "
                        "for its validation statistics).")
    parser.add_argument("--flow-method", default="farneback",
                        choices=("farneback", "tvl1"),
                        help="Optical flow (tvl1 is the paper's; farneback "
                        "is ~200x faster here).")
    parser.add_argument("--seed", type=int, default=0,
                        help="Seeds the data (training: seed, validation: "
                        "seed + 1), the weights and the shuffling.")
    parser.add_argument("--verbose", type=int, default=0, choices=(0, 1, 2),
                        help="Keras' training display.")
    args = parser.parse_args(argv)
    if args.size < 16:
        parser.error(f"--size must be at least 16 (C3D gets size / 2 and "
                     f"five 2x pools). Received: {args.size}")
    if args.time_scale < 1:
        parser.error(f"--time-scale must be >= 1. Received: "
                     f"{args.time_scale}")
    for flag in ("train_clips", "val_clips", "epochs", "batch_size",
                 "speed"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be positive. "
                         f"Received: {getattr(args, flag)}")
    if args.train_clips % args.batch_size:
        parser.error(
            f"--train-clips ({args.train_clips}) must be a multiple of "
            f"--batch-size ({args.batch_size}) so that every model sees "
            "every clip once per epoch."
        )
    for flag in ("train_clips", "val_clips"):
        if getattr(args, flag) % len(MOTION_CLASSES):
            parser.error(
                f"--{flag.replace('_', '-')} must be a multiple of "
                f"{len(MOTION_CLASSES)} (the classes are balanced). "
                f"Received: {getattr(args, flag)}"
            )
    if not 0 <= args.batch_norm_momentum < 1:
        parser.error(f"--batch-norm-momentum must be in [0, 1). Received: "
                     f"{args.batch_norm_momentum}")
    if args.learning_rate <= 0:
        parser.error(f"--learning-rate must be positive. Received: "
                     f"{args.learning_rate}")
    if args.cache_dir is None:
        from keras_i3d.weights.paths import home_dir

        args.cache_dir = str(home_dir() / "compare_flow")
    order = [key for key in ARCHITECTURE_KEYS if key in args.architectures]
    args.architectures = order
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    from keras_i3d.cli.main import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    plan = input_plan(args.size, args.time_scale)
    print(f"Writing {args.train_clips} + {args.val_clips} videos of "
          f"{plan['video_frames']} frames at {args.size}px and their "
          f"{args.flow_method} flow (once per configuration) ...",
          flush=True)
    train_samples, train_seconds = write_split(
        args.train_clips, args.seed, plan, args)
    val_samples, val_seconds = write_split(
        args.val_clips, args.seed + 1, plan, args)
    flow_seconds = train_seconds + val_seconds

    rows = []
    for key in args.architectures:
        model_started = time.perf_counter()
        row = train_and_evaluate(key, train_samples, val_samples, plan, args)
        row["inputs"] = describe_inputs(key, plan)
        row.update(paper_columns(key))
        rows.append(row)
        streams = ""
        if row["rgb_stream_accuracy"] is not None:
            streams = (f" (RGB stream {_percent(row['rgb_stream_accuracy'])}"
                       f"%, flow stream "
                       f"{_percent(row['flow_stream_accuracy'])}%)")
        print(f"{row['name']}: val accuracy "
              f"{_percent(row['val_accuracy'])}%{streams}, "
              f"{row['parameters']:,} parameters, "
              f"{time.perf_counter() - model_started:.0f} s", flush=True)

    wall_seconds = time.perf_counter() - started
    flow_text = {"farneback": "Farneback (OpenCV; the paper uses TV-L1)",
                 "tvl1": "TV-L1, the paper's"}[args.flow_method]
    if flow_seconds:
        per_clip = flow_seconds / (args.train_clips + args.val_clips)
        flow_text += f", {1000 * per_clip:.0f} ms per clip to compute"
    summary = {
        "config": {k: v for k, v in vars(args).items()
                   if k not in ("output_dir", "cache_dir", "verbose")},
        "plan": plan,
        "flow_method_text": flow_text,
        "flow_seconds": flow_seconds,
        "machine": machine_text(),
        "command": " ".join(["python examples/compare_architectures.py"]
                            + (sys.argv[1:] if argv is None else argv)),
        "wall_seconds": wall_seconds,
        "rows": rows,
    }
    os.makedirs(args.output_dir, exist_ok=True)
    write_csv(rows, os.path.join(args.output_dir, "results.csv"))
    with open(os.path.join(args.output_dir, "results.md"), "w") as file:
        file.write(markdown_table(rows, summary))
    with open(os.path.join(args.output_dir, "results.json"), "w") as file:
        json.dump(summary, file, indent=2)
    plot_accuracy(rows, os.path.join(args.output_dir, "accuracy.png"))
    print(f"Wrote {args.output_dir}/results.md, results.csv, results.json "
          f"and accuracy.png in {wall_seconds / 60:.1f} min.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
