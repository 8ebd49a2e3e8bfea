"""Classify a video with the Python API, as `keras-i3d predict VIDEO` does.

    python examples/classify_video.py examples/data/arm_wrestling.mp4

Needs the Kinetics-400 weights once: `keras-i3d weights install kinetics400`.
"""

import argparse


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Needs the Kinetics-400 weights once: keras-i3d weights install kinetics400",
    )
    parser.add_argument("video", help="video file, GIF or folder of frames")
    parser.add_argument(
        "--max-frames",
        type=int,
        default=64,
        help="classify the first N frames at 25 fps (default: 64)",
    )
    args = parser.parse_args()
    # After parsing, so that --help does not wait for TensorFlow.
    from keras_i3d.tasks.classify import classify_video

    # 25 fps, short side 256, centre 224 crop, [-1, 1]: the checkpoints' input.
    result = classify_video(args.video, num_frames=args.max_frames)
    for ranked in result.top:
        print(f"{ranked.probability:9.6f}  {ranked.label} ({ranked.index})")


if __name__ == "__main__":
    main()
