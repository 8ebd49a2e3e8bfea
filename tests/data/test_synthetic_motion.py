import os

import numpy as np
import pytest

from keras_i3d.data.synthetic_motion import MOTION_CLASSES
from keras_i3d.data.synthetic_motion import make_motion_clips
from keras_i3d.data.synthetic_motion import motion_clip
from keras_i3d.data.synthetic_motion import motion_dataset
from keras_i3d.data.synthetic_motion import read_motion_split
from keras_i3d.data.synthetic_motion import write_motion_split
from keras_i3d.data.synthetic_motion import write_motion_videos

SHIFTS = {"right": (0, 2), "left": (0, -2), "down": (2, 0), "up": (-2, 0)}


def test_clips_are_seeded_balanced_uint8():
    clips, labels = make_motion_clips(8, seed=3, clip_length=6, size=24)
    assert clips.shape == (8, 6, 24, 24, 3) and clips.dtype == np.uint8
    assert labels.tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    again, _ = make_motion_clips(8, seed=3, clip_length=6, size=24)
    np.testing.assert_array_equal(clips, again)
    other, _ = make_motion_clips(8, seed=4, clip_length=6, size=24)
    assert not np.array_equal(clips, other)


def test_a_single_frame_cannot_tell_the_classes_apart():
    clips = [motion_clip(direction, seed=11) for direction in MOTION_CLASSES]
    for clip in clips[1:]:
        np.testing.assert_array_equal(clip[0], clips[0][0])
        assert not np.array_equal(clip[1], clips[0][1])


@pytest.mark.parametrize("direction", MOTION_CLASSES)
def test_the_patch_moves_in_its_direction(direction):
    clip = motion_clip(direction, seed=5, clip_length=4, size=32, speed=2)
    for t in range(3):
        # Patch pixels are bright in every channel, background ones dark.
        patch_next = (clip[t + 1] >= 140).all(axis=-1)
        assert patch_next.sum() == (32 // 3) ** 2
        moved = np.roll(clip[t], SHIFTS[direction], axis=(0, 1))
        np.testing.assert_array_equal(moved[patch_next], clip[t + 1][patch_next])


def test_dataset_batches_are_preprocessed_and_reproducible():
    dataset = motion_dataset(12, 4, clip_length=4, size=16, shuffle_seed=2)
    batches = list(dataset.as_numpy_iterator())
    assert len(batches) == 3
    clips, labels = batches[0]
    assert clips.shape == (4, 4, 16, 16, 3) and clips.dtype == np.float32
    assert -1.0 <= clips.min() and clips.max() <= 1.0
    again = list(motion_dataset(12, 4, clip_length=4, size=16, shuffle_seed=2).as_numpy_iterator())
    np.testing.assert_array_equal(batches[0][1], again[0][1])
    all_labels = np.concatenate([b[1] for b in batches])
    assert sorted(all_labels.tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="direction"):
        motion_clip("sideways", seed=0)
    with pytest.raises(ValueError, match="classes"):
        make_motion_clips(4, classes=5)


def test_videos_are_written_per_class(tmp_path):
    import av

    written = write_motion_videos(tmp_path, clips_per_class=1, num_frames=6, size=32, classes=2)
    assert [label for _, label in written] == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["left", "right"]
    path, label = written[0]
    with av.open(path) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 6 and frames[0].shape == (32, 32, 3)
    expected = motion_clip(label, (0, 0), clip_length=6, size=32)
    assert np.abs(frames[2].astype(int) - expected[2]).mean() < 12


def test_a_split_is_written_once_then_read_back(tmp_path):
    root = tmp_path / "train"
    samples = write_motion_split(root, 2, seed=1, num_frames=4, size=16)
    assert [(s.label, s.label_name) for s in samples] == [
        (0, "right"),
        (1, "left"),
        (2, "down"),
        (3, "up"),
    ] * 2
    assert samples[4].path == str(root / "right" / "right_0001.mp4")
    assert sorted(os.listdir(root)) == ["down", "left", "right", "split.json", "up"]
    first_write = os.path.getmtime(samples[0].path)
    assert write_motion_split(root, 2, seed=1, num_frames=4, size=16) == samples
    assert read_motion_split(root) == samples
    assert os.path.getmtime(samples[0].path) == first_write


def test_a_split_of_other_settings_or_missing_videos_is_refused(tmp_path):
    samples = write_motion_split(tmp_path, 1, num_frames=4, size=16)
    with pytest.raises(ValueError, match="split of other settings"):
        write_motion_split(tmp_path, 1, num_frames=4, size=16, speed=3)
    os.remove(samples[2].path)
    with pytest.raises(ValueError, match="1 of its videos are missing"):
        read_motion_split(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_motion_split(tmp_path / "nothing")
