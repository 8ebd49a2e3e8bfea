"""Training clips per second through the tf.data service, against the local pipeline.

Measures 64x224x224x3 training clips (random window, crop, flip, scaled to
[-1, 1]) from the same inputs as `benchmarks/pipeline.py` (mmaction2's
340x256 demo.mp4, copied `--clips` + 2 times, and JPEG-frame shards written
from them), through

* the local pipeline (`video_dataset` / `tfrecord_dataset`, the baseline);
* the same pipeline with `data_service=`, on a loopback tf.data service in
  this process (a dispatcher and 1 or 2 workers; with 2, also without
  Snappy compression): decoding on the workers,
  clips sent as uint8 over gRPC on localhost, scaled in the trainer.

Each configuration is timed over one epoch (a service job of one epoch,
`DataServiceConfig(epochs=1)`: starting a job costs about 2 s, paid once
per job), after 2 warm-up clips; every
configuration is timed once per round, rounds interleaved, and the median
is reported with its ratio to the local row of the same input. On one host
the workers share the trainer's cores, so this shows the service's
overhead, not the scaling a cluster of worker hosts gives.

    python benchmarks/data_service.py [--clips 16] [--rounds 3]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pipeline import CLIP_LENGTH  # noqa: E402
from pipeline import DEFAULT_VIDEO  # noqa: E402
from pipeline import clips_per_second  # noqa: E402

from keras_i3d.conventions import CROP_SIZE  # noqa: E402
from keras_i3d.data import DataServiceConfig  # noqa: E402
from keras_i3d.data import VideoSample  # noqa: E402
from keras_i3d.data import local_data_service  # noqa: E402
from keras_i3d.data import tfrecord_dataset  # noqa: E402
from keras_i3d.data import video_dataset  # noqa: E402
from keras_i3d.data import write_tfrecords  # noqa: E402

WARMUP_CLIPS = 2


def configurations(samples, pattern, address_by_workers):
    """`(input, where, dataset factory)` rows; `where` is "local" or the service used."""
    services = {"local": None}
    for workers, address in address_by_workers.items():
        services[f"service, {workers} worker{'s' if workers > 1 else ''}"] = DataServiceConfig(
            address, epochs=1
        )
    services["service, 2, uncompressed"] = DataServiceConfig(
        address_by_workers[2], compression=None, epochs=1
    )
    rows = []
    for name, build in (
        ("video files", lambda **kwargs: video_dataset(samples, **kwargs)),
        ("TFRecord shards", lambda **kwargs: tfrecord_dataset(pattern, **kwargs)),
    ):
        for where, service in services.items():
            rows.append(
                (
                    name,
                    where,
                    lambda build=build, service=service: build(
                        clip_length=CLIP_LENGTH, seed=0, data_service=service
                    ),
                )
            )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", default=DEFAULT_VIDEO, help="source video (340x256 mp4)")
    parser.add_argument("--clips", type=int, default=16, help="clips timed per configuration")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="data-service-bench-")
    try:
        samples = []
        # One epoch holds the warm-up and the timed clips.
        for index in range(WARMUP_CLIPS + args.clips):
            path = os.path.join(work, f"video_{index}.mp4")
            shutil.copyfile(args.video, path)
            samples.append(VideoSample(path, 0))
        write_tfrecords(samples, os.path.join(work, "shards"), num_shards=4, workers=2)
        pattern = os.path.join(work, "shards", "*.tfrecord")
        with local_data_service(1) as one_worker, local_data_service(2) as two_workers:
            rows = configurations(samples, pattern, {1: one_worker, 2: two_workers})
            rates = {(name, where): [] for name, where, _ in rows}
            for _ in range(args.rounds):
                for name, where, build in rows:
                    iterator = iter(build())
                    rates[name, where].append(
                        clips_per_second(iterator, args.clips, warmup=WARMUP_CLIPS)
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"Training clips {CLIP_LENGTH}x{CROP_SIZE}x{CROP_SIZE}x3 from {len(samples)} x "
        f"{os.path.basename(args.video)}; {os.cpu_count()} CPU cores; {args.clips} clips "
        f"each, median of {args.rounds} interleaved rounds"
    )
    print(f"| {'input':<16} | {'where':<24} | clips/s | vs local | clips per CPU-s |")
    print(f"|{'-' * 18}|{'-' * 26}|---------|----------|-----------------|")
    for name, where, _ in rows:
        rate, cpu_rate = (statistics.median(column) for column in zip(*rates[name, where]))
        local = statistics.median(wall for wall, _ in rates[name, "local"])
        print(
            f"| {name:<16} | {where:<24} | {rate:>7.2f} | {rate / local:>7.2f}x "
            f"| {cpu_rate:>15.2f} |"
        )


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.0f} s in all)")
