"""`keras-i3d extract-features`: I3D features per video, with their time base.

Example:

```
keras-i3d extract-features videos/ --stream two_stream --out features/
keras-i3d extract-features list.txt --endpoint Logits --window 64 --stride 16 \\
    --out logits/
keras-i3d extract-features videos/ --preset thumos14 --flow-weights flow.weights.h5 \\
    --out thumos/
```

Each video gives `OUT/<video_id>_rgb.npy` and/or `OUT/<video_id>_flow.npy`
(or one `OUT/<video_id>.npy` with `--concat-streams`), float32 of shape
`(rows, 1024)` for `Mixed_5c` or `(rows, 400)` for `Logits` (before
softmax), and `OUT/<video_id>.json`, the sidecar that gives every row's
frame range and times (docs/features.md). Videos are decoded a chunk at a
time, so memory does not grow with their length. Files that exist are
skipped, so a stopped run resumes; each is written to a temporary name and
renamed when complete.
"""

import dataclasses
import pathlib
import sys

import numpy as np

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError
from keras_i3d.cli.flow import collect_videos
from keras_i3d.cli.flow import report
from keras_i3d.cli.flow import unique_video_ids
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS


def add_parser(subparsers):
    from keras_i3d.models.endpoints import ENDPOINTS
    from keras_i3d.tasks.features.crops import CROP_REDUCTIONS
    from keras_i3d.tasks.features.models import POOLINGS
    from keras_i3d.tasks.features.presets import PRESETS
    from keras_i3d.tasks.features.windows import DEFAULT_ENDPOINT
    from keras_i3d.tasks.features.windows import DEFAULT_STRIDE
    from keras_i3d.tasks.features.windows import DEFAULT_WINDOW
    from keras_i3d.tasks.features.windows import PADDINGS

    parser = subparsers.add_parser(
        "extract-features",
        help="window I3D features of videos to .npy, with a time-base sidecar",
        description=(
            "Cut each video (25 fps, short side 256, centre 224 crop unless "
            "told otherwise) into windows of --window frames every --stride "
            "frames and save one I3D feature row per window: "
            "OUT/<video_id>_<stream>.npy of shape (rows, 1024) for Mixed_5c "
            "or (rows, 400) for Logits, and OUT/<video_id>.json with each "
            "row's frame range and start, end and centre times (frame k "
            "covers [k/fps, (k+1)/fps) seconds). --preset sets the "
            "conventions of published features (docs/features.md); explicit "
            "options override it. Videos whose files exist are skipped. "
            "--weights applies to both streams unless --rgb-weights or "
            "--flow-weights override it; --weights none gives random weights."
        ),
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="VIDEO_OR_LIST",
        help=(
            "a video file, a folder of videos, a folder of frame images (one "
            "video, read at --folder-fps), or a .txt list of such paths, one "
            "per line (relative to the list)"
        ),
    )
    options.add_out_option(parser)
    parser.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        default=None,
        help=(
            "the conventions of published features: activitynet (16 frames "
            "at 25 fps, stride 16), thumos14 (16 frames, stride 4, native "
            "fps, RGB and flow concatenated; needs --flow-weights), "
            "video_features (its RGB pipeline exactly), piergiaj "
            "(per-time-step pooled Mixed_5c)"
        ),
    )
    options.add_stream_option(parser)
    parser.add_argument(
        "--window",
        type=options.positive_int,
        default=None,
        help=f"frames per window (default {DEFAULT_WINDOW}, or the preset's)",
    )
    parser.add_argument(
        "--stride",
        type=options.positive_int,
        default=None,
        help=f"frames between window starts (default {DEFAULT_STRIDE}, or the preset's)",
    )
    parser.add_argument(
        "--centred",
        action="store_true",
        help=(
            "one row per frame, from the --window frames centred on it, "
            "padded past the ends by --pad (the frame-wise features of "
            "action segmentation, MS-TCN); --stride is ignored"
        ),
    )
    parser.add_argument(
        "--pad",
        choices=PADDINGS,
        default="edge",
        help=(
            "how --centred windows are padded past the ends of a video: "
            "edge repeats the first or last frame, zero feeds zeros "
            "(default edge)"
        ),
    )
    parser.add_argument(
        "--endpoint",
        choices=ENDPOINTS,
        default=None,
        metavar="ENDPOINT",
        help=(
            f"{DEFAULT_ENDPOINT} (1024-d; default), Logits (400 class "
            "logits before softmax) or any earlier endpoint, pooled"
        ),
    )
    parser.add_argument(
        "--pooling",
        choices=POOLINGS,
        default=None,
        help=(
            "avg: global average (default); avgpool_2x7x7: AvgPool (2,7,7) "
            "then the mean over time (video_features); avgpool_2x7x7_steps: "
            "one vector per time step (piergiaj)"
        ),
    )
    options.add_crops_option(parser, choices=(1, 10))
    parser.add_argument(
        "--crop-reduce",
        choices=CROP_REDUCTIONS,
        default="mean",
        help=(
            "with --crops 10: mean averages the ten crops' features, keep "
            "writes them all, (rows, 10, D) (default mean)"
        ),
    )
    parser.add_argument(
        "--concat-streams",
        action="store_true",
        help=(
            "with --stream two_stream: write RGB and flow side by side in "
            "OUT/<video_id>.npy, (rows, 2048) for Mixed_5c"
        ),
    )
    options.add_weights_option(parser)
    parser.add_argument("--rgb-weights", default=None, help="overrides --weights for RGB")
    options.add_flow_weights_option(parser)
    options.add_inference_graph_options(parser)
    options.add_batch_size_option(parser, default=8)
    options.add_workers_option(parser)
    options.add_flow_method_option(parser)
    options.add_fps_option(parser)
    options.add_folder_fps_option(parser)
    options.add_short_side_option(parser)
    options.add_crop_size_option(parser)
    options.add_overwrite_option(parser)
    options.add_shard_option(parser)
    options.add_beam_option(parser)
    parser.set_defaults(func=run)


def settings_from_args(args):
    """The `FeatureSettings` of the command line: preset, then options.

    Raises:
        CLIError: the options do not fit together.
    """
    from keras_i3d.tasks.features.presets import preset_fields
    from keras_i3d.tasks.features.settings import FeatureSettings

    fields = preset_fields(args.preset) if args.preset else {}
    if args.stream != "rgb" or "streams" not in fields:
        fields["streams"] = ("rgb", "flow") if args.stream == "two_stream" else (args.stream,)
    if len(fields["streams"]) != 2:
        fields.pop("concat_streams", None)
    # A preset's rate applies unless --fps asks for another one.
    if "fps" not in fields or args.fps != TARGET_FPS:
        fields["fps"] = args.fps
    explicit = dict(
        window=args.window,
        stride=args.stride,
        endpoint=args.endpoint,
        pooling=args.pooling,
        short_side=args.short_side,
        crop_size=args.crop_size,
    )
    fields.update({name: value for name, value in explicit.items() if value is not None})
    fields.setdefault("short_side", RESIZE_SHORT_SIDE)
    fields.setdefault("crop_size", CROP_SIZE)
    if args.concat_streams:
        fields["concat_streams"] = True
    if args.centred:
        fields.update(layout="centred", pad=args.pad)
    fields.update(
        crops=args.crops,
        crop_reduce=args.crop_reduce,
        flow_method=args.flow_method,
        folder_fps=args.folder_fps,
    )
    try:
        return FeatureSettings(**fields)
    except ValueError as error:
        message = str(error)
        if "short_side" in message:
            message = (
                f"--short-side ({fields['short_side']}) must be at least "
                f"--crop-size ({fields['crop_size']})"
            )
        raise CLIError(message) from None


def run(args):
    settings = settings_from_args(args)
    if "flow" in settings.streams and args.preset and not args.flow_weights:
        raise CLIError(
            f"--preset {args.preset} uses the flow stream, and no flow weights "
            "are published for it: pass --flow-weights FILE (a flow I3D "
            "weights file). Its RGB half alone is --window 16 --stride 4 "
            "--fps native without --preset"
        )
    videos = options.select_shard(collect_videos(args.inputs), args.shard)
    video_ids = unique_video_ids(videos)
    args.out.mkdir(parents=True, exist_ok=True)
    todo = {}
    for video, video_id in zip(videos, video_ids):
        missing = missing_streams(args.out, video_id, settings, args.overwrite)
        if missing:
            todo[video] = (video_id, missing)
    skipped = len(videos) - len(todo)
    failures = []
    if todo and args.beam:
        failures = extract_on_beam(args, todo, settings)
    elif todo:
        needed = tuple(s for s in settings.streams if any(s in m for _, m in todo.values()))
        models = build_models(args, settings, needed)
        failures = extract_all(args, settings, todo, models)
    return report(len(videos), skipped, failures, args.out)


def output_names(video_id, settings, streams=None):
    """`{stream or "concat": file name}` of a video's feature files."""
    if settings.concat_streams:
        return {"concat": f"{video_id}.npy"}
    return {stream: f"{video_id}_{stream}.npy" for stream in streams or settings.streams}


def missing_streams(out, video_id, settings, overwrite):
    """The streams whose outputs (or whose sidecar) are missing."""
    from keras_i3d.tasks.features.sidecar import sidecar_path

    if overwrite or not sidecar_path(out, video_id).exists():
        return settings.streams
    names = output_names(video_id, settings)
    if settings.concat_streams:
        return () if (pathlib.Path(out) / names["concat"]).exists() else settings.streams
    return tuple(s for s in settings.streams if not (pathlib.Path(out) / names[s]).exists())


def feature_path(out, video_id, stream):
    """`OUT/<video_id>_<stream>.npy`."""
    return pathlib.Path(out) / f"{video_id}_{stream}.npy"


def extract_on_beam(args, todo, settings):
    """`--beam`: `keras_i3d.beam.features.ExtractFeatures` over the videos
    to do (each gets every stream); returns the failures."""
    streams = settings.streams
    weights = {stream: stream_weights(args, stream) for stream in streams}
    summary = options.beam_jobs().run_features_job(
        list(todo),
        args.out,
        args.workers,
        args.pipeline_args,
        streams=streams,
        weights=weights,
        endpoint=settings.endpoint,
        window=settings.window,
        stride=settings.stride,
        batch_size=args.batch_size,
        fps=settings.fps,
        flow_method=settings.flow_method,
        short_side=settings.short_side,
        crop_size=settings.crop_size,
        overwrite=args.overwrite,
    )
    return summary.failures


def stream_weights(args, stream):
    """The `weights=` of `stream`'s model (None: random)."""
    weights = getattr(args, f"{stream}_weights") or args.weights
    return None if weights.lower() == "none" else weights


def build_models(args, settings, streams):
    from keras_i3d.tasks.features.models import feature_model

    models = {}
    for stream in streams:
        try:
            models[stream] = feature_model(
                stream,
                endpoint=settings.endpoint,
                weights=stream_weights(args, stream),
                window=settings.window,
                crop_size=settings.crop_size,
                pooling=settings.pooling,
                fused=args.fused or args.precision != "float32",
                dtype=None if args.precision == "float32" else args.precision,
            )
        except ValueError as error:
            raise CLIError(f"{stream} model: {error}") from None
    return models


def weights_description(args, stream):
    """The sidecar's record of `stream`'s weights: record name and sha256s."""
    from keras_i3d.weights.hashing import file_sha256
    from keras_i3d.weights.records import resolve_alias

    weights = stream_weights(args, stream)
    if weights is None:
        return {"name": None, "random": True}
    record = resolve_alias(weights, stream)
    if record is not None:
        described = {"name": record.name, "tensors_sha256": record.tensors_sha256}
        if record.file_sha256:
            described["file_sha256"] = record.file_sha256
        return described
    if not pathlib.Path(weights).is_file():  # e.g. an hf:// repository
        return {"name": None, "source": str(weights)}
    return {"name": None, "file": str(weights), "file_sha256": file_sha256(weights)}


def extract_all(args, settings, todo, models):
    """Extracts and saves every video's features; returns the failures."""
    from tqdm import tqdm

    from keras_i3d.tasks.features.extract import batched_features
    from keras_i3d.tasks.features.prefetch import prefetched
    from keras_i3d.tasks.features.settings import VideoWindows

    described = settings.describe()
    described["weights"] = {stream: weights_description(args, stream) for stream in models}
    described["graph"] = "fused" if args.fused else "reference"
    described["precision"] = args.precision
    sources = {}
    for video, (_, streams) in todo.items():
        per_video = settings
        if streams != settings.streams:
            per_video = dataclasses.replace(settings, streams=streams)
        sources[video] = VideoWindows(video, per_video)
    # Each queued window holds its crops: read ahead about one batch.
    depth = max(2, args.batch_size // settings.crops)
    videos = prefetched(sources.items(), workers=args.workers, depth=depth)
    failures = []
    with tqdm(total=len(todo), unit="video", desc="features", file=sys.stderr) as progress:
        for result in batched_features(videos, models, args.batch_size):
            video_id, streams = todo[result.key]
            try:
                if result.error is not None:
                    raise result.error
                save_video(
                    args.out, video_id, sources[result.key], result, settings, models, described
                )
            except Exception as error:  # noqa: BLE001 - report, go on
                failures.append((str(result.key), str(error) or type(error).__name__))
            progress.update()
    return failures


def save_video(out, video_id, source, result, settings, models, described):
    """Writes one video's feature files, then its sidecar."""
    from keras_i3d import __version__
    from keras_i3d.atomic_files import atomic_write
    from keras_i3d.tasks.features.crops import reduce_crops
    from keras_i3d.tasks.features.sidecar import sidecar_path
    from keras_i3d.tasks.features.sidecar import sidecar_record
    from keras_i3d.tasks.features.sidecar import write_sidecar

    arrays = {}
    for stream in source.settings.streams:
        features = result.features.get(stream)
        if features is None:  # no row: e.g. a short video with loop_short off
            shape = (0, settings.crops) + tuple(models[stream].output_shape[1:])
            features = np.zeros(shape, np.float32)
        arrays[stream] = reduce_crops(features, settings.crop_reduce)
    if settings.concat_streams:
        arrays = {"concat": np.concatenate([arrays["rgb"], arrays["flow"]], axis=-1)}
    names = output_names(video_id, settings, source.settings.streams)
    for key, array in arrays.items():
        atomic_write(pathlib.Path(out) / names[key], lambda file, a=array: np.save(file, a))
    record = sidecar_record(
        video_id,
        source.path,
        source.source_fps,
        source.fps,
        result.rows,
        described,
        output_shapes(out, output_names(video_id, settings), arrays),
        __version__,
    )
    write_sidecar(sidecar_path(out, video_id), record)


def output_shapes(out, names, arrays):
    """`{file name: shape}` of every output, written now or before."""
    shapes = {}
    for key, name in names.items():
        if key in arrays:
            shapes[name] = arrays[key].shape
        else:
            shapes[name] = np.load(pathlib.Path(out) / name, mmap_mode="r").shape
    return shapes
