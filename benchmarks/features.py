"""`extract-features` throughput against the model-only rate, same process.

Builds the feature network once, as the command does (the fused graph in
float32 by default; `--no-fuse` for the reference graph, `--precision
mixed_bfloat16` for bfloat16), and times, interleaved over `--rounds` rounds so that load
changes hit every row alike:

* `model-only`: `predict_on_batch` on ready-made batches of `--batch-size`
  windows, the ceiling;
* `extract-inline`: the command's path (decode in chunks, ring buffer,
  windows batched, `batched_features`) with decoding in the same thread;
* `extract-reader`: the same with a reader thread decoding ahead through a
  bounded queue (`keras_i3d.tasks.features.prefetch`), what the command runs.

Each row gives windows/s, its share of the model-only rate, and video-hours
per hour (`windows/s x stride / fps`: seconds of video per second). The
video is the bundled sample looped to `--seconds` seconds (written once to a
temporary file with PyAV). The load average is printed before and after:
numbers taken on a shared machine are noisy, compare ratios within a run.

    python benchmarks/features.py [--seconds 30] [--window 16] [--stride 16] \\
        [--batch-size 8] [--rounds 3] [--weights kinetics400|none] [--no-fuse] \\
        [--precision float32|mixed_bfloat16]
"""

import argparse
import os
import pathlib
import statistics
import tempfile
import time

import numpy as np

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "data" / "arm_wrestling.mp4"


def looped_video(path, seconds, fps=25):
    """Writes the bundled sample looped to `seconds` seconds at `fps`."""
    import av

    frames = [frame.to_ndarray(format="rgb24") for frame in av.open(str(SAMPLE)).decode(video=0)]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for index in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(frames[index % len(frames)], format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def time_model_only(model, batch, windows):
    start = time.perf_counter()
    done = 0
    while done < windows:
        model.predict_on_batch(batch)
        done += len(batch)
    return done / (time.perf_counter() - start)


def time_extract(video, settings, model, batch_size, reader):
    from keras_i3d.tasks.features.extract import batched_features
    from keras_i3d.tasks.features.prefetch import prefetched
    from keras_i3d.tasks.features.settings import VideoWindows

    videos = [(video, VideoWindows(video, settings))]
    if reader:
        videos = prefetched(videos, workers=1, depth=max(batch_size, 2))
    start = time.perf_counter()
    (result,) = batched_features(videos, {"rgb": model}, batch_size)
    elapsed = time.perf_counter() - start
    if result.error is not None:
        raise result.error
    return len(result.rows) / elapsed


def main():
    from keras_i3d.cli.options import add_inference_graph_options

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--stride", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--weights", default="kinetics400")
    add_inference_graph_options(parser)
    args = parser.parse_args()

    from keras_i3d.preprocessing import preprocess_input
    from keras_i3d.tasks.features.models import feature_model
    from keras_i3d.tasks.features.settings import FeatureSettings

    print(f"load average before: {os.getloadavg()}")
    weights = None if args.weights == "none" else args.weights
    model = feature_model(
        "rgb", weights=weights, window=args.window, fused=args.fused, precision=args.precision
    )
    settings = FeatureSettings(window=args.window, stride=args.stride)
    rng = np.random.default_rng(0)
    batch = preprocess_input(
        rng.integers(0, 256, (args.batch_size, args.window, 224, 224, 3), dtype=np.uint8)
    )
    model.predict_on_batch(batch)  # warm-up
    with tempfile.TemporaryDirectory() as folder:
        video = looped_video(pathlib.Path(folder) / "looped.mp4", args.seconds)
        windows = len(range(0, int(args.seconds * 25) - args.window + 1, args.stride))
        rates = {"model-only": [], "extract-inline": [], "extract-reader": []}
        for _ in range(args.rounds):
            rates["model-only"].append(time_model_only(model, batch, windows))
            rates["extract-inline"].append(
                time_extract(video, settings, model, args.batch_size, reader=False)
            )
            rates["extract-reader"].append(
                time_extract(video, settings, model, args.batch_size, reader=True)
            )
    ceiling = statistics.median(rates["model-only"])
    print(
        f"\n{args.seconds:g} s of video, window {args.window}, stride {args.stride}, "
        f"batch {args.batch_size}, {'fused' if args.fused else 'reference'} graph in "
        f"{args.precision}, median of {args.rounds} rounds"
    )
    print(f"{'row':<16} {'windows/s':>10} {'of model':>9} {'video h/h':>10}")
    for name, values in rates.items():
        rate = statistics.median(values)
        video_hours_per_hour = rate * args.stride / settings.fps
        print(f"{name:<16} {rate:>10.2f} {rate / ceiling:>8.0%} {video_hours_per_hour:>10.1f}")
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
