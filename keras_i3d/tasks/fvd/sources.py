"""Video sets for FVD from video files: clips sampled as a preset says.

Files are decoded through the package's one decode path,
`keras_i3d.video.read_video`, at their own frame rate (FVD protocols count
frames, not seconds). Each clip is `clip_length` frames taken every
`frame_step` frames from an offset: frame 0, or for real videos under a
preset with `real_offset="random"` (StyleGAN-V) a seeded random offset.
Clips are kept as decoded (uint8) and embedded in batches as they are read
(`embed_videos`: resize, scale and I3D in one compiled graph on TensorFlow),
so a set of 2048 videos never sits in memory at once.

The next batch's files are decoded while the model runs on this one, one
file per core at a time, each with one decoder thread (the least CPU time
per frame), in threads of the least scheduling priority (Linux): the model
fills every core and its threads wait for one another at every layer, so
decoders at the same priority would stall it; at the least they take only
the cycles it leaves idle. `benchmarks/fvd.py` measured the video-file
path at 3.5% over the model alone this way, 6.6% decoding each batch
before it runs and 7.4% with one decoder (docs/fvd.md).
"""

import collections
import concurrent.futures
import os
import sys
import threading

import numpy as np

from keras_i3d.tasks.fvd.embed import DEFAULT_BATCH_SIZE
from keras_i3d.tasks.fvd.embed import DEFAULT_INPUT_RANGE
from keras_i3d.tasks.fvd.embed import check_videos
from keras_i3d.tasks.fvd.embed import embed_videos
from keras_i3d.tasks.fvd.embed import embedding_options
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.statistics import VideoStatistics

# The nice value of the decoding threads (Linux): the least priority.
_LEAST_PRIORITY = 19


class ShortVideoError(ValueError):
    """A video file has fewer frames than one clip of the protocol."""


def clip_span(clip_length, frame_step):
    """Source frames one clip covers: `(clip_length - 1) * frame_step + 1`."""
    return (clip_length - 1) * frame_step + 1


def read_clip(path, clip_length, frame_step=1, offset=0, min_frames=None, decoder_threads=None):
    """Reads one clip: `clip_length` frames every `frame_step` from `offset`.

    Args:
        path: a video file or image folder.
        clip_length: frames in the clip.
        frame_step: take every `frame_step`-th frame.
        offset: the first frame.
        min_frames: the video must have at least this many frames, even if
            the clip spans fewer (StyleGAN-V keeps only videos of
            `clip_length * frame_step` frames: `stylegan_v_length`).
        decoder_threads: see `keras_i3d.video.read_video`.

    Returns:
        uint8 `(clip_length, H, W, 3)`.

    Raises:
        ShortVideoError: the video ends before the clip does, or has fewer
            than `min_frames` frames.
        keras_i3d.video.VideoReadError: the file cannot be read.
    """
    from keras_i3d.video.decode import read_video

    span = clip_span(clip_length, frame_step)
    needed = max(offset + span, min_frames or 0)
    video = read_video(path, fps=None, num_frames=needed, decoder_threads=decoder_threads)
    frames = video.frames[offset::frame_step][:clip_length]
    if frames.shape[0] < clip_length:
        raise ShortVideoError(
            f"{path}: a clip needs {span} frames from frame {offset} "
            f"(clip_length={clip_length}, frame_step={frame_step}). "
            f"Received: a video of {video.num_frames} frames"
        )
    if video.num_frames < needed:
        raise ShortVideoError(
            f"{path}: the protocol keeps videos of at least {min_frames} "
            f"frames. Received: a video of {video.num_frames} frames"
        )
    return frames


def stylegan_v_length(clip_length, frame_step):
    """The frames StyleGAN-V requires of a video: `clip_length * frame_step`.

    Its `VideoFramesFolderDataset` discards videos shorter than
    `load_n_consecutive * subsample_factor` (src/training/dataset.py), one
    `frame_step - 1` more than a clip spans, and draws the random offset of
    a real clip from `[0, frames - span]`, as `random_offset` does.
    """
    return clip_length * frame_step


def random_offset(path, span, rng):
    """A seeded random first frame such that `span` frames fit."""
    from keras_i3d.video.decode import count_frames

    available = count_frames(path, fps=None) - span
    return int(rng.integers(0, available + 1)) if available > 0 else 0


def video_file_statistics(
    paths,
    preset="reference",
    real=True,
    clip_length=None,
    frame_step=None,
    num_videos=None,
    model=None,
    input_range=DEFAULT_INPUT_RANGE,
    batch_size=DEFAULT_BATCH_SIZE,
    seed=0,
    progress=False,
    name="videos",
):
    """`VideoStatistics` of video files, clips sampled per `preset`.

    Args:
        paths: video files or image folders, in the protocol's order (the
            first `num_videos` that give a clip are used).
        preset: an `FVDPreset` or its name.
        real: whether these are the real videos (only real clips start at
            a random offset, and only under such a preset).
        clip_length, frame_step, num_videos: override the preset's.
        model: an embedding model from `fvd_embedding_model`, to reuse.
        input_range: decoded frames are uint8, so `(0, 255)`.
        batch_size: clips per forward pass.
        seed: seeds the random offsets.
        progress: show a tqdm progress bar.
        name: how errors and the progress bar name the set.

    Returns:
        `VideoStatistics` recording `resize`, `features` and `clip_length`.

    Raises:
        ShortVideoError: a video is too short and the preset does not
            discard short videos.
        ValueError: fewer usable videos than `num_videos`.
    """
    protocol = get_preset(preset)
    clip_length = clip_length or protocol.clip_length
    frame_step = frame_step or protocol.frame_step
    num_videos = num_videos or protocol.num_videos or len(paths)
    if model is None:
        model = fvd_embedding_model(protocol.features)
    statistics = VideoStatistics(
        int(model.output_shape[-1]),
        embedding_options(protocol.resize, protocol.features, clip_length),
    )
    rng = np.random.default_rng(seed)
    span = clip_span(clip_length, frame_step)
    min_frames = None
    if protocol.discard_short_videos:
        min_frames = stylegan_v_length(clip_length, frame_step)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=num_videos, desc=f"embedding {name}", unit="video")
    pending, discarded = [], 0
    unread = iter(paths)
    reads = collections.deque()  # (path, future), in the order of `paths`.

    def read_ahead():
        # Reads are submitted in the order of `paths` (so the random offsets
        # are drawn in that order), at most one batch ahead of `pending`,
        # and never more than the clips still needed.
        while len(reads) < batch_size and (
            statistics.count + len(pending) + len(reads) < num_videos
        ):
            path = next(unread, None)
            if path is None:
                return
            offset = 0
            if real and protocol.real_offset == "random":
                offset = random_offset(path, span, rng)
            read = decoders.submit(read_clip, path, clip_length, frame_step, offset, min_frames, 1)
            reads.append((path, read))

    with concurrent.futures.ThreadPoolExecutor(
        _decoding_workers(), initializer=_yield_to_the_model
    ) as decoders:
        while True:
            read_ahead()
            if not reads:
                break
            path, read = reads.popleft()
            try:
                clip = read.result()
            except ShortVideoError:
                if not protocol.discard_short_videos:
                    raise
                discarded += 1
                continue
            check_videos(clip[None], name=str(path), input_range=input_range)
            pending.append(clip)
            if len(pending) == batch_size:
                _flush(model, pending, statistics, bar, protocol.resize, input_range)
    _flush(model, pending, statistics, bar, protocol.resize, input_range)
    if bar is not None:
        bar.close()
    if statistics.count < num_videos:
        raise ValueError(
            f"{name}: the {protocol.name!r} protocol takes {num_videos} "
            f"videos with {max(span, min_frames or 0)} frames; {statistics.count} gave a clip"
            f" ({discarded} too short, {len(paths)} given). Pass fewer "
            "videos to use (num_videos)."
        )
    return statistics


def _yield_to_the_model():
    """Lowers the calling thread's scheduling priority to the least (Linux).

    Decoders read the next batch while the model runs on this one; at the
    least priority they take only the cycles the model leaves idle, instead
    of stalling its threads, which wait for one another at every layer.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _LEAST_PRIORITY)
        except OSError:
            pass


def _decoding_workers():
    """Files decoded at once: one per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def _flush(model, pending, statistics, bar, resize, input_range):
    """Embeds the pending clips as one batch (one per clip if sizes differ)."""
    if not pending:
        return
    if len({clip.shape for clip in pending}) == 1:
        embeddings = embed_videos(model, np.stack(pending), resize, input_range)
    else:  # Videos of different sizes: each clip is its own batch.
        embeddings = np.concatenate(
            [embed_videos(model, clip[None], resize, input_range) for clip in pending]
        )
    statistics.update(embeddings)
    if bar is not None:
        bar.update(len(pending))
    pending.clear()
