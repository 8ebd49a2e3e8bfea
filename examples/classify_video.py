"""Classify a video with the Python API (the CLI does the same:
`keras-i3d predict VIDEO`).

    python examples/classify_video.py examples/data/arm_wrestling.mp4

Needs the Kinetics-400 weights once: `keras-i3d weights install kinetics400`.
"""

import argparse

import numpy as np

from keras_i3d import I3D
from keras_i3d import decode_predictions
from keras_i3d import preprocess_input
from keras_i3d.data.transforms import eval_transform
from keras_i3d.video import read_video


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("video")
    parser.add_argument("--frames", type=int, default=64)
    args = parser.parse_args()

    video = read_video(args.video, fps=25, num_frames=args.frames)  # uint8 RGB
    clip = np.asarray(eval_transform(video.frames))  # short side 256, 224 crop
    clip = preprocess_input(clip[None], stream="rgb")  # x / 127.5 - 1
    model = I3D(stream="rgb", weights="kinetics400")
    probabilities = model.predict(clip, verbose=0)
    for index, label, probability in decode_predictions(probabilities)[0]:
        print(f"{probability:9.6f}  {label} ({index})")


if __name__ == "__main__":
    main()
