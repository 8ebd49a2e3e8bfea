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

import sys

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
    from keras_i3d.tasks.features.outputs import missing_streams

    settings = settings_from_args(args)
    if "flow" in settings.streams and args.preset and not args.flow_weights:
        raise CLIError(
            f"--preset {args.preset} uses the flow stream, and no flow weights "
            "are published for it: pass --flow-weights FILE (a flow I3D "
            "weights file). Its RGB half alone is --window 16 --stride 4 "
            "--fps native without --preset"
        )
    check_models(args, settings)
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
        failures = extract_all(args, settings, todo)
    return report(len(videos), skipped, failures, args.out)


def check_models(args, settings):
    """Refuses, before any work, options the feature models cannot take.

    Raises:
        CLIError: the message names the stream or the option.
    """
    from keras_i3d.tasks.features.models import check_feature_models

    if args.precision != options.INFERENCE_PRECISIONS[0] and not args.fused:
        raise CLIError(f"--precision {args.precision} runs the fused graph; drop --no-fuse")
    try:
        check_feature_models(settings, args.fused, args.precision)
    except ValueError as error:
        raise CLIError(str(error)) from None


def run_weights(args, settings):
    """`{stream: weights}` of every stream (None: random)."""
    return {stream: stream_weights(args, stream) for stream in settings.streams}


def stream_weights(args, stream):
    """The `weights=` of `stream`'s model (None: random)."""
    weights = getattr(args, f"{stream}_weights") or args.weights
    return None if weights.lower() == "none" else weights


def extract_on_beam(args, todo, settings):
    """`--beam`: `keras_i3d.beam.features.ExtractFeatures` over the videos
    to do (each gets every stream); returns the failures."""
    summary = options.beam_jobs().run_features_job(
        list(todo),
        args.out,
        args.workers,
        args.pipeline_args,
        settings=settings,
        weights=run_weights(args, settings),
        fused=args.fused,
        precision=args.precision,
        batch_size=args.batch_size,
        overwrite=args.overwrite,
    )
    return summary.failures


def extract_all(args, settings, todo):
    """Extracts and saves every video's features; returns the failures."""
    from tqdm import tqdm

    from keras_i3d.tasks.features.models import feature_models
    from keras_i3d.tasks.features.outputs import FeatureFiles
    from keras_i3d.tasks.features.outputs import sidecar_settings
    from keras_i3d.tasks.features.outputs import video_results

    weights = run_weights(args, settings)
    needed = tuple(s for s in settings.streams if any(s in m for _, m in todo.values()))
    try:
        models = feature_models(settings, weights, args.fused, args.precision, needed)
    except ValueError as error:
        raise CLIError(str(error)) from None
    described = sidecar_settings(settings, weights, args.fused, args.precision)
    files = FeatureFiles.of_models(settings, described, models)
    videos = [(video, video, streams) for video, (_, streams) in todo.items()]
    failures = []
    results = video_results(videos, settings, models, args.batch_size, args.workers)
    with tqdm(total=len(todo), unit="video", desc="features", file=sys.stderr) as progress:
        for windows, result in results:
            try:
                files.save(args.out, todo[result.key][0], windows, result)
            except Exception as error:  # noqa: BLE001 - report, go on
                failures.append((str(result.key), str(error) or type(error).__name__))
            progress.update()
    return failures
