"""The options that several subcommands share, each defined once.

Every subcommand adds its shared options with these functions, so an option
has one name, one help text, one default and one check of its value in
every command (the names follow the glossary, docs/glossary.md). The
checks are argparse `type` functions: a bad value is a usage error (exit
code 2) before TensorFlow is imported. This module imports no TensorFlow,
so `keras-i3d --help` stays fast.

Example:

```python
parser = argparse.ArgumentParser()
add_out_option(parser)
add_short_side_option(parser)
args = parser.parse_args(["--out", "flow/"])
args.short_side  # None: the caller's default, usually 256
```
"""

import argparse
import pathlib

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS

# The values of `--stream`; a subcommand may accept a subset of them.
STREAM_CHOICES = ("rgb", "flow", "two_stream")
# The layouts `--dataset-format` reads (keras_i3d.data.formats).
DATASET_FORMATS = ("folders", "kinetics", "ucf101", "hmdb51")
DATASET_SOURCE_HELP = (
    "folders: a folder with one sub-folder of videos per class; "
    "kinetics: the annotation CSV; ucf101 / hmdb51: the split-file folder"
)
DEFAULT_WEIGHTS = "kinetics400"
# keras_i3d.models.fused.INFERENCE_PRECISIONS, restated here because this
# module imports no Keras (tests/cli/test_options.py checks they agree).
INFERENCE_PRECISIONS = ("float32", "mixed_bfloat16")


def _at_least(minimum, number_type):
    """An argparse `type` that parses `number_type` values >= `minimum`."""

    def parse(text):
        try:
            value = number_type(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'an integer' if number_type is int else 'a number'}. Received: {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}. Received: {text}")
        return value

    parse.__name__ = f"{number_type.__name__} >= {minimum:g}"
    return parse


def _positive_float(text):
    """An argparse `type` that parses a float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number. Received: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive. Received: {text}")
    return value


positive_int = _at_least(1, int)
non_negative_int = _at_least(0, int)


def add_out_option(parser, what="folder (created if missing)", metavar="DIR"):
    """Adds `--out` (required): where the output goes, `what` says how."""
    parser.add_argument(
        "--out",
        required=True,
        type=pathlib.Path,
        metavar=metavar,
        help=f"output {what}",
    )


def add_weights_option(parser):
    """Adds `--weights` (default kinetics400): the RGB (or only) model's."""
    parser.add_argument(
        "--weights",
        default=DEFAULT_WEIGHTS,
        help=(
            "weights: an alias (kinetics400, the default), a weights record "
            "name, a .weights.h5 file or an hf://owner/repo URI"
        ),
    )


def add_flow_weights_option(parser):
    """Adds `--flow-weights FILE` (default None): the flow stream's."""
    parser.add_argument(
        "--flow-weights",
        default=None,
        metavar="FILE",
        help=(
            "weights of the flow stream: a converted flow.weights.h5 (no "
            "pretrained flow stream is distributed), a weights record name "
            "or an hf://owner/repo URI"
        ),
    )


def stream_help(choices=STREAM_CHOICES):
    """The help of `--stream` for a subcommand that runs `choices`."""
    meanings = {
        "rgb": "rgb (default)",
        "flow": "flow (optical flow computed from the video, 1 to 2.5 s per "
        "frame on a CPU core with TV-L1)",
        "two_stream": "two_stream (RGB and flow)",
    }
    named = [meanings[choice] for choice in choices]
    return "the streams to run: " + (
        f"{', '.join(named[:-1])} or {named[-1]}" if len(named) > 1 else named[0]
    )


def add_stream_option(parser, choices=STREAM_CHOICES):
    """Adds `--stream` (default rgb).

    Args:
        parser: the subcommand's parser.
        choices: the streams this subcommand runs, a subset of
            `STREAM_CHOICES` in that order, with "rgb".

    Raises:
        ValueError: `choices` is not such a subset.
    """
    if "rgb" not in choices or any(choice not in STREAM_CHOICES for choice in choices):
        raise ValueError(
            f"`choices` must be a subset of {STREAM_CHOICES} with 'rgb'. "
            f"Received: choices={choices!r}"
        )
    parser.add_argument(
        "--stream",
        choices=tuple(choices),
        default="rgb",
        help=stream_help(choices),
    )


def add_flow_method_option(parser):
    """Adds `--flow-method` with the methods of `keras_i3d.flow.methods`."""
    from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
    from keras_i3d.flow.methods import FLOW_METHODS

    parser.add_argument(
        "--flow-method",
        choices=tuple(FLOW_METHODS),
        default=DEFAULT_FLOW_METHOD,
        help=(
            f"optical flow algorithm (default {DEFAULT_FLOW_METHOD}): tvl1 "
            "is the paper's and the checkpoints' flow; farneback is about "
            "100x faster, an approximation that lowers the flow stream's "
            "accuracy"
        ),
    )


def add_short_side_option(parser):
    """Adds `--short-side N` (default None: the caller's, usually 256)."""
    parser.add_argument(
        "--short-side",
        type=non_negative_int,
        default=None,
        metavar="N",
        help=(
            f"short side in pixels frames are resized to (default "
            f"{RESIZE_SHORT_SIDE}, or the evaluation view's); 0 keeps the "
            "videos' size where no crop follows"
        ),
    )


def add_crop_size_option(parser):
    """Adds `--crop-size N` (default None: the caller's, usually 224)."""
    parser.add_argument(
        "--crop-size",
        type=positive_int,
        default=None,
        metavar="N",
        help=(
            f"side in pixels of the square crop (default {CROP_SIZE}, the "
            "checkpoints', or the evaluation view's)"
        ),
    )


def _fps_or_native(text):
    """An argparse `type`: a positive frame rate, or `native` (None)."""
    if text == "native":
        return None
    return _positive_float(text)


def add_fps_option(parser):
    """Adds `--fps` (default 25): the frame rate videos are resampled to.

    `native` (None) keeps each file's own rate; a command that cannot work
    at the source rate refuses it (`refuse_native_fps`).
    """
    parser.add_argument(
        "--fps",
        type=_fps_or_native,
        default=TARGET_FPS,
        help=(
            "frame rate to resample videos to, or native to keep each "
            f"file's own where the command allows it (default {TARGET_FPS:g})"
        ),
    )


def refuse_native_fps(args, command):
    """Raises `CLIError` for `--fps native` in a command that needs a rate."""
    if args.fps is None:
        from keras_i3d.cli.errors import CLIError

        raise CLIError(f"{command} needs a frame rate: --fps native is for extract-features")


def add_folder_fps_option(parser):
    """Adds `--folder-fps` (default 25): the frame rate of image folders."""
    parser.add_argument(
        "--folder-fps",
        type=_positive_float,
        default=TARGET_FPS,
        help=f"frame rate of videos given as folders of frame images (default {TARGET_FPS:g})",
    )


def add_crops_option(parser, choices):
    """Adds `--crops N` (default 1): spatial crops per clip, of `choices`."""
    parser.add_argument(
        "--crops",
        type=int,
        default=1,
        choices=choices,
        help=(
            "spatial crops per clip: 1 the centre, 3 along the long side, 5 the "
            "corners and centre, 10 the corners and centre and their "
            "horizontal flips (default 1)"
        ),
    )


def add_workers_option(parser):
    """Adds `--workers N` (default 1): videos processed in parallel."""
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="videos processed in parallel (default 1)",
    )


def add_overwrite_option(parser, default_help="skip them"):
    """Adds `--overwrite`: redo work whose output exists; without it the
    command does what `default_help` says."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help=f"redo the work and replace outputs that already exist (default: {default_help})",
    )


def add_max_frames_option(parser):
    """Adds `--max-frames N` (default None: every frame)."""
    parser.add_argument(
        "--max-frames",
        type=positive_int,
        default=None,
        metavar="N",
        help="read at most the first N frames of each video, at the "
        "resampled frame rate (default: all)",
    )


def add_clip_length_option(
    parser,
    default_help="the whole video in one clip, convolutional in time as in the paper",
):
    """Adds `--clip-length N` (default None, which `default_help` explains:
    the command decides)."""
    parser.add_argument(
        "--clip-length",
        type=positive_int,
        default=None,
        metavar="N",
        help=f"frames per clip, one model input (default: {default_help})",
    )


def add_batch_size_option(parser, default):
    """Adds `--batch-size N`: the default suits what the command batches
    (64-frame windows or 16-frame clips), so each command gives its own."""
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=default,
        metavar="N",
        help=f"model inputs (clips or windows) per forward pass (default: {default})",
    )


def add_labels_option(parser):
    """Adds `--labels NAME` (default None)."""
    parser.add_argument(
        "--labels",
        default=None,
        metavar="NAME",
        help=(
            "label set (kinetics400, kinetics600): the class order of the "
            "model's outputs. --dataset-format kinetics reads its CSV in this "
            "order (default there: kinetics400); without it other datasets "
            "keep their own class order"
        ),
    )


def add_dataset_format_option(parser):
    """Adds `--dataset-format` (default folders): the annotations' layout."""
    parser.add_argument(
        "--dataset-format",
        choices=DATASET_FORMATS,
        default="folders",
        help="how SOURCE lists the videos and labels (default: folders)",
    )


def add_dataset_options(parser):
    """Adds the options of a labelled video set.

    `--dataset-format`, `--video-dir`, `--split` and `--subset`, read by
    `keras_i3d.cli.dataset_args.read_samples`.
    """
    group = parser.add_argument_group("dataset")
    add_dataset_format_option(group)
    group.add_argument(
        "--video-dir",
        help="folder of the videos, for --dataset-format kinetics, ucf101 and hmdb51",
    )
    group.add_argument(
        "--split",
        type=positive_int,
        default=1,
        help="UCF101/HMDB51 split number (default: 1)",
    )
    group.add_argument(
        "--subset",
        choices=("train", "test"),
        default=None,
        help="UCF101/HMDB51 subset, required with those formats",
    )


def parse_shard(text):
    """An argparse `type` that parses `i/N` (0 <= i < N) into `(i, N)`."""
    index, slash, count = text.partition("/")
    try:
        if not slash:
            raise ValueError
        index, count = int(index), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected i/N, the 0-based shard index i of N shards (e.g. 0/4). Received: {text!r}"
        ) from None
    if count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(
            f"expected 0 <= i < N in i/N (e.g. 0/4 ... 3/4). Received: {text!r}"
        )
    return index, count


def add_shard_option(parser):
    """Adds `--shard i/N` (default None: every input)."""
    parser.add_argument(
        "--shard",
        type=parse_shard,
        default=None,
        metavar="i/N",
        help=(
            "process only shard i (0-based) of N: the inputs are sorted by path and every N-th "
            "one from the i-th is taken, so N machines given 0/N ... N-1/N cover every input "
            "once (default: every input)"
        ),
    )


def select_shard(items, shard, key=str):
    """The items of shard `(i, N)` (see `add_shard_option`), or all of them.

    Args:
        items: the inputs (paths, `VideoSample`s, ...).
        shard: `(i, N)` from `parse_shard`, or None for every item.
        key: the sort key of an item (its path).

    Returns:
        A list: `sorted(items, key=key)[i::N]`, or `items` as given when
        `shard` is None.
    """
    if shard is None:
        return list(items)
    index, count = shard
    return sorted(items, key=key)[index::count]


def add_beam_option(parser):
    """Adds `--beam`: run the corpus job on Apache Beam (the [beam] extra).

    Beam pipeline options go after `--` on the command line; `main` puts
    them in `args.pipeline_args`.
    """
    parser.add_argument(
        "--beam",
        action="store_true",
        help=(
            'run the job on Apache Beam (pip install "keras-i3d[beam]"): the DirectRunner '
            "with --workers processes, or the runner named by Beam options after -- "
            "(e.g. -- --runner=DataflowRunner --project=P --region=R ...); corrupt videos "
            "are listed in OUT/failures.jsonl"
        ),
    )


def beam_jobs():
    """`keras_i3d.beam.jobs`, or a CLIError that says how to install Beam."""
    from keras_i3d.beam.dependencies import MissingBeamError
    from keras_i3d.beam.dependencies import import_beam
    from keras_i3d.cli.errors import CLIError

    try:
        import_beam()
    except MissingBeamError as error:
        raise CLIError(str(error)) from None
    from keras_i3d.beam import jobs

    return jobs


def add_inference_graph_options(parser):
    """Adds `--precision` and `--no-fuse`: the graph that runs
    (`keras_i3d.models.fused.inference_model`)."""
    add_precision_option(parser)
    add_no_fuse_option(parser)


def add_precision_option(parser):
    """Adds `--precision` (default float32, or mixed_bfloat16 on request)."""
    parser.add_argument(
        "--precision",
        choices=INFERENCE_PRECISIONS,
        default=INFERENCE_PRECISIONS[0],
        help=(
            "float32 (default: logits within 1e-4 of the reference graph) or "
            "mixed_bfloat16 (about 2.5x faster on CPUs with AMX, logits within "
            "about 0.2)"
        ),
    )


def add_no_fuse_option(parser):
    """Adds `--no-fuse` (sets `fused` False): run the reference graph."""
    parser.add_argument(
        "--no-fuse",
        dest="fused",
        action="store_false",
        help=(
            "run the reference I3D graph instead of the fused one (batch norm "
            "folded into the convolutions, the default); float32 only"
        ),
    )
