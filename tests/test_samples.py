"""The real sample videos give their expected Kinetics-400 classes."""

import numpy as np

from keras_i3d import I3D
from keras_i3d import decode_predictions
from keras_i3d import preprocess_input
from keras_i3d.tasks import classify_video
from keras_i3d.video import read_video


def _reference_top(path, count):
    """The top classes of a DeepMind reference output file."""
    lines = path.read_text().splitlines()
    start = lines.index("Top classes and probabilities") + 1
    return [line.split(None, 2)[2] for line in lines[start : start + count]]


def test_cricket_gif_matches_deepminds_kinetics_only_output(installed_kinetics400, shared_data):
    # The GIF holds (x + 1) / 2 of DeepMind's [-1, 1] input, palette
    # quantised: x / 127.5 - 1 of its frames approximates that input.
    video = read_video(shared_data("kinetics-i3d/v_CricketShot_g04_c01_rgb.gif"), fps=None)
    assert video.frames.shape == (79, 224, 224, 3)
    model = I3D(weights="kinetics400", classifier_activation=None)
    logits = model.predict(preprocess_input(video.frames[None]), verbose=0)
    top5 = [label for _, label, _ in decode_predictions(logits, top=5)[0]]
    assert top5[0] == "playing cricket"
    assert top5 == _reference_top(
        shared_data("kinetics-i3d/reference_outputs/scratch_rgb_commit6da69a3.txt"), 5
    )
    assert top5 != _reference_top(shared_data("kinetics-i3d/reference_outputs/imagenet_rgb.txt"), 5)


def _assert_classified_as(path, label):
    result = classify_video(path, num_frames=64)
    assert result.top[0].label == label
    assert result.num_frames == 64
    assert np.isclose(sum(r.probability for r in result.top), 1.0, atol=0.05)


def test_the_shipped_video_is_arm_wrestling(installed_kinetics400, arm_wrestling_mp4):
    _assert_classified_as(arm_wrestling_mp4, "arm wrestling")


def test_abseiling_video(installed_kinetics400, shared_data):
    _assert_classified_as(shared_data("tiny-ucf101/abseiling_k400.mp4"), "abseiling")
