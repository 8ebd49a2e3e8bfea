"""Optical flow speed: TV-L1 (the paper's) against Farneback, frames/s.

Run from the project root:

    python benchmarks/flow.py [--video PATH] [--max-frames 16] [--threads 1]

Frames are decoded at 25 fps and resized to a short side of 256 (what
`keras-i3d flow` computes on); one "frame" is one flow field between two
consecutive frames. `--threads` is OpenCV's thread count: 1 is what each
`keras-i3d flow --workers N` process uses. The ratio column is frames/s
relative to TV-L1 in the same run.
"""

import argparse
import os
import pathlib
import time

import cv2

from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.flow import FLOW_METHODS
from keras_i3d.video import read_video

DEFAULT_VIDEO = (
    pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mmaction2" / "demo.mp4"
)


def time_method(method, frames, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        FLOW_METHODS[method](frames, match_frame_count=False)
        best = min(best, time.perf_counter() - start)
    return (len(frames) - 1) / best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--video", type=pathlib.Path, default=DEFAULT_VIDEO)
    parser.add_argument("--max-frames", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cv2.setNumThreads(args.threads)
    video = read_video(args.video, num_frames=args.max_frames, short_side=RESIZE_SHORT_SIDE)
    height, width = video.frames.shape[1:3]
    rates = {
        method: time_method(method, video.frames, args.repeats) for method in ("tvl1", "farneback")
    }
    print(
        f"{args.video.name}: {len(video.frames) - 1} flow fields of "
        f"{width}x{height}, OpenCV threads={args.threads}, "
        f"best of {args.repeats}"
    )
    print(f"{'method':<10} {'frames/s':>9} {'vs tvl1':>8}")
    for method, rate in rates.items():
        print(f"{method:<10} {rate:>9.2f} {rate / rates['tvl1']:>7.1f}x")


if __name__ == "__main__":
    main()
