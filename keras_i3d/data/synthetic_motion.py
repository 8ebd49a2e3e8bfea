"""A generated video dataset whose classes differ only in motion.

Each clip is a textured patch moving over a textured, static background,
in one of four directions (`MOTION_CLASSES`), wrapping around the frame
borders. Everything random in a clip (background, patch, start position)
is drawn from a generator seeded by `(seed, index)` and independently of
its class, so any single frame has the same distribution in all classes:
only the change between frames tells them apart. It is the smallest
dataset on which learning proves that a network uses time, and the tests'
way to show the training loop learns.

Example:

>>> clips, labels = make_motion_clips(8, clip_length=8, size=32, seed=0)
>>> clips.shape, clips.dtype, labels.tolist()
((8, 8, 32, 32, 3), dtype('uint8'), [0, 1, 2, 3, 0, 1, 2, 3])
"""

import json
import os

import numpy as np

from keras_i3d.preprocessing import preprocess_rgb

MOTION_CLASSES = ("right", "left", "down", "up")
# (rows, columns) moved per frame, per pixel of speed.
_DIRECTION_STEPS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
_BACKGROUND_BLOCK = 8  # coarse, dim texture
_PATCH_BLOCK = 2  # fine, bright texture
# Lists a complete split of `write_motion_split`, in the split's folder.
MOTION_SPLIT_MANIFEST = "split.json"


def _texture(rng, height, width, block, low, high):
    cells = rng.integers(low, high, size=(-(-height // block), -(-width // block), 3))
    texture = np.repeat(np.repeat(cells, block, axis=0), block, axis=1)
    return texture[:height, :width].astype(np.uint8)


def motion_clip(direction, seed, clip_length=8, size=32, patch_size=None, speed=2):
    """Renders one clip of a patch moving in `direction`.

    Args:
        direction: one of `MOTION_CLASSES` (or its index).
        seed: an int or a sequence of ints seeding the background, the patch
            and its start; the same seed gives the same first frame for
            every direction.
        clip_length: number of frames.
        size: height and width in pixels.
        patch_size: side of the moving patch; defaults to `size // 3`.
        speed: pixels moved per frame.

    Returns:
        A uint8 array `(clip_length, size, size, 3)`.
    """
    if isinstance(direction, (int, np.integer)):
        if not 0 <= direction < len(MOTION_CLASSES):
            raise ValueError(
                f"`direction` index must be in [0, {len(MOTION_CLASSES)}). Received: {direction}"
            )
        direction = MOTION_CLASSES[direction]
    if direction not in _DIRECTION_STEPS:
        raise ValueError(f"`direction` must be one of {MOTION_CLASSES}. Received: {direction!r}")
    if clip_length < 1 or size < 4:
        raise ValueError(
            f"Need clip_length >= 1 and size >= 4. Received: clip_length={clip_length}, size={size}"
        )
    patch_size = patch_size or max(2, size // 3)
    rng = np.random.default_rng(seed)
    background = _texture(rng, size, size, _BACKGROUND_BLOCK, 0, 110)
    patch = _texture(rng, patch_size, patch_size, _PATCH_BLOCK, 140, 256)
    start_row, start_column = rng.integers(0, size, size=2)
    step_rows, step_columns = _DIRECTION_STEPS[direction]
    layer = np.zeros((size, size, 3), np.uint8)
    layer[:patch_size, :patch_size] = patch
    mask = np.zeros((size, size, 1), bool)
    mask[:patch_size, :patch_size] = True
    clip = np.empty((clip_length, size, size, 3), np.uint8)
    for t in range(clip_length):
        shift = (
            int(start_row + step_rows * speed * t) % size,
            int(start_column + step_columns * speed * t) % size,
        )
        moved_mask = np.roll(mask, shift, axis=(0, 1))
        clip[t] = np.where(moved_mask, np.roll(layer, shift, axis=(0, 1)), background)
    return clip


def make_motion_clips(count, seed=0, clip_length=8, size=32, speed=2, classes=len(MOTION_CLASSES)):
    """Renders `count` clips; clip `i` has label `i % classes`.

    Args:
        count: number of clips.
        seed: the dataset seed; clip `i` is seeded by `(seed, i)`.
        clip_length: frames per clip.
        size: height and width.
        speed: pixels moved per frame.
        classes: how many of the four directions to use (2 to 4).

    Returns:
        `(clips, labels)`: uint8 `(count, clip_length, size, size, 3)` and int32
        `(count,)`, balanced over the classes.
    """
    if not 2 <= classes <= len(MOTION_CLASSES):
        raise ValueError(
            f"`classes` must be in [2, {len(MOTION_CLASSES)}]. Received: classes={classes}"
        )
    labels = np.arange(count, dtype=np.int32) % classes
    clips = (
        np.stack(
            [
                motion_clip(int(label), (seed, index), clip_length, size, speed=speed)
                for index, label in enumerate(labels)
            ]
        )
        if count
        else np.zeros((0, clip_length, size, size, 3), np.uint8)
    )
    return clips, labels


def motion_dataset(
    count,
    batch_size,
    seed=0,
    clip_length=8,
    size=32,
    speed=2,
    classes=len(MOTION_CLASSES),
    shuffle_seed=None,
    drop_remainder=True,
):
    """A `tf.data.Dataset` of `(clips, labels)` batches, preprocessed.

    Clips are scaled to `[-1, 1]` like real RGB input.

    Args:
        count: number of clips.
        batch_size: clips per batch (the global batch).
        seed: the dataset seed (see `make_motion_clips`).
        clip_length: frames per clip.
        size: height and width.
        speed: pixels moved per frame.
        classes: how many directions to use.
        shuffle_seed: None keeps the order; an int shuffles with that seed
            (pass the epoch to get a different, reproducible order per
            epoch).
        drop_remainder: whether to drop a last, smaller batch.

    Returns:
        A `tf.data.Dataset` of `(float32 (B, clip_length, size, size, 3),
        int32 (B,))`.
    """
    import tensorflow as tf

    clips, labels = make_motion_clips(count, seed, clip_length, size, speed, classes)
    dataset = tf.data.Dataset.from_tensor_slices((preprocess_rgb(clips), labels))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(count, seed=shuffle_seed, reshuffle_each_iteration=False)
    return dataset.batch(batch_size, drop_remainder=drop_remainder)


def write_motion_videos(
    root,
    clips_per_class,
    seed=0,
    num_frames=16,
    size=64,
    speed=2,
    classes=len(MOTION_CLASSES),
    fps=25,
):
    """Writes the dataset as a folder-per-class tree of `.mp4` videos.

    `root/<direction>/<direction>_<index>.mp4`, MPEG-4 Part 2 at `fps`, the
    layout of UCF101-style datasets.

    Args:
        root: the dataset folder (created).
        clips_per_class: videos per class.
        seed: the dataset seed.
        num_frames: frames per video.
        size: height and width (even).
        speed: pixels moved per frame.
        classes: how many directions to use.
        fps: frame rate written in the files.

    Returns:
        The list of `(path, label)` written.
    """
    import av

    clips, labels = make_motion_clips(
        clips_per_class * classes, seed, num_frames, size, speed, classes
    )
    written = []
    for index, (clip, label) in enumerate(zip(clips, labels)):
        name = MOTION_CLASSES[label]
        folder = os.path.join(os.fspath(root), name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{name}_{index // classes:04d}.mp4")
        with av.open(path, mode="w") as container:
            stream = container.add_stream("mpeg4", rate=fps)
            stream.width = stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = {"qscale": "2"}
            for frame in clip:
                for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        written.append((path, int(label)))
    return written


def write_motion_split(
    root,
    clips_per_class,
    seed=0,
    num_frames=16,
    size=64,
    speed=2,
    classes=len(MOTION_CLASSES),
    fps=25,
):
    """Writes a split of the dataset as videos and a manifest, once.

    The videos are `write_motion_videos`'s (`root/<direction>/...mp4`);
    the manifest `root/split.json` lists them with their labels and the
    settings that made them, and is written last (atomically), so that it
    marks a complete split. A complete split of the same settings is read
    back instead of written again.

    Args:
        root: the split's folder (created).
        clips_per_class, seed, num_frames, size, speed, classes, fps: as for
            `write_motion_videos`.

    Returns:
        The `VideoSample`s of the split, balanced over the classes.

    Raises:
        ValueError: `root` holds a complete split of other settings, or its
            manifest lists a video that is gone.

    Example:

    >>> samples = write_motion_split("motion/train", 2, num_frames=8, size=32)  # doctest: +SKIP
    >>> [(s.label, s.label_name) for s in samples[:2]]  # doctest: +SKIP
    [(0, 'right'), (1, 'left')]
    """
    from keras_i3d.atomic_files import atomic_write

    settings = {
        "clips_per_class": clips_per_class,
        "seed": seed,
        "num_frames": num_frames,
        "size": size,
        "speed": speed,
        "classes": classes,
        "fps": fps,
    }
    manifest = os.path.join(os.fspath(root), MOTION_SPLIT_MANIFEST)
    if os.path.exists(manifest):
        with open(manifest) as file:
            written_settings = json.load(file)["settings"]
        if written_settings != settings:
            raise ValueError(
                f"{manifest}: the folder holds a split of other settings "
                f"({written_settings}); remove it or choose another folder. "
                f"Received: {settings}"
            )
        return read_motion_split(root)
    written = write_motion_videos(root, **settings)
    entries = [
        {"path": os.path.relpath(path, root), "label": label, "label_name": MOTION_CLASSES[label]}
        for path, label in written
    ]
    content = json.dumps({"settings": settings, "samples": entries}, indent=1)
    atomic_write(manifest, lambda file: file.write(content.encode()))
    return read_motion_split(root)


def read_motion_split(root):
    """The `VideoSample`s of a split `write_motion_split` wrote to `root`.

    Raises:
        FileNotFoundError: `root` has no `split.json` (no complete split).
        ValueError: the manifest lists a video that is gone.
    """
    from keras_i3d.data.formats import VideoSample

    manifest = os.path.join(os.fspath(root), MOTION_SPLIT_MANIFEST)
    with open(manifest) as file:
        entries = json.load(file)["samples"]
    samples = [
        VideoSample(
            os.path.join(os.fspath(root), entry["path"]), entry["label"], entry["label_name"]
        )
        for entry in entries
    ]
    missing = [sample.path for sample in samples if not os.path.exists(sample.path)]
    if missing:
        raise ValueError(
            f"{manifest}: {len(missing)} of its videos are missing (first: "
            f"{missing[0]}); remove the folder {root} to write it again"
        )
    return samples
