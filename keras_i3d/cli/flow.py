"""`keras-i3d flow`: optical flow of many videos, in parallel, resumable.

Example:

```
keras-i3d flow videos/ --out flow/ --workers 2            # TV-L1, JPEG
keras-i3d flow list.txt --out flow/ --format npz
```

Each video becomes `OUT/<video_id>/flow_{x,y}_00001.jpg ...` (or `.png`),
or `OUT/<video_id>.npz`, the layouts of `keras_i3d.flow.storage`, where
`<video_id>` is the file name without its extension. A video whose output
exists is skipped, so an interrupted run picks up where it stopped; outputs
are renamed into place only when complete.
"""

import concurrent.futures
import multiprocessing
import pathlib
import sys

from keras_i3d.cli.errors import CLIError

VIDEO_EXTENSIONS = (
    ".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg",
    ".flv", ".wmv", ".3gp", ".gif",
)
LIST_EXTENSIONS = (".txt", ".lst", ".list")


def add_parser(subparsers):
    from keras_i3d.conventions import RESIZE_SHORT_SIDE
    from keras_i3d.conventions import TARGET_FPS
    from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
    from keras_i3d.flow.methods import FLOW_METHODS
    from keras_i3d.flow.storage import FLOW_FORMATS

    parser = subparsers.add_parser(
        "flow",
        help="compute TV-L1 optical flow of videos and store it",
        description=(
            "Compute optical flow of videos (resampled to 25 fps, short side "
            "resized to 256, as the I3D flow checkpoints expect) and store it "
            "as uint8 images (x/y over [-20, 20] px, mmaction2 rawframes "
            "layout) or compressed .npz. Videos already done are skipped."
        ),
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT",
        help=(
            "a video file, a folder of videos (its video files, not "
            "recursive; a folder of numbered frames is one video), or a "
            ".txt list of video paths, one per line (relative to the list)"
        ),
    )
    parser.add_argument(
        "--out", required=True, type=pathlib.Path,
        help="output folder (created if missing)",
    )
    parser.add_argument(
        "--workers", type=int, default=1,
        help="videos computed in parallel, one process each (default 1)",
    )
    parser.add_argument(
        "--method", choices=tuple(FLOW_METHODS), default=DEFAULT_FLOW_METHOD,
        help=(
            "tvl1: TV-L1, the paper's and the checkpoints' flow (default); "
            "farneback: ~100x faster approximation, worse flow-stream accuracy"
        ),
    )
    parser.add_argument(
        "--format", dest="flow_format", choices=FLOW_FORMATS, default="jpg",
        help=(
            "jpg (smallest, lossy), png (lossless quantised) or npz (one "
            "compressed array per video); default jpg"
        ),
    )
    parser.add_argument(
        "--fps", type=float, default=TARGET_FPS,
        help=f"frame rate to resample videos to (default {TARGET_FPS:g})",
    )
    parser.add_argument(
        "--short-side", type=int, default=RESIZE_SHORT_SIDE,
        help=(
            f"resize frames to this short side first (default "
            f"{RESIZE_SHORT_SIDE}); 0 keeps the videos' size"
        ),
    )
    parser.add_argument(
        "--overwrite", action="store_true",
        help="recompute videos whose output already exists",
    )
    parser.set_defaults(func=run)


def run(args):
    from keras_i3d.atomic_files import remove_partial_outputs
    from keras_i3d.flow.storage import flow_output_path

    if args.workers < 1:
        raise CLIError(f"--workers must be >= 1 (got {args.workers})")
    if args.fps <= 0:
        raise CLIError(f"--fps must be positive (got {args.fps:g})")
    if args.short_side < 0:
        raise CLIError(f"--short-side must be >= 0 (got {args.short_side})")
    videos = collect_videos(args.inputs)
    video_ids = unique_video_ids(videos)
    args.out.mkdir(parents=True, exist_ok=True)
    targets = {
        video: flow_output_path(args.out, video_id, args.flow_format)
        for video, video_id in zip(videos, video_ids)
    }
    pending = [
        video for video in videos
        if args.overwrite or not targets[video].exists()
    ]
    skipped = len(videos) - len(pending)
    for video in pending:
        remove_partial_outputs(targets[video])
    settings = dict(
        method=args.method,
        flow_format=args.flow_format,
        fps=args.fps,
        short_side=args.short_side or None,
        overwrite=args.overwrite,
    )
    tasks = [(str(video), str(targets[video]), settings) for video in pending]
    failures = run_tasks(
        compute_and_store_flow, tasks, args.workers, description="flow"
    )
    return report(len(videos), skipped, failures, args.out)


def collect_videos(inputs):
    """Expands the command line's inputs into a list of video paths.

    Args:
        inputs: paths of video files, folders of videos, image-folder
            videos, or `.txt` lists of video paths (one per line, relative
            to the list's folder; blank lines and `#` comments skipped).

    Returns:
        A list of `pathlib.Path`, in the order given (folders sorted).
        Missing files are kept: the run reports them as failures.
    """
    from keras_i3d.video import list_image_folder

    videos = []
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_file() and path.suffix.lower() in LIST_EXTENSIONS:
            for line in path.read_text().splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    videos.append(path.parent / line)
        elif path.is_dir():
            inside = sorted(
                child for child in path.iterdir()
                if child.is_file()
                and child.suffix.lower() in VIDEO_EXTENSIONS
            )
            if inside:
                videos.extend(inside)
            elif list_image_folder(path):
                videos.append(path)
            else:
                raise CLIError(f"{path}: no videos or numbered frames in it")
        else:
            videos.append(path)
    if not videos:
        raise CLIError("no videos to process")
    return videos


def unique_video_ids(videos):
    """Each video's output name (its file name without extension).

    Raises:
        CLIError: two videos would write to the same output.
    """
    by_id = {}
    for video in videos:
        by_id.setdefault(video.stem, []).append(video)
    clashes = {key: paths for key, paths in by_id.items() if len(paths) > 1}
    if clashes:
        examples = "; ".join(
            " and ".join(str(path) for path in paths)
            for paths in list(clashes.values())[:3]
        )
        raise CLIError(
            f"{len(clashes)} video name(s) appear more than once, so their "
            f"outputs would collide: {examples}"
        )
    return [video.stem for video in videos]


def compute_and_store_flow(path, target, settings):
    """Computes one video's flow and writes it to `target` (a worker task)."""
    from keras_i3d.flow.storage import write_flow
    from keras_i3d.flow.video import video_flow

    result = video_flow(
        path,
        method=settings["method"],
        fps=settings["fps"],
        short_side=settings["short_side"],
    )
    write_flow(
        result.flow,
        target,
        settings["flow_format"],
        metadata=result.metadata(),
        overwrite=settings["overwrite"],
    )


def run_tasks(function, tasks, workers, description):
    """Runs `function(*task)` for every task; returns `[(path, reason)]`.

    With one worker the tasks run in this process; with more, each worker
    is a fresh ("spawn") process limited to one OpenCV and one TensorFlow
    thread, so `workers` processes use about `workers` cores. A failing
    task is recorded, never raised.
    """
    from tqdm import tqdm

    failures = []
    progress = tqdm(
        total=len(tasks), unit="video", desc=description, file=sys.stderr
    )
    with progress:
        if workers == 1:
            for task in tasks:
                failure = _attempt(function, task)
                if failure:
                    failures.append(failure)
                progress.update()
            return failures
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(workers, max(len(tasks), 1)),
            mp_context=context,
            initializer=_single_threaded_worker,
        ) as pool:
            futures = {
                pool.submit(_attempt, function, task): task for task in tasks
            }
            for future in concurrent.futures.as_completed(futures):
                task = futures[future]
                try:
                    failure = future.result()
                except concurrent.futures.process.BrokenProcessPool as error:
                    failure = (task[0], f"worker process died ({error})")
                if failure:
                    failures.append(failure)
                progress.update()
    return failures


def _attempt(function, task):
    try:
        function(*task)
    except Exception as error:  # noqa: BLE001 - a bad video must not stop the run
        message = str(error) or type(error).__name__
        return task[0], message
    return None


def _single_threaded_worker():
    import os

    import cv2

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["OMP_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def report(total, skipped, failures, out):
    """Prints the run's summary; raises CLIError when any video failed."""
    done = total - skipped - len(failures)
    print(
        f"{done} done, {skipped} already done (skipped), {len(failures)} "
        f"failed; outputs in {out}"
    )
    if not failures:
        return 0
    if total == 1:
        raise CLIError(failures[0][1])
    for path, reason in sorted(failures):
        print(f"  failed: {path}: {reason}", file=sys.stderr)
    raise CLIError(f"{len(failures)} of {total} videos failed (listed above)")
