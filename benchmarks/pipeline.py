"""Input pipeline throughput: training clips per second, against a naive loop.

Measures 64x224x224x3 training clips (random window, random crop, flip,
scaled to [-1, 1]) from 340x256 H.264 videos (mmaction2's demo.mp4, copied
`--videos` times), through

* a naive Python loop: OpenCV decodes the whole video, numpy samples, crops,
  flips and scales (the baseline);
* `keras_i3d.data.video_dataset` (video files, decoded in parallel), with
  the decoder before this change ("before": OpenCV seeks near the window
  and reads on) and the current one ("after": PyAV seeks to the keyframe,
  skips the unreferenced frames before the window and converts only the
  frames the clip uses);
* `keras_i3d.data.tfrecord_dataset` (JPEG-frame shards from
  `write_tfrecords`, decoded in-graph),
* the decoding floor: PyAV's seeking read of the source frames a random
  64-frame window needs (seek to the keyframe, skip the unreferenced
  frames before the window), with no RGB conversion, crop or anything
  after it: no video-file configuration can beat this rate on this file,
* both again with the clip copies before the cheaper flip ("4-D flip":
  `tf.reverse` of the 4-D clip on its width axis instead of a
  `(time * height, width, channels)` view, and `InputView.select` copying
  the frames it picks),

each at 1 and 2 workers (tf.data private thread pool and parallel calls).
The configurations run interleaved, `--repeats` times, and the table shows
the median clips per second (wall clock), the ratio to the naive loop, and
clips per CPU-second of the whole process (all threads: the rate per core
when the cores are busy), with the load average before and after, since a
loaded machine lowers every rate.

    python benchmarks/pipeline.py [--clips 24] [--videos 8] [--repeats 3]
"""

import argparse
import contextlib
import os
import shutil
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_i3d.conventions import CROP_SIZE  # noqa: E402
from keras_i3d.conventions import TARGET_FPS  # noqa: E402
from keras_i3d.data import VideoSample  # noqa: E402
from keras_i3d.data import tfrecord_dataset  # noqa: E402
from keras_i3d.data import transforms  # noqa: E402
from keras_i3d.data import video_dataset  # noqa: E402
from keras_i3d.data import views  # noqa: E402
from keras_i3d.data import write_tfrecords  # noqa: E402
from keras_i3d.preprocessing import preprocess_input  # noqa: E402
from keras_i3d.video import decode  # noqa: E402

CLIP_LENGTH = 64
DEFAULT_VIDEO = os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "mmaction2", "demo.mp4"
)


def naive_clips(paths, rng):
    """The baseline: decode everything with OpenCV in Python, then crop."""
    while True:
        for path in paths:
            capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
            source_fps = capture.get(cv2.CAP_PROP_FPS)
            frames = []
            while True:
                ok, frame = capture.read()
                if not ok:
                    break
                frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            capture.release()
            count = int(len(frames) / source_fps * TARGET_FPS)
            picked = (np.arange(count) * source_fps / TARGET_FPS).astype(int)
            start = rng.integers(0, max(count - CLIP_LENGTH, 0) + 1)
            clip = np.stack([frames[i] for i in picked[start : start + CLIP_LENGTH]])
            top = rng.integers(0, clip.shape[1] - CROP_SIZE + 1)
            left = rng.integers(0, clip.shape[2] - CROP_SIZE + 1)
            clip = clip[:, top : top + CROP_SIZE, left : left + CROP_SIZE]
            if rng.random() < 0.5:
                clip = clip[:, :, ::-1]
            yield preprocess_input(clip, "rgb")


def decoded_windows(paths, rng):
    """The floor: the frames of random windows decoded, nothing else done.

    Windows are drawn as `video_dataset` draws them (a random start among
    the video's frames at 25 fps); the PyAV frames are left in YUV, and
    one placeholder array stands for every clip. The file is opened as the
    real path opens it (`count_frames`, then the frame rate).
    """
    placeholder = np.zeros((CLIP_LENGTH, CROP_SIZE, CROP_SIZE, 3), np.float32)
    while True:
        for path in paths:
            count = decode.count_frames(path)
            start = int(rng.integers(0, max(count - CLIP_LENGTH, 0) + 1))
            capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
            frame_duration = 1.0 / capture.get(cv2.CAP_PROP_FPS)
            capture.release()
            end_time = (start + CLIP_LENGTH) / TARGET_FPS
            frames = decode._read_seeking(path, start / TARGET_FPS, frame_duration)
            for timestamp, _ in frames:
                if timestamp >= end_time:
                    break
            frames.close()
            yield placeholder


def with_workers(dataset, workers):
    options = tf.data.Options()
    options.threading.private_threadpool_size = workers
    options.threading.max_intra_op_parallelism = 1
    return dataset.with_options(options)


@contextlib.contextmanager
def opencv_seeking_decoder():
    """The decoder before PyAV's seeking read: OpenCV seeks and reads on."""
    seeking_read = decode._read_seeking

    def opencv_read(path, start_time, frame_duration, decoder_threads=None):
        del frame_duration
        return decode._read_capture(decode._open_capture(path, decoder_threads), start_time)

    decode._read_seeking = opencv_read
    try:
        yield
    finally:
        decode._read_seeking = seeking_read


@contextlib.contextmanager
def copying_transforms():
    """The clip copies before the cheaper flip: a 4-D `tf.reverse` and a
    copying `InputView.select` (the graph must be built inside)."""
    reverse_width, take_frames = transforms.reverse_width, views.take_frames
    transforms.reverse_width = lambda frames: tf.reverse(frames, axis=[2])
    views.take_frames = lambda clips, offsets: clips[:, offsets]
    try:
        yield
    finally:
        transforms.reverse_width, views.take_frames = reverse_width, take_frames


def clips_per_second(iterator, clips, warmup=2):
    """Returns `(clips per wall-clock second, clips per CPU-second)`."""
    for _ in range(warmup):
        clip = next(iterator)
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(clips):
        clip = next(iterator)
        clip = clip[0] if isinstance(clip, tuple) else clip
        assert tuple(clip.shape) == (CLIP_LENGTH, CROP_SIZE, CROP_SIZE, 3)
    return clips / (time.perf_counter() - start), clips / (time.process_time() - start_cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", default=DEFAULT_VIDEO, help="source video (340x256 mp4)")
    parser.add_argument("--videos", type=int, default=8, help="copies of the video in the corpus")
    parser.add_argument("--clips", type=int, default=24, help="clips timed per configuration")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs per configuration")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="pipeline-bench-")
    try:
        paths = []
        for index in range(args.videos):
            path = os.path.join(work, f"video_{index}.mp4")
            shutil.copyfile(args.video, path)
            paths.append(path)
        samples = [VideoSample(path, 0) for path in paths]
        start = time.perf_counter()
        write_tfrecords(samples, os.path.join(work, "shards"), num_shards=4, workers=2)
        write_seconds = time.perf_counter() - start
        pattern = os.path.join(work, "shards", "*.tfrecord")

        def video_files(workers):
            dataset = video_dataset(
                samples, clip_length=CLIP_LENGTH, seed=0, num_parallel_calls=workers
            ).repeat()
            return clips_per_second(iter(with_workers(dataset, workers)), args.clips)

        def before(workers):
            with opencv_seeking_decoder():
                return video_files(workers)

        def video_files_copying(workers):
            with copying_transforms():
                return video_files(workers)

        def shards_copying(workers):
            with copying_transforms():
                return shards(workers)

        def shards(workers):
            dataset = tfrecord_dataset(
                pattern, clip_length=CLIP_LENGTH, seed=0, num_parallel_calls=workers
            ).repeat()
            return clips_per_second(iter(with_workers(dataset, workers)), args.clips)

        def naive(workers):
            del workers
            return clips_per_second(naive_clips(paths, np.random.default_rng(0)), args.clips)

        def floor(workers):
            del workers
            return clips_per_second(decoded_windows(paths, np.random.default_rng(0)), args.clips)

        configurations = [("naive OpenCV loop", 1, naive), ("decoding floor", 1, floor)]
        for workers in (1, 2):
            configurations.append(("video files, before", workers, before))
            configurations.append(("video files, 4-D flip", workers, video_files_copying))
            configurations.append(("video files, after", workers, video_files))
        for workers in (1, 2):
            configurations.append(("TFRecord, 4-D flip", workers, shards_copying))
            configurations.append(("TFRecord shards", workers, shards))
        load_before = os.getloadavg()[0]
        measured = {index: [] for index in range(len(configurations))}
        for _ in range(args.repeats):
            for index, (_, workers, measure) in enumerate(configurations):
                measured[index].append(measure(workers))
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    for index, (name, workers, _) in enumerate(configurations):
        rates = [rate for rate, _ in measured[index]]
        cpu_rates = [cpu_rate for _, cpu_rate in measured[index]]
        rows.append((name, workers, statistics.median(rates), statistics.median(cpu_rates)))
    baseline = rows[0][2]
    print(
        f"Training clips {CLIP_LENGTH}x{CROP_SIZE}x{CROP_SIZE}x3 from {args.videos} x "
        f"{os.path.basename(args.video)}; {os.cpu_count()} CPU cores; {args.clips} clips each, "
        f"median of {args.repeats} interleaved runs"
    )
    print(
        f"(load average {load_before:.1f} before, {load_after:.1f} after; "
        f"writing the TFRecord shards took {write_seconds:.1f} s)"
    )
    print(f"| {'path':<22} | workers | clips/s | vs naive | clips per CPU-s |")
    print(f"|{'-' * 24}|---------|---------|----------|-----------------|")
    for name, workers, rate, cpu_rate in rows:
        print(
            f"| {name:<22} | {workers:>7} | {rate:>7.2f} | {rate / baseline:>7.2f}x "
            f"| {cpu_rate:>15.2f} |"
        )


if __name__ == "__main__":
    main()
