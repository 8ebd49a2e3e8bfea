"""`tf.data` pipelines of `(clip, label)` from video files and flow folders.

```
samples -> shuffle -> (+ per-example seed) -> decode in parallel (Python:
OpenCV/FFmpeg, only the frames the clip needs) -> skip bad videos ->
transform (TF ops: resize, crop, flip) -> scale to [-1, 1] -> batch -> prefetch
```

Each example gets its own seed from one base `seed`; it fixes the temporal
window, the crop and the flip, so `seed` (with `deterministic=True`)
reproduces an epoch exactly, and the two streams of a two-stream example
share window, crop and flip.
"""

import cv2
import numpy as np
import tensorflow as tf

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.data.clips import check_pipeline_stream
from keras_i3d.data.clips import load_clips
from keras_i3d.data.sampling import check_sampling
from keras_i3d.data.service import distribute
from keras_i3d.data.service import repeat_epochs
from keras_i3d.data.service import resolve_data_service
from keras_i3d.data.service import split_seeded_source
from keras_i3d.data.skipped import SkippedVideos
from keras_i3d.data.transforms import eval_transform
from keras_i3d.data.transforms import train_transform
from keras_i3d.data.views import InputView
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.preprocessing import stack_flow_steps

DEFAULT_CLIP_LENGTH = 64


def scale_clip(clip, is_flow=False):
    """Scales a clip to the model's `[-1, 1]` input, as TF ops.

    `keras_i3d.preprocessing.preprocess_input` on a tensor: RGB
    `x / 127.5 - 1`, flow clipped to `[-20, 20]` pixels and divided by 20.
    """
    return preprocess_input(clip, stream="flow" if is_flow else "rgb")


def scale_streams(clips, streams):
    """`scale_clip` on a clip of `streams[0]`, or on a tuple of one clip per stream."""
    if len(streams) == 1:
        return scale_clip(clips, streams[0] == "flow")
    return tuple(scale_clip(clip, name == "flow") for clip, name in zip(clips, streams))


def transform_clips(clips, seed, augment, crop_size, short_side, is_flow):
    """Transforms `(num_clips, length, H, W, C)` with one crop/flip for all frames."""
    shape = tf.shape(clips)
    frames = tf.reshape(clips, tf.concat([[-1], shape[2:]], axis=0))
    if augment:
        frames = train_transform(frames, seed, crop_size, short_side, is_flow)
    else:
        frames = eval_transform(frames, crop_size, short_side, is_flow)
    return tf.reshape(frames, tf.stack([shape[0], shape[1], crop_size, crop_size, shape[4]]))


def example_seeds(seed):
    """An endless dataset of stateless seeds `(2,)` int64, one per example.

    With a base `seed` the sequence is reproducible; it changes from epoch
    to epoch (`rerandomize_each_iteration`) in a reproducible way.
    """
    return tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)


def finish_dataset(dataset, batch_size, prefetch, deterministic):
    """Batches, prefetches and sets the determinism option."""
    if batch_size is not None:
        dataset = dataset.batch(batch_size, drop_remainder=False)
    if prefetch:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    options = tf.data.Options()
    options.deterministic = deterministic
    return dataset.with_options(options)


def check_clip_arguments(sampling, num_clips, batch_size, clip_length):
    check_sampling(sampling)
    if clip_length < 1:
        raise ValueError(f"`clip_length` must be >= 1. Received: clip_length={clip_length}")
    if num_clips != 1 and sampling != "uniform":
        raise ValueError(
            "Several clips per video need sampling='uniform'. "
            f"Received: sampling={sampling!r}, num_clips={num_clips}"
        )
    if sampling == "whole" and batch_size not in (None, 1):
        raise ValueError(
            "Whole videos differ in length and cannot be batched. "
            f"Received: sampling='whole', batch_size={batch_size}"
        )


def resolve_view(view, stream, clip_length):
    """The `InputView` of a pipeline: `view`, or `clip_length` consecutive
    frames of `stream` (default: 64 RGB frames)."""
    if view is None:
        return InputView.consecutive(
            check_pipeline_stream(stream or "rgb"),
            DEFAULT_CLIP_LENGTH if clip_length is None else clip_length,
        )
    if stream is not None or clip_length is not None:
        raise ValueError(
            "Pass either `view` or `stream`/`clip_length`, not both: the view "
            f"sets the streams and frames. Received: view={view}, "
            f"stream={stream!r}, clip_length={clip_length!r}"
        )
    if not isinstance(view, InputView):
        raise ValueError(f"`view` must be a `keras_i3d.data.InputView`. Received: view={view!r}")
    return view


def video_dataset(
    samples,
    stream=None,
    clip_length=None,
    sampling="random",
    num_clips=1,
    augment=None,
    batch_size=None,
    shuffle=None,
    seed=None,
    deterministic=False,
    fps=TARGET_FPS,
    short_side=RESIZE_SHORT_SIDE,
    crop_size=CROP_SIZE,
    num_parallel_calls=tf.data.AUTOTUNE,
    flow_reader=None,
    skipped=None,
    scale=True,
    prefetch=True,
    view=None,
    data_service=None,
):
    """A `tf.data.Dataset` of `(clip, label)` decoded from video files.

    Args:
        samples: `VideoSample`s (see `keras_i3d.data.formats`): `path` is the
            video file or image folder, `flow_path` the flow folder for the
            flow streams.
        stream: `"rgb"` (default), `"flow"`, or `"two_stream"` for
            `((rgb_clip, flow_clip), label)` with the same window, crop and
            flip in both.
        clip_length: frames per clip (the minimum length for `"whole"`);
            default 64.
        sampling: `"random"` (training), `"uniform"` (evenly spaced; one
            clip is the central clip) or `"whole"` (the full video).
        num_clips: clips per video with `"uniform"`; above 1, clips get a
            leading axis: `(num_clips, clip_length, size, size, channels)`.
        augment: random crop + flip (training); default: `sampling == "random"`.
            Otherwise a centre crop.
        batch_size: examples per batch, or `None` for unbatched examples.
        shuffle: shuffle the videos each epoch; default: `sampling == "random"`.
        seed: base seed of the shuffle, the windows, crops and flips.
        deterministic: keep the order of examples fixed despite parallel
            decoding (slower); with a `seed`, epochs are reproducible.
        fps: the frame rate videos are resampled to (flow folders are
            assumed to hold flow at this rate).
        short_side: the short side frames are resized to (`None`: no
            resize).
        crop_size: side of the square crop.
        num_parallel_calls: parallel decoders (`tf.data.AUTOTUNE` or an int).
        flow_reader: see `keras_i3d.data.clips.load_clips`.
        skipped: a `SkippedVideos` that collects the videos that could not be
            read (missing, corrupt, no video stream, no frames); they are
            skipped, and each is also logged as a warning.
        scale: scale clips to `[-1, 1]` (float32, the model's input); if
            False, RGB clips stay uint8 and flow stays in pixels.
        prefetch: add a final `prefetch(AUTOTUNE)`.
        view: instead of `stream` and `clip_length`, an `InputView` (see
            `keras_i3d.data.views`): the frames of each sampled window that
            make the input, e.g. every 5th frame for ConvNet+LSTM, or RGB
            snapshots with stacked flow for Two-Stream 2D. Its `span` is the
            window sampled; RGB clips are `(steps, size, size, 3)`, flow
            `(steps, size, size, 2 * flow_stack)`.
        data_service: decode and augment on the workers of a tf.data
            service: a dispatcher address `"host:port"` or a
            `keras_i3d.data.DataServiceConfig`; `None` (default): here.
            Scaling, batching and prefetching stay here. One job serves
            the config's `epochs` (default: without end, for
            `fit(..., steps_per_epoch=...)`), each epoch as the local
            pipeline's next. The decoding is Python, so only workers in
            this process (`local_data_service`) can run it; see
            `keras_i3d.data.service` for what else changes.

    Returns:
        A `tf.data.Dataset`.

    Example:

    ```python
    samples = keras_i3d.data.read_class_folders("videos/")
    skipped = keras_i3d.data.SkippedVideos()
    dataset = video_dataset(samples, batch_size=8, seed=0, skipped=skipped)
    model.fit(dataset, epochs=1)
    print(skipped.summary())
    ```
    """
    view = resolve_view(view, stream, clip_length)
    stream = view.stream
    check_clip_arguments(sampling, num_clips, batch_size, view.span)
    data_service = resolve_data_service(data_service)
    samples = list(samples)
    if not samples:
        raise ValueError("`samples` is empty: there is no video to read.")
    augment = sampling == "random" if augment is None else augment
    shuffle = sampling == "random" if shuffle is None else shuffle
    skipped = SkippedVideos() if skipped is None else skipped
    streams = ("rgb", "flow") if stream == "two_stream" else (stream,)
    dtypes = {"rgb": tf.uint8, "flow": tf.float32}
    channels = {"rgb": RGB_CHANNELS, "flow": FLOW_CHANNELS}
    empty = {
        "rgb": np.zeros((0, 0, 0, 0, RGB_CHANNELS), np.uint8),
        "flow": np.zeros((0, 0, 0, 0, FLOW_CHANNELS), np.float32),
    }

    def decode(path, flow_path, seed_pair):
        path = path.decode()
        flow_path = flow_path.decode() or None
        try:
            clips = view.select(
                load_clips(
                    path,
                    stream,
                    view.span,
                    sampling,
                    num_clips,
                    seed=seed_pair.view(np.uint64),
                    fps=fps,
                    flow_path=flow_path,
                    flow_reader=flow_reader,
                    short_side=short_side,
                )
            )
        except (ValueError, OSError, cv2.error) as error:
            skipped.add(
                path if stream != "flow" else flow_path,
                getattr(error, "reason", error),
            )
            return [empty[name] for name in streams] + [False]
        return [clips[name] for name in streams] + [True]

    def load(path, flow_path, label, seed_pair):
        outputs = tf.numpy_function(
            decode,
            [path, flow_path, seed_pair],
            [dtypes[name] for name in streams] + [tf.bool],
            stateful=False,
        )
        lengths = {"rgb": view.steps, "flow": view.steps * view.flow_stack}
        clips = {}
        for name, clip in zip(streams, outputs[:-1]):
            length = None if sampling == "whole" else lengths[name]
            clip.set_shape((None, length, None, None, channels[name]))
            clips[name] = clip
        return clips, label, seed_pair, outputs[-1]

    def finish(clips, label, seed_pair, ok, scale=scale and data_service is None):
        del ok
        outputs = []
        for name in streams:
            clip = transform_clips(
                clips[name], seed_pair, augment, crop_size, short_side, name == "flow"
            )
            if scale:
                clip = scale_clip(clip, name == "flow")
            if name == "flow":
                clip = stack_flow_steps(clip, view.flow_stack)
            if num_clips == 1:
                clip = clip[0]
            outputs.append(clip)
        return (tuple(outputs) if len(outputs) == 2 else outputs[0]), label

    dataset = tf.data.Dataset.from_tensor_slices(
        (
            [str(sample.path) for sample in samples],
            [str(sample.flow_path or "") for sample in samples],
            np.array([sample.label for sample in samples], np.int64),
        )
    )
    if shuffle:
        dataset = dataset.shuffle(len(samples), seed=seed, reshuffle_each_iteration=True)
    dataset = tf.data.Dataset.zip((dataset, example_seeds(seed)))
    dataset = split_seeded_source(repeat_epochs(dataset, data_service), seed, data_service)
    dataset = dataset.map(
        lambda sample, seed_pair: load(*sample, seed_pair),
        num_parallel_calls=num_parallel_calls,
        deterministic=deterministic,
    )
    dataset = dataset.filter(lambda clips, label, seed_pair, ok: ok)
    dataset = dataset.map(
        finish, num_parallel_calls=num_parallel_calls, deterministic=deterministic
    )
    if data_service is not None:
        # Clips cross the network unscaled (uint8 RGB) and are scaled here.
        dataset = distribute(dataset, data_service)
        if scale:
            dataset = dataset.map(
                lambda clips, label: (scale_streams(clips, streams), label),
                num_parallel_calls=num_parallel_calls,
                deterministic=deterministic,
            )
    return finish_dataset(dataset, batch_size, prefetch, deterministic)
