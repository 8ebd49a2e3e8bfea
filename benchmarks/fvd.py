"""FVD throughput: the whole embedding path against the model alone.

In one process, on `--batches` batches (16 videos of `--clip-length`
frames each, the reference's batch), times

* `model only`: the float32 I3D logits model, compiled as one graph (no
  XLA), on clips already resized to 224 x 224 and scaled (what any FVD
  implementation must pay);
* with `--compare-eager`, `model eager`: the same model called eagerly,
  layer by layer;
* `arrays`: `keras_i3d.tasks.fvd.video_embeddings` from uint8 arrays of
  `--height` x `--width` frames (resize, scale, model) plus the float64
  statistics update;
* with `--compare-eager`, `arrays eager`: the arrays path on the host, as
  before the compiled path (`preprocess_videos`, then the model eagerly);
* `video files`: `video_file_statistics` on `--batches` x 16 copies of
  `--video` (decoding with `read_video`, clip sampling, resize, scale,
  model, statistics), so that decoding the next batch can overlap the
  model's run on this one, as over the 2048 videos of a real FVD;

and prints videos/s, the overhead of each path over the model alone in wall
time and in this process's CPU time, and the
time an FVD over `--num-videos` real and as many generated videos would
take at the files rate. The paths are timed in turn within each run (the
median of `--runs` runs after `--warmup`), so a change of load hits them
alike. The machine's load average is printed before and after: numbers
taken on a shared machine are inflated.

    KERAS_I3D_HOME=... python benchmarks/fvd.py [--runs 3] [--warmup 1] \\
        [--batches 4] [--clip-length 16] [--height 240 --width 320] [--num-videos 2048]
"""

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_VIDEO = ROOT / "examples" / "data" / "arm_wrestling.mp4"
BATCH_SIZE = 16


def interleaved_medians(functions, runs, warmup):
    """Median wall and CPU seconds of each function, timed in turn per run.

    CPU seconds are this process's (all threads): on a machine shared with
    other work they grow far less than wall seconds, so their ratios are the
    steadier measure of added work there.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    wall = {name: [] for name in functions}
    cpu = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            function()
            wall[name].append(time.perf_counter() - wall_start)
            cpu[name].append(time.process_time() - cpu_start)
    return {
        name: (statistics.median(wall[name]), statistics.median(cpu[name])) for name in functions
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--batches", type=int, default=4, help="batches of 16 videos per path")
    parser.add_argument("--clip-length", type=int, default=16)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--video", type=pathlib.Path, default=DEFAULT_VIDEO)
    parser.add_argument("--num-videos", type=int, default=2048)
    parser.add_argument(
        "--compare-eager",
        action="store_true",
        help="also time the model and the arrays path run eagerly, as before",
    )
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    from keras_i3d.tasks.fvd.embed import embed_model_inputs
    from keras_i3d.tasks.fvd.embed import embedding_options
    from keras_i3d.tasks.fvd.embed import full_float32_precision
    from keras_i3d.tasks.fvd.embed import fvd_embedding_model
    from keras_i3d.tasks.fvd.embed import preprocess_videos
    from keras_i3d.tasks.fvd.embed import video_embeddings
    from keras_i3d.tasks.fvd.sources import video_file_statistics
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    print(f"load average before: {os.getloadavg()}")
    print(
        f"backend {keras.backend.backend()}, {args.batches} batches of {BATCH_SIZE} x "
        f"{args.clip_length} frames, arrays of {args.height}x{args.width}"
    )
    model = fvd_embedding_model()
    rng = np.random.default_rng(0)
    videos = rng.integers(
        0, 256, (BATCH_SIZE, args.clip_length, args.height, args.width, 3)
    ).astype(np.uint8)
    model_inputs = preprocess_videos(videos)
    options = embedding_options(clip_length=args.clip_length)

    compiled_model = tf.function(lambda inputs: model(inputs, training=False), jit_compile=False)

    def model_only():
        with full_float32_precision():
            for _ in range(args.batches):
                np.asarray(compiled_model(model_inputs))

    def arrays_path():
        statistics_ = VideoStatistics(400, options)
        for _ in range(args.batches):
            statistics_.update(video_embeddings(videos, model=model))

    def arrays_eager_path():
        statistics_ = VideoStatistics(400, options)
        for _ in range(args.batches):
            statistics_.update(embed_model_inputs(model, preprocess_videos(videos)))

    def model_eager():
        for _ in range(args.batches):
            embed_model_inputs(model, model_inputs)

    paths = [args.video] * (BATCH_SIZE * args.batches)
    paths_to_time = {
        "model only": model_only,
        "arrays": arrays_path,
        "video files": lambda: video_file_statistics(
            paths, model=model, clip_length=args.clip_length
        ),
    }
    if args.compare_eager:
        paths_to_time["model eager"] = model_eager
        paths_to_time["arrays eager"] = arrays_eager_path
    timings = interleaved_medians(paths_to_time, args.runs, args.warmup)
    baseline_wall, baseline_cpu = timings["model only"]
    videos_timed = BATCH_SIZE * args.batches
    print(f"{'path':<13} {'videos/s':>9} {'overhead':>9} {'CPU s':>7} {'CPU overhead':>13}")
    for name, (wall, cpu) in timings.items():
        print(
            f"{name:<13} {videos_timed / wall:9.2f} {100 * (wall / baseline_wall - 1):8.1f}%"
            f" {cpu:7.2f} {100 * (cpu / baseline_cpu - 1):12.1f}%"
        )
    total = 2 * args.num_videos * timings["video files"][0] / videos_timed
    print(
        f"FVD over {args.num_videos} real + {args.num_videos} generated "
        f"videos at the files rate: {total / 60:.1f} min"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
