"""TFRecord shards of JPEG-encoded frames: writing them, and reading clips in-graph.

One `tf.train.Example` per video:

| feature      | type          | holds                                          |
|--------------|---------------|------------------------------------------------|
| `frames`     | bytes list    | one JPEG per frame (RGB), at `fps`             |
| `label`      | int64         | 0-based class index                            |
| `label_name` | bytes         | class name                                     |
| `path`       | bytes         | the source video                               |
| `fps`        | float         | frame rate of `frames`                         |
| `num_frames`, `height`, `width` | int64 | size of the stored video            |

Frames are stored already resized (short side 256 by default), so reading
needs no resize, only JPEG decoding of the frames a clip uses; this is the
path for large datasets and for `tf.distribute` input sharding (one file per
shard, `AutoShardPolicy.FILE`).
"""

import concurrent.futures
import contextlib
import os

import cv2
import numpy as np
import tensorflow as tf

from keras_i3d.atomic_files import atomic_output
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.conventions import center_crop_offsets
from keras_i3d.data.pipeline import check_clip_arguments
from keras_i3d.data.pipeline import example_seeds
from keras_i3d.data.pipeline import finish_dataset
from keras_i3d.data.pipeline import resolve_view
from keras_i3d.data.pipeline import scale_clip
from keras_i3d.data.pipeline import transform_clips
from keras_i3d.data.sampling import sample_clip_indices
from keras_i3d.data.service import distribute
from keras_i3d.data.service import repeat_epochs
from keras_i3d.data.service import resolve_data_service
from keras_i3d.data.skipped import SkippedVideos
from keras_i3d.data.transforms import random_crop_offsets
from keras_i3d.data.transforms import random_flip_left_right
from keras_i3d.data.transforms import resize_short_side
from keras_i3d.data.transforms import short_side_size
from keras_i3d.data.transforms import split_transform_seed
from keras_i3d.video import read_video

DEFAULT_JPEG_QUALITY = 90
SHARD_SUFFIX = ".tfrecord"

_FEATURES = {
    "frames": tf.io.VarLenFeature(tf.string),
    "label": tf.io.FixedLenFeature((), tf.int64),
    "path": tf.io.FixedLenFeature((), tf.string, default_value=""),
    "height": tf.io.FixedLenFeature((), tf.int64),
    "width": tf.io.FixedLenFeature((), tf.int64),
}


def shard_name(prefix, index, num_shards):
    return f"{prefix}-{index:05d}-of-{num_shards:05d}{SHARD_SUFFIX}"


def encode_video_example(
    frames, label, label_name="", path="", fps=TARGET_FPS, jpeg_quality=DEFAULT_JPEG_QUALITY
):
    """Serializes uint8 RGB frames `(T, H, W, 3)` and a label as an Example."""
    params = [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)]
    encoded = []
    for frame in np.asarray(frames):
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), params)
        if not ok:
            raise ValueError(f"{path}: OpenCV could not JPEG-encode a frame")
        encoded.append(data.tobytes())

    def int_feature(value):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(value)]))

    def bytes_feature(values):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))

    features = {
        "frames": bytes_feature(encoded),
        "label": int_feature(label),
        "label_name": bytes_feature([label_name.encode()]),
        "path": bytes_feature([os.fspath(path).encode()]),
        "fps": tf.train.Feature(float_list=tf.train.FloatList(value=[fps])),
        "num_frames": int_feature(len(encoded)),
        "height": int_feature(frames.shape[1]),
        "width": int_feature(frames.shape[2]),
    }
    return tf.train.Example(features=tf.train.Features(feature=features))


def encode_video_sample(
    sample, fps=TARGET_FPS, short_side=RESIZE_SHORT_SIDE, jpeg_quality=DEFAULT_JPEG_QUALITY
):
    """One video's record, as `write_tfrecords` writes it: the unit of work
    that the local writer and `keras_i3d.beam.tfrecords` share.

    Args:
        sample: a `VideoSample` (its `path`, `label`, `label_name`).
        fps: frame rate of the stored frames.
        short_side: short side of the stored frames (None: keep the size).
        jpeg_quality: JPEG quality, 1 to 100.

    Returns:
        `(serialized tf.train.Example, number of frames)`.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        ValueError, OSError, cv2.error: a frame cannot be read or encoded.
    """
    frames = read_video(sample.path, fps=fps).frames
    if short_side is not None:
        frames = resize_short_side(frames, short_side).numpy()
    example = encode_video_example(
        frames, sample.label, sample.label_name, sample.path, fps, jpeg_quality
    )
    return example.SerializeToString(), len(frames)


def write_tfrecords(
    samples,
    out_dir,
    num_shards=1,
    prefix="videos",
    fps=TARGET_FPS,
    short_side=RESIZE_SHORT_SIDE,
    jpeg_quality=DEFAULT_JPEG_QUALITY,
    workers=1,
    skipped=None,
    on_video_done=None,
):
    """Decodes videos and writes them as JPEG-frame TFRecord shards.

    Videos are decoded and encoded in `workers` threads (OpenCV releases
    the GIL). Written videos go to the shards in turn. Each shard is written
    to a temporary file in `out_dir` and renamed into place when complete, so
    a shard that exists is whole. Unreadable videos are skipped and recorded.

    Args:
        samples: `VideoSample`s.
        out_dir: output folder (created if needed).
        num_shards: number of shard files.
        prefix: shard names are `{prefix}-00000-of-00004.tfrecord`.
        fps: frame rate of the stored frames.
        short_side: short side of the stored frames (`None`: keep the size).
        jpeg_quality: JPEG quality, 1 to 100.
        workers: decoding threads.
        skipped: a `SkippedVideos` collecting the videos left out.
        on_video_done: called with `(sample, ok)` after each video (for a
            progress bar).

    Returns:
        A dict: `shards` (paths), `videos` and `frames` written, `skipped`.
    """
    samples = list(samples)
    if num_shards < 1:
        raise ValueError(f"`num_shards` must be >= 1. Received: num_shards={num_shards}")
    if not 1 <= jpeg_quality <= 100:
        raise ValueError(f"`jpeg_quality` must be in [1, 100]. Received: {jpeg_quality}")
    skipped = SkippedVideos() if skipped is None else skipped
    os.makedirs(out_dir, exist_ok=True)
    final_paths = [
        os.path.join(out_dir, shard_name(prefix, index, num_shards)) for index in range(num_shards)
    ]
    videos = frames_written = 0
    with contextlib.ExitStack() as outputs:
        # Leaving the block closes the writers, then renames every shard
        # into place (or, after an error, removes them all).
        temporary_paths = [outputs.enter_context(atomic_output(path)) for path in final_paths]
        writers = [
            outputs.enter_context(tf.io.TFRecordWriter(os.fspath(path))) for path in temporary_paths
        ]
        with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
            encoded = pool.map(
                lambda sample: _try_encode(sample, fps, short_side, jpeg_quality), samples
            )
            for sample, (record, count, error) in zip(samples, encoded):
                if error is not None:
                    skipped.add(sample.path, getattr(error, "reason", error))
                else:
                    writers[videos % num_shards].write(record)
                    videos += 1
                    frames_written += count
                if on_video_done is not None:
                    on_video_done(sample, error is None)
    return {"shards": final_paths, "videos": videos, "frames": frames_written, "skipped": skipped}


def _try_encode(sample, fps, short_side, jpeg_quality):
    try:
        record, count = encode_video_sample(sample, fps, short_side, jpeg_quality)
        return record, count, None
    except (ValueError, OSError, cv2.error) as error:
        return None, 0, error


# Folded into an example's seed for the in-graph window start, so the
# window is drawn apart from the crop and flip (`split_transform_seed`).
WINDOW_SEED_SALT = 7


def sample_indices_in_graph(num_frames, seed_pair, view, sampling, num_clips=1):
    """The frames of `view` in sampled windows, `(num_clips, steps)` int64, in TF ops.

    `keras_i3d.data.sample_clip_indices` followed by `view.rgb_offsets`,
    for the tf.data service, whose workers in other processes cannot run
    Python (`tf.numpy_function`). `"uniform"` and `"whole"` give the numpy
    sampler's indices; `"random"` draws the window start from `seed_pair`
    with a stateless TF op, so its windows differ from the numpy sampler's
    (with the same spread: uniform over the possible starts).
    """
    num_frames = tf.cast(num_frames, tf.int64)
    slack = tf.maximum(num_frames - view.span, 0)
    length = view.span
    if sampling == "random":
        window_seed = tf.random.experimental.stateless_fold_in(seed_pair, WINDOW_SEED_SALT)
        starts = tf.random.stateless_uniform(
            (1,), window_seed, minval=tf.constant(0, tf.int64), maxval=slack + 1, dtype=tf.int64
        )
    elif sampling == "uniform" and num_clips == 1:
        starts = (slack // 2)[None]
    elif sampling == "uniform":
        # As `np.rint(np.linspace(0, slack, num_clips))`, which ends at `slack`.
        step = tf.cast(slack, tf.float64) / (num_clips - 1)
        inner = tf.round(tf.range(num_clips - 1, dtype=tf.float64) * step)
        starts = tf.concat([tf.cast(inner, tf.int64), slack[None]], axis=0)
    else:
        starts = tf.zeros((1,), tf.int64)
        length = tf.maximum(num_frames, view.span)
    steps = tf.maximum(
        tf.cast(view.steps, tf.int64), (length - max(1, view.flow_stack)) // view.spacing + 1
    )
    offsets = tf.range(steps, dtype=tf.int64) * view.spacing
    return (starts[:, None] + offsets[None]) % num_frames


def tfrecord_dataset(
    file_pattern,
    clip_length=None,
    sampling="random",
    num_clips=1,
    augment=None,
    batch_size=None,
    shuffle=None,
    shuffle_buffer=256,
    seed=None,
    deterministic=False,
    short_side=RESIZE_SHORT_SIDE,
    crop_size=CROP_SIZE,
    num_parallel_calls=tf.data.AUTOTUNE,
    scale=True,
    prefetch=True,
    decode_crop=True,
    view=None,
    data_service=None,
):
    """A `tf.data.Dataset` of `(rgb_clip, label)` from JPEG-frame TFRecord shards.

    Only the JPEGs of the sampled frames are decoded, in-graph. Arguments as
    in `keras_i3d.data.video_dataset` (RGB only: `clip_length` defaults to
    64, and a `view` must be an RGB `InputView`, e.g. ConvNet+LSTM's every
    5th frame, of which only the view's frames are decoded); `file_pattern` is a glob
    or a list of shard paths, `shuffle_buffer` the example shuffle buffer
    (shards are also shuffled). With `decode_crop` (the default), frames
    stored at the target size are decoded only inside the crop window
    (`tf.io.decode_and_crop_jpeg`), with the same window and flip; False
    decodes whole frames and applies the transforms afterwards.
    `data_service` (a dispatcher address `"host:port"` or a
    `keras_i3d.data.DataServiceConfig`) reads, decodes and augments on the
    workers of a tf.data service, remote ones included, one job serving the
    config's `epochs` (default: without end, for `fit(...,
    steps_per_epoch=...)`): it then draws random windows with TF ops
    (`sample_indices_in_graph`), not numpy; see `keras_i3d.data.service`
    for what else changes.

    Returns:
        A `tf.data.Dataset`.

    Example:

    ```python
    dataset = tfrecord_dataset("shards/train-*.tfrecord", batch_size=8, seed=0)
    ```
    """
    view = resolve_view(view, None, clip_length)
    if view.stream != "rgb":
        raise ValueError(
            "TFRecord shards hold RGB frames only; a view with flow reads "
            f"video files and flow folders (video_dataset). Received: "
            f"view={view}"
        )
    check_clip_arguments(sampling, num_clips, batch_size, view.span)
    data_service = resolve_data_service(data_service)
    augment = sampling == "random" if augment is None else augment
    shuffle = sampling == "random" if shuffle is None else shuffle
    files = tf.data.Dataset.list_files(file_pattern, shuffle=shuffle, seed=seed)
    dataset = files.interleave(
        tf.data.TFRecordDataset,
        cycle_length=tf.data.AUTOTUNE
        if num_parallel_calls == tf.data.AUTOTUNE
        else num_parallel_calls,
        num_parallel_calls=num_parallel_calls,
        deterministic=deterministic,
    )
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)

    def sample_indices(num_frames, seed_pair):
        windows = sample_clip_indices(
            int(num_frames),
            view.span,
            sampling,
            num_clips,
            np.random.default_rng(seed_pair.view(np.uint64)),
        )
        return windows[:, view.rgb_offsets(windows.shape[1])].astype(np.int64)

    def decode_then_transform(chosen, clip_shape, seed_pair):
        frames = tf.map_fn(
            lambda data: tf.io.decode_jpeg(data, channels=3),
            chosen,
            fn_output_signature=tf.TensorSpec((None, None, 3), tf.uint8),
        )
        clips = tf.reshape(frames, tf.concat([clip_shape, tf.shape(frames)[1:]], axis=0))
        return transform_clips(clips, seed_pair, augment, crop_size, short_side, False)

    def decode_crop_and_flip(chosen, clip_shape, height, width, seed_pair):
        # Frames already at the target size: decode only the crop window,
        # with the offsets and flip that `train_transform`/`eval_transform`
        # would draw from the same seed.
        crop_seed, flip_seed = split_transform_seed(seed_pair)
        if augment:
            top, left = random_crop_offsets(height, width, crop_seed, crop_size)
        else:
            top, left = center_crop_offsets(height, width, crop_size)
        window = tf.stack([top, left, crop_size, crop_size])
        frames = tf.map_fn(
            lambda data: tf.io.decode_and_crop_jpeg(data, window, channels=3),
            chosen,
            fn_output_signature=tf.TensorSpec((crop_size, crop_size, 3), tf.uint8),
        )
        if augment:
            frames = random_flip_left_right(frames, flip_seed)
        return tf.reshape(frames, tf.concat([clip_shape, [crop_size, crop_size, 3]], axis=0))

    def load(serialized, seed_pair, scale=scale and data_service is None):
        example = tf.io.parse_single_example(serialized, _FEATURES)
        jpegs = example["frames"].values
        if data_service is None:
            indices = tf.numpy_function(
                sample_indices, [tf.size(jpegs), seed_pair], tf.int64, stateful=False
            )
        else:
            # Workers in other processes cannot run Python functions.
            indices = sample_indices_in_graph(tf.size(jpegs), seed_pair, view, sampling, num_clips)
        indices.set_shape((None, None if sampling == "whole" else view.steps))
        chosen = tf.gather(jpegs, tf.reshape(indices, [-1]))
        clip_shape = tf.shape(indices)
        height = tf.cast(example["height"], tf.int32)
        width = tf.cast(example["width"], tf.int32)
        if not decode_crop:
            stored_at_size = tf.constant(False)
        elif short_side is None:
            stored_at_size = tf.constant(True)
        else:
            new_height, new_width = short_side_size(height, width, short_side)
            stored_at_size = tf.logical_and(
                tf.equal(new_height, height), tf.equal(new_width, width)
            )
        clips = tf.cond(
            stored_at_size,
            lambda: decode_crop_and_flip(chosen, clip_shape, height, width, seed_pair),
            lambda: decode_then_transform(chosen, clip_shape, seed_pair),
        )
        if scale:
            clips = scale_clip(clips)
        if num_clips == 1:
            clips = clips[0]
        return clips, example["label"]

    dataset = repeat_epochs(tf.data.Dataset.zip((dataset, example_seeds(seed))), data_service)
    dataset = dataset.map(load, num_parallel_calls=num_parallel_calls, deterministic=deterministic)
    if data_service is not None:
        # Clips cross the network as uint8 and are scaled here.
        dataset = distribute(dataset, data_service)
        if scale:
            dataset = dataset.map(
                lambda clips, label: (scale_clip(clips), label),
                num_parallel_calls=num_parallel_calls,
                deterministic=deterministic,
            )
    return finish_dataset(dataset, batch_size, prefetch, deterministic)
