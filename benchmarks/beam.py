"""Corpus throughput: the local worker pool against the Beam DirectRunner.

Run from the project root (needs the beam extra):

    python benchmarks/beam.py [--videos 8] [--max-frames 25] [--workers 2] \
        [--flow-method farneback] [--repeats 2]

Both paths compute the flow of the same videos (copies of one sample clip
under different names) with the same settings and the same number of worker
processes: `keras-i3d flow`'s pool (`keras_i3d.cli.flow.run_tasks`) and
`keras_i3d.beam.jobs.run_flow_job` on the DirectRunner in multi_processing
mode. The runs alternate (local, Beam, local, Beam, ...) into fresh output
folders, so both see the same machine load; the best run of each is
reported, with Beam's time relative to the pool's. The Beam time includes
starting its worker processes (each imports TensorFlow), which is the
overhead a short job pays.

Then a paper estimate of a Kinetics-400-scale job from the measured cost of
one flow frame: 250,000 videos x 250 frames (10 s at 25 fps), in CPU-hours,
and the workers needed to finish in a day. `--flow-method tvl1` measures the
paper's flow (about 1 s per frame per core at short side 256: slow here).
"""

import argparse
import os
import pathlib
import shutil
import tempfile
import time

KINETICS_VIDEOS = 250_000
FRAMES_PER_VIDEO = 250  # 10 s at 25 fps.
HOURS_PER_DAY = 24

DEFAULT_VIDEO = (
    pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mmaction2" / "demo.mp4"
)


def make_corpus(folder, source, count):
    """`count` copies of `source` named video000.mp4, ...; their paths."""
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        path = folder / f"video{index:03d}{source.suffix}"
        shutil.copyfile(source, path)
        paths.append(path)
    return paths


def run_local(paths, out, settings, workers):
    from keras_i3d.cli.flow import run_tasks
    from keras_i3d.flow.corpus import compute_and_store_flow
    from keras_i3d.flow.storage import flow_output_path

    tasks = [
        (str(path), str(flow_output_path(out, path.stem, settings["flow_format"])), settings)
        for path in paths
    ]
    failures = run_tasks(compute_and_store_flow, tasks, workers, description="local")
    if failures:
        raise RuntimeError(f"the local pool failed: {failures}")


def run_beam(paths, out, settings, workers):
    from keras_i3d.beam.jobs import run_flow_job

    summary = run_flow_job(paths, out, settings, workers=workers)
    if summary.failures or summary.count("done") != len(paths):
        raise RuntimeError(f"the Beam job did not compute every video: {summary}")


def steady_state_seconds_per_frame(path, out, settings):
    """One core's cost of one flow frame, without process start-up: one
    video computed twice in this process with one OpenCV thread, the
    second run timed."""
    import cv2

    from keras_i3d.flow.corpus import compute_and_store_flow

    cv2.setNumThreads(1)
    timed = None
    for attempt in range(2):
        target = pathlib.Path(out) / f"steady{attempt}.npz"
        start = time.perf_counter()
        compute_and_store_flow(str(path), str(target), settings)
        timed = time.perf_counter() - start
    return timed / count_flow_frames(out, settings, "steady1.npz")


def count_flow_frames(out, settings, pattern="*.npz"):
    from keras_i3d.flow import read_flow

    return sum(read_flow(path).shape[0] for path in sorted(pathlib.Path(out).glob("*.npz")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--video", type=pathlib.Path, default=DEFAULT_VIDEO)
    parser.add_argument("--videos", type=int, default=8)
    parser.add_argument("--max-frames", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--flow-method", default="farneback")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    settings = dict(flow_method=args.flow_method, flow_format="npz", num_frames=args.max_frames)
    runners = {"local pool": run_local, "beam direct": run_beam}
    best = {name: float("inf") for name in runners}
    with tempfile.TemporaryDirectory(prefix="keras-i3d-beam-bench-") as root:
        root = pathlib.Path(root)
        paths = make_corpus(root / "videos", args.video, args.videos)
        frames = None
        for repeat in range(args.repeats):
            for name, run in runners.items():
                out = root / f"{name.replace(' ', '_')}_{repeat}"
                start = time.perf_counter()
                run(paths, out, settings, args.workers)
                best[name] = min(best[name], time.perf_counter() - start)
                frames = frames or count_flow_frames(out, settings)
        core_seconds_per_frame = steady_state_seconds_per_frame(paths[0], root / "steady", settings)
    print(
        f"{args.videos} videos x {frames // args.videos} flow frames ({args.flow_method}, "
        f"short side 256), {args.workers} worker processes, best of {args.repeats}"
    )
    print(f"{'runner':<12} {'seconds':>8} {'videos/s':>9} {'frames/s':>9} {'vs local':>9}")
    for name, seconds in best.items():
        print(
            f"{name:<12} {seconds:>8.1f} {args.videos / seconds:>9.2f} {frames / seconds:>9.1f}"
            f" {seconds / best['local pool']:>8.2f}x"
        )
    startup = {
        name: seconds - frames * core_seconds_per_frame / args.workers
        for name, seconds in best.items()
    }
    print(
        f"one flow frame costs {core_seconds_per_frame * 1000:.1f} ms on one core "
        "(in-process, no start-up); the rest of each run, about "
        + ", ".join(f"{seconds:.1f} s ({name})" for name, seconds in startup.items())
        + ", is starting worker processes and the pipeline"
    )
    cpu_hours = KINETICS_VIDEOS * FRAMES_PER_VIDEO * core_seconds_per_frame / 3600
    print(
        f"\nPaper estimate, Kinetics-400 scale ({KINETICS_VIDEOS:,} videos x "
        f"{FRAMES_PER_VIDEO} frames), from {core_seconds_per_frame * 1000:.1f} ms per "
        f"flow frame per core ({args.flow_method}):"
    )
    print(
        f"  {cpu_hours:,.0f} CPU-hours ({cpu_hours / HOURS_PER_DAY:,.1f} CPU-days); "
        f"{cpu_hours / HOURS_PER_DAY:,.0f} single-core workers finish in a day, "
        "plus start-up per worker, which a long job amortises"
    )


if __name__ == "__main__":
    main()
