"""FVD throughput: the whole embedding path against the model alone.

In one process, on one batch size (16 videos of `--clip-length` frames, the
reference's batch), times

* `model only`: the float32 I3D logits model on clips already resized to
  224 x 224 and scaled (what any FVD implementation must pay);
* `arrays`: `keras_i3d.tasks.fvd.video_embeddings` from uint8 arrays of
  `--height` x `--width` frames (resize, scale, model) plus the float64
  statistics update;
* `video files`: `video_file_statistics` on `--video` (decoding with
  `read_video`, clip sampling, resize, scale, model, statistics);

and prints videos/s, the overhead of each path over the model alone, and the
time an FVD over `--num-videos` real and as many generated videos would
take at the files rate. The machine's load average is printed before and
after: numbers taken on a shared machine are inflated.

    KERAS_I3D_HOME=... python benchmarks/fvd.py [--runs 3] [--warmup 1] \\
        [--clip-length 16] [--height 240 --width 320] [--num-videos 2048]
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


def median_seconds(function, runs, warmup):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--clip-length", type=int, default=16)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--video", type=pathlib.Path, default=DEFAULT_VIDEO)
    parser.add_argument("--num-videos", type=int, default=2048)
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from keras_i3d.tasks.fvd.embed import embed_model_inputs
    from keras_i3d.tasks.fvd.embed import embedding_options
    from keras_i3d.tasks.fvd.embed import fvd_embedding_model
    from keras_i3d.tasks.fvd.embed import preprocess_videos
    from keras_i3d.tasks.fvd.embed import video_embeddings
    from keras_i3d.tasks.fvd.sources import video_file_statistics
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    print(f"load average before: {os.getloadavg()}")
    print(
        f"backend {keras.backend.backend()}, batch {BATCH_SIZE} x "
        f"{args.clip_length} frames, arrays of {args.height}x{args.width}"
    )
    model = fvd_embedding_model()
    rng = np.random.default_rng(0)
    videos = rng.integers(
        0, 256, (BATCH_SIZE, args.clip_length, args.height, args.width, 3)
    ).astype(np.uint8)
    model_inputs = preprocess_videos(videos)
    options = embedding_options(clip_length=args.clip_length)

    def arrays_path():
        statistics_ = VideoStatistics(400, options)
        statistics_.update(video_embeddings(videos, model=model))

    paths = [args.video] * BATCH_SIZE
    timings = {
        "model only": median_seconds(
            lambda: embed_model_inputs(model, model_inputs), args.runs, args.warmup
        ),
        "arrays": median_seconds(arrays_path, args.runs, args.warmup),
        "video files": median_seconds(
            lambda: video_file_statistics(paths, model=model, clip_length=args.clip_length),
            args.runs,
            args.warmup,
        ),
    }
    baseline = timings["model only"]
    print(f"{'path':<12} {'videos/s':>9} {'overhead':>9}")
    for name, seconds in timings.items():
        print(f"{name:<12} {BATCH_SIZE / seconds:9.2f} {100 * (seconds / baseline - 1):8.1f}%")
    total = 2 * args.num_videos * timings["video files"] / BATCH_SIZE
    print(
        f"FVD over {args.num_videos} real + {args.num_videos} generated "
        f"videos at the files rate: {total / 60:.1f} min"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
