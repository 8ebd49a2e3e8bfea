"""Classify a video with the Python API (the CLI does the same:
`keras-i3d predict VIDEO`).

    python examples/classify_video.py examples/data/arm_wrestling.mp4

Needs the Kinetics-400 weights once: `keras-i3d weights install kinetics400`.
"""

import argparse

from keras_i3d.tasks import classify_video


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("video")
    parser.add_argument("--frames", type=int, default=64)
    args = parser.parse_args()

    # 25 fps, short side 256, centre 224 crop, [-1, 1]: the checkpoints' input.
    result = classify_video(args.video, num_frames=args.frames)
    for ranked in result.top:
        print(f"{ranked.probability:9.6f}  {ranked.label} ({ranked.index})")


if __name__ == "__main__":
    main()
