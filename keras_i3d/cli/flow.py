"""`keras-i3d flow`: optical flow of many videos, in parallel, resumable.

Example:

```
keras-i3d flow videos/ --out flow/ --workers 2            # TV-L1, JPEG
keras-i3d flow list.txt --out flow/ --format npz
keras-i3d flow long.mp4 --out flow/ --start 30 --duration 10   # a stretch
```

Each video becomes `OUT/<video_id>/flow_{x,y}_00001.jpg ...` (or `.png`),
or `OUT/<video_id>.npz`, the layouts of `keras_i3d.flow.storage`, where
`<video_id>` is the file name without its extension. A video whose output
exists is skipped, so an interrupted run picks up where it stopped; outputs
are renamed into place only when complete. Progress is shown per video and
per flow frame (TV-L1 takes about a second per frame on a CPU core).
"""

import concurrent.futures
import dataclasses
import functools
import multiprocessing
import pathlib
import sys
from queue import Empty

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError
from keras_i3d.conventions import RESIZE_SHORT_SIDE

VIDEO_EXTENSIONS = (
    ".mp4",
    ".avi",
    ".mkv",
    ".webm",
    ".mov",
    ".m4v",
    ".mpg",
    ".mpeg",
    ".flv",
    ".wmv",
    ".3gp",
    ".gif",
)
LIST_EXTENSIONS = (".txt", ".lst", ".list")
PROGRESS_INTERVAL_SECONDS = 0.25  # How often worker progress is shown.


def add_parser(subparsers):
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
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=(
            "a video file, a folder of videos (its video files, not "
            "recursive; a folder of numbered frames is one video), or a "
            ".txt list of video paths, one per line (relative to the list)"
        ),
    )
    options.add_out_option(parser)
    options.add_workers_option(parser)
    options.add_flow_method_option(parser)
    parser.add_argument(
        "--format",
        dest="flow_format",
        choices=FLOW_FORMATS,
        default="jpg",
        help=(
            "jpg (smallest, lossy), png (lossless quantised) or npz (one "
            "compressed array per video); default jpg"
        ),
    )
    options.add_fps_option(parser)
    options.add_short_side_option(parser)
    parser.add_argument(
        "--start",
        type=float,
        default=0.0,
        metavar="SEC",
        help="seconds into each video to start at (default 0)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="SEC",
        help="compute at most this many seconds of each video",
    )
    options.add_max_frames_option(parser)
    options.add_overwrite_option(parser)
    options.add_shard_option(parser)
    options.add_beam_option(parser)
    parser.set_defaults(func=run)


def run(args):
    from keras_i3d.atomic_files import remove_partial_outputs
    from keras_i3d.flow.corpus import compute_and_store_flow
    from keras_i3d.flow.storage import flow_output_path

    options.refuse_native_fps(args, "flow")
    if args.short_side is None:
        args.short_side = RESIZE_SHORT_SIDE
    if args.start < 0:
        raise CLIError(f"--start must be >= 0 (got {args.start:g})")
    if args.duration is not None and args.duration <= 0:
        raise CLIError(f"--duration must be positive (got {args.duration:g})")
    if args.max_frames is not None and args.max_frames < 2:
        raise CLIError(f"--max-frames must be >= 2, flow needs two frames (got {args.max_frames})")
    videos = options.select_shard(collect_videos(args.inputs), args.shard)
    video_ids = unique_video_ids(videos)
    args.out.mkdir(parents=True, exist_ok=True)
    targets = {
        video: flow_output_path(args.out, video_id, args.flow_format)
        for video, video_id in zip(videos, video_ids)
    }
    pending = [video for video in videos if args.overwrite or not targets[video].exists()]
    skipped = len(videos) - len(pending)
    for video in pending:
        remove_partial_outputs(targets[video])
    settings = dict(
        flow_method=args.flow_method,
        flow_format=args.flow_format,
        fps=args.fps,
        short_side=args.short_side or None,
        start_time=args.start,
        num_frames=frame_limit(args.duration, args.max_frames, args.fps),
        overwrite=args.overwrite,
    )
    if args.beam:
        jobs = options.beam_jobs()
        summary = jobs.run_flow_job(pending, args.out, settings, args.workers, args.pipeline_args)
        return report(len(videos), skipped, summary.failures, args.out)
    tasks = [(str(video), str(targets[video]), settings) for video in pending]
    failures = run_tasks(compute_and_store_flow, tasks, args.workers, description="flow")
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
                child
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in VIDEO_EXTENSIONS
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
            " and ".join(str(path) for path in paths) for paths in list(clashes.values())[:3]
        )
        raise CLIError(
            f"{len(clashes)} video name(s) appear more than once, so their "
            f"outputs would collide: {examples}"
        )
    return [video.stem for video in videos]


def frame_limit(duration, max_frames, fps):
    """The most frames to read: from `--duration` at `fps` and/or
    `--max-frames`, the smaller; None when neither is given."""
    limits = [max_frames] if max_frames is not None else []
    if duration is not None:
        limits.append(max(2, round(duration * fps)))
    return min(limits) if limits else None


def run_tasks(function, tasks, workers, description):
    """Runs `function(*task, progress=...)` for every task.

    Two progress bars are shown: tasks done, and flow frames computed over
    all tasks begun so far (fed by the tasks' `progress(done, total)`
    calls), so that a long video shows progress before it is done. With
    one worker the tasks run in this process; with more, each worker is a
    fresh ("spawn") process limited to one OpenCV and one TensorFlow
    thread, so `workers` processes use about `workers` cores, and their
    progress comes back through a queue. A failing task is recorded, never
    raised.

    Returns:
        `[(path, reason)]` of the failed tasks.
    """
    from tqdm import tqdm

    failures = []
    task_bar = tqdm(total=len(tasks), unit="video", desc=description, file=sys.stderr)
    frame_bar = tqdm(total=0, unit="frame", desc="frames", file=sys.stderr, leave=False)
    frames = FrameProgress(frame_bar)
    with task_bar, frame_bar:
        if workers == 1:
            for task in tasks:
                progress = functools.partial(frames.update, task[0])
                failure = _attempt(function, task, progress)
                if failure:
                    failures.append(failure)
                task_bar.update()
            return failures
        context = multiprocessing.get_context("spawn")
        with (
            context.Manager() as manager,
            concurrent.futures.ProcessPoolExecutor(
                max_workers=min(workers, max(len(tasks), 1)),
                mp_context=context,
                initializer=_single_threaded_worker,
            ) as pool,
        ):
            queue = manager.Queue()
            futures = {
                pool.submit(_attempt, function, task, QueuedProgress(queue, task[0])): task
                for task in tasks
            }
            running = set(futures)
            while running:
                finished, running = concurrent.futures.wait(
                    running,
                    timeout=PROGRESS_INTERVAL_SECONDS,
                    return_when=concurrent.futures.FIRST_COMPLETED,
                )
                frames.update_from(queue)
                for future in finished:
                    task = futures[future]
                    try:
                        failure = future.result()
                    except concurrent.futures.process.BrokenProcessPool as error:
                        failure = (task[0], f"worker process died ({error})")
                    if failure:
                        failures.append(failure)
                    task_bar.update()
    return failures


class FrameProgress:
    """Feeds a tqdm bar with the flow frames computed by several tasks.

    Args:
        bar: the tqdm bar; its total becomes the sum of the tasks' totals.
    """

    def __init__(self, bar):
        self.bar = bar
        self.done = {}
        self.totals = {}

    def update(self, task_id, done, total):
        """Records that task `task_id` computed `done` of `total` frames."""
        self.totals[task_id] = total
        self.bar.total = sum(self.totals.values())
        self.bar.update(done - self.done.get(task_id, 0))
        self.done[task_id] = done

    def update_from(self, queue):
        """Records every `(task_id, done, total)` waiting in `queue`."""
        while True:
            try:
                self.update(*queue.get_nowait())
            except Empty:
                return


@dataclasses.dataclass(frozen=True)
class QueuedProgress:
    """A task's `progress(done, total)` that a worker process sends back
    through a queue (of a `multiprocessing.Manager`) as `(task_id, done,
    total)`."""

    queue: object
    task_id: str

    def __call__(self, done, total):
        self.queue.put((self.task_id, done, total))


def _attempt(function, task, progress):
    try:
        function(*task, progress=progress)
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
        f"{done} done, {skipped} already done (skipped), {len(failures)} failed; outputs in {out}"
    )
    if not failures:
        return 0
    if total == 1:
        raise CLIError(failures[0][1])
    for path, reason in sorted(failures):
        print(f"  failed: {path}: {reason}", file=sys.stderr)
    raise CLIError(f"{len(failures)} of {total} videos failed (listed above)")
