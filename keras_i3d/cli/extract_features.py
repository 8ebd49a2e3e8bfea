"""`keras-i3d extract-features`: sliding-window I3D features per video.

Example:

```
keras-i3d extract-features videos/ --stream two_stream --out features/
keras-i3d extract-features list.txt --endpoint Logits --window 64 --stride 16 \\
    --out logits/
```

Each video gives `OUT/<video_id>_rgb.npy` and/or `OUT/<video_id>_flow.npy`,
float32 of shape `(num_windows, 1024)` for `Mixed_5c` (average-pooled) or
`(num_windows, 400)` for `Logits` (before softmax); window `i` covers
frames `[i * stride, i * stride + window)` at 25 fps (see
`keras_i3d.tasks.features`). Files that exist are skipped, so a stopped run
resumes; each is written to a temporary name and renamed when complete.
"""

import concurrent.futures
import multiprocessing
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


def add_parser(subparsers):
    from keras_i3d.models.endpoints import ENDPOINTS
    from keras_i3d.tasks.features import DEFAULT_ENDPOINT
    from keras_i3d.tasks.features import DEFAULT_STRIDE
    from keras_i3d.tasks.features import DEFAULT_WINDOW

    parser = subparsers.add_parser(
        "extract-features",
        help="sliding-window I3D features of videos to .npy",
        description=(
            "Cut each video (25 fps, short side 256, centre 224 crop) into "
            "windows of --window frames every --stride frames and save one "
            "I3D feature vector per window: OUT/<video_id>_<stream>.npy of "
            "shape (num_windows, 1024) for Mixed_5c or (num_windows, 400) "
            "for Logits. Videos whose files exist are skipped. --weights "
            "applies to both streams unless --rgb-weights or --flow-weights "
            "override it; --weights none gives random weights."
        ),
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="VIDEO_OR_LIST",
        help=(
            "a video file, a folder of videos, or a .txt list of video "
            "paths, one per line (relative to the list)"
        ),
    )
    options.add_out_option(parser)
    options.add_stream_option(parser)
    parser.add_argument(
        "--window",
        type=int,
        default=DEFAULT_WINDOW,
        help=f"frames per window (default {DEFAULT_WINDOW})",
    )
    parser.add_argument(
        "--stride",
        type=int,
        default=DEFAULT_STRIDE,
        help=f"frames between window starts (default {DEFAULT_STRIDE})",
    )
    parser.add_argument(
        "--endpoint",
        choices=ENDPOINTS,
        default=DEFAULT_ENDPOINT,
        metavar="ENDPOINT",
        help=(
            "Mixed_5c (1024-d, average-pooled; default), Logits (400 class "
            "logits before softmax) or any earlier endpoint, average-pooled"
        ),
    )
    options.add_weights_option(parser)
    parser.add_argument("--rgb-weights", default=None, help="overrides --weights for RGB")
    options.add_flow_weights_option(parser)
    options.add_batch_size_option(parser, default=8)
    options.add_workers_option(parser)
    options.add_flow_method_option(parser)
    options.add_fps_option(parser)
    options.add_short_side_option(parser)
    options.add_crop_size_option(parser)
    options.add_overwrite_option(parser)
    options.add_shard_option(parser)
    options.add_beam_option(parser)
    parser.set_defaults(func=run)


def run(args):
    from keras_i3d.tasks.features import check_window

    streams = ("rgb", "flow") if args.stream == "two_stream" else (args.stream,)
    if args.short_side is None:
        args.short_side = RESIZE_SHORT_SIDE
    if args.crop_size is None:
        args.crop_size = CROP_SIZE
    try:
        check_window(args.window, args.stride, args.endpoint)
    except ValueError as error:
        raise CLIError(str(error)) from None
    if args.short_side < args.crop_size:
        raise CLIError(
            f"--short-side ({args.short_side}) must be at least --crop-size ({args.crop_size})"
        )
    videos = options.select_shard(collect_videos(args.inputs), args.shard)
    video_ids = unique_video_ids(videos)
    args.out.mkdir(parents=True, exist_ok=True)
    todo = {}
    for video, video_id in zip(videos, video_ids):
        missing = tuple(
            stream
            for stream in streams
            if args.overwrite or not feature_path(args.out, video_id, stream).exists()
        )
        if missing:
            todo[video] = (video_id, missing)
    skipped = len(videos) - len(todo)
    failures = []
    if todo and args.beam:
        failures = extract_on_beam(args, todo, streams)
    elif todo:
        models = build_models(args, streams)
        failures = extract_all(args, todo, models)
    return report(len(videos), skipped, failures, args.out)


def feature_path(out, video_id, stream):
    """`OUT/<video_id>_<stream>.npy`."""
    return pathlib.Path(out) / f"{video_id}_{stream}.npy"


def extract_on_beam(args, todo, streams):
    """`--beam`: `keras_i3d.beam.features.ExtractFeatures` over the videos
    to do (each gets every stream); returns the failures."""
    weights = {}
    for stream in streams:
        name = getattr(args, f"{stream}_weights") or args.weights
        weights[stream] = None if name.lower() == "none" else name
    summary = options.beam_jobs().run_features_job(
        list(todo),
        args.out,
        args.workers,
        args.pipeline_args,
        streams=streams,
        weights=weights,
        endpoint=args.endpoint,
        window=args.window,
        stride=args.stride,
        batch_size=args.batch_size,
        fps=args.fps,
        flow_method=args.flow_method,
        short_side=args.short_side,
        crop_size=args.crop_size,
        overwrite=args.overwrite,
    )
    return summary.failures


def build_models(args, streams):
    from keras_i3d.tasks.features import feature_model

    models = {}
    for stream in streams:
        weights = getattr(args, f"{stream}_weights") or args.weights
        if weights.lower() == "none":
            weights = None
        try:
            models[stream] = feature_model(
                stream,
                endpoint=args.endpoint,
                weights=weights,
                window=args.window,
                crop_size=args.crop_size,
            )
        except ValueError as error:
            raise CLIError(f"{stream} model: {error}") from None
    return models


def extract_all(args, todo, models):
    """Extracts and saves every video's features; returns the failures."""
    from tqdm import tqdm

    from keras_i3d.atomic_files import atomic_output
    from keras_i3d.tasks.features import extract_features

    failures = []
    settings = dict(
        fps=args.fps,
        flow_method=args.flow_method,
        short_side=args.short_side,
        crop_size=args.crop_size,
    )
    loaded = load_ahead(todo, settings, args.workers)
    with tqdm(total=len(todo), unit="video", desc="features", file=sys.stderr) as progress:
        for video, clips in loaded:
            video_id, streams = todo[video]
            if isinstance(clips, str):
                failures.append((str(video), clips))
                progress.update()
                continue
            try:
                for stream in streams:
                    features = extract_features(
                        getattr(clips, stream),
                        models[stream],
                        stream,
                        window=args.window,
                        stride=args.stride,
                        batch_size=args.batch_size,
                    )
                    with (
                        atomic_output(feature_path(args.out, video_id, stream)) as temporary,
                        open(temporary, "wb") as file,
                    ):
                        np.save(file, features)
            except Exception as error:  # noqa: BLE001 - report, go on
                failures.append((str(video), str(error) or type(error).__name__))
            progress.update()
    return failures


def load_ahead(todo, settings, workers):
    """Yields `(video, VideoClips or why it failed)` in order.

    With more than one worker, videos are decoded (and their flow computed)
    in worker processes, at most `2 * workers` ahead of the network.
    """
    tasks = [(str(video), streams, settings) for video, (_, streams) in todo.items()]
    videos = list(todo)
    if workers == 1:
        for video, task in zip(videos, tasks):
            yield video, _load_or_reason(*task)
        return
    from keras_i3d.cli.flow import _single_threaded_worker

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_single_threaded_worker,
    ) as pool:
        pending = []
        next_task = 0
        for index, video in enumerate(videos):
            while next_task < len(tasks) and next_task < index + 2 * workers:
                pending.append(pool.submit(_load_or_reason, *tasks[next_task]))
                next_task += 1
            try:
                clips = pending[index].result()
            except concurrent.futures.process.BrokenProcessPool as error:
                clips = f"worker process died ({error})"
            pending[index] = None
            yield video, clips


def _load_or_reason(path, streams, settings):
    """The video's clips, or the reason they could not be made (a string:
    exceptions with custom constructors do not survive pickling)."""
    from keras_i3d.data.video_clips import load_video_clips

    stream = "two_stream" if len(streams) == 2 else streams[0]
    try:
        return load_video_clips(path, stream=stream, **settings)
    except Exception as error:  # noqa: BLE001 - reported by the parent
        return str(error) or type(error).__name__
