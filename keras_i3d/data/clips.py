"""Loads the frames of sampled clips from a video file and/or a flow folder.

This is the Python (decoding) half of the video-file pipeline; it reads only
the stretch of the video that the sampled clips cover.
"""

import os

import numpy as np

from keras_i3d.conventions import TARGET_FPS
from keras_i3d.data.sampling import sample_clip_indices
from keras_i3d.flow.storage import count_flow_frames
from keras_i3d.flow.storage import read_flow_folder
from keras_i3d.video import count_frames
from keras_i3d.video import read_video

PIPELINE_STREAMS = ("rgb", "flow", "two_stream")


def check_pipeline_stream(stream):
    if stream not in PIPELINE_STREAMS:
        raise ValueError(f"`stream` must be one of {PIPELINE_STREAMS}. Received: stream={stream!r}")
    return stream


def _read_rgb_window(path, indices, fps, short_side):
    """Reads frames `indices` (at `fps`) decoding only from min to max index."""
    first, last = int(indices.min()), int(indices.max())
    video = read_video(
        path, fps=fps, start_time=first / fps, num_frames=last - first + 1, short_side=short_side
    )
    if video.num_frames < last - first + 1:
        return None
    offsets = indices - first
    if len(offsets) == 1 and np.array_equal(offsets[0], np.arange(offsets.shape[1])):
        # One run of consecutive frames (a random clip): the window itself,
        # without copying it.
        return video.frames[None]
    return video.frames[offsets]


def load_clips(
    path,
    stream,
    clip_length,
    sampling="random",
    num_clips=1,
    seed=None,
    fps=TARGET_FPS,
    flow_path=None,
    flow_reader=None,
    short_side=None,
    resize_while_decoding=False,
):
    """Samples clips from one video and returns their frames.

    Args:
        path: the RGB video (file or image folder); unused for `"flow"`.
        stream: `"rgb"`, `"flow"` or `"two_stream"`.
        clip_length: frames per clip (the minimum length for `"whole"`).
        sampling: `"random"`, `"uniform"` or `"whole"`.
        num_clips: clips per video for `"uniform"`.
        seed: seed of the random sampler.
        fps: the frame rate clips are sampled at (and the flow's rate).
        flow_path: the flow folder, for `"flow"` and `"two_stream"`.
        flow_reader: `None` reads the folder layouts of
            `keras_i3d.flow.list_flow_images`, decoding only the needed images;
            or a callable `flow_reader(flow_path)` returning all flow of the
            video, float32 `(T, H, W, 2)` in pixels.
        short_side: the short side both streams are resized to (None: no
            resize), by the caller afterwards unless `resize_while_decoding`;
            see `check_stream_sizes`.
        resize_while_decoding: resize RGB frames to `short_side` while they
            are decoded (`keras_i3d.video.read_video`); if False they keep
            the video's size. Flow is returned as stored.

    Returns:
        A dict with `"rgb"` (uint8 `(num_clips, length, H, W, 3)`) and/or
        `"flow"` (float32 `(num_clips, length, H, W, 2)`, pixels). Both
        streams use the same frame indices.

    Raises:
        VideoReadError, FlowError (both `ValueError`s) for unreadable input.
    """
    check_pipeline_stream(stream)
    rng = np.random.default_rng(seed)
    wants_rgb = stream in ("rgb", "two_stream")
    wants_flow = stream in ("flow", "two_stream")
    all_flow = None
    counts = []
    if wants_rgb:
        counts.append(count_frames(path, fps) if sampling != "whole" else 0)
    if wants_flow:
        if flow_path is None or not os.fspath(flow_path):
            raise ValueError(f"{path}: the sample has no flow folder (flow_path)")
        if flow_reader is None:
            counts.append(count_flow_frames(flow_path))
        else:
            all_flow = np.asarray(flow_reader(flow_path), np.float32)
            counts.append(len(all_flow))
    num_frames = min(counts)
    decode_short_side = short_side if resize_while_decoding else None
    result = {}
    if wants_rgb:
        indices = None
        rgb = None
        if num_frames > 0:
            indices = sample_clip_indices(num_frames, clip_length, sampling, num_clips, rng)
            rgb = _read_rgb_window(path, indices, fps, decode_short_side)
        if rgb is None:
            # The container's frame count was missing or too high: decode
            # everything and sample again on the true count.
            frames = read_video(path, fps=fps, short_side=decode_short_side).frames
            num_frames = min([len(frames)] + counts[1:])
            indices = sample_clip_indices(
                num_frames, clip_length, sampling, num_clips, np.random.default_rng(seed)
            )
            rgb = frames[indices]
        result["rgb"] = rgb
    else:
        indices = sample_clip_indices(num_frames, clip_length, sampling, num_clips, rng)
    if wants_flow:
        if all_flow is not None:
            result["flow"] = all_flow[indices]
        else:
            flat = read_flow_folder(flow_path, indices.reshape(-1))
            result["flow"] = flat.reshape(indices.shape + flat.shape[1:])
    if wants_rgb and wants_flow:
        check_stream_sizes(
            path, result["rgb"].shape[2:4], flow_path, result["flow"].shape[2:4], short_side
        )
    return result


def check_stream_sizes(path, rgb_size, flow_path, flow_size, short_side):
    """Checks that RGB frames and flow line up pixel for pixel.

    Flow is usually stored at the model's short side (`keras-i3d flow`
    resizes to 256 first) while the video keeps its own size; both are
    resized to `short_side` later, so then only the resized sizes must
    agree. With `short_side=None` the stored sizes must be equal.
    """
    rgb_size, flow_size = tuple(rgb_size), tuple(flow_size)
    if short_side is None:
        if rgb_size != flow_size:
            raise ValueError(
                f"{path}: RGB frames of {rgb_size} pixels but flow of "
                f"{flow_size} in {flow_path}, and no resize to bring them "
                "to one size"
            )
        return
    # Here, not at the top: `transforms` imports TensorFlow, and
    # `keras-i3d evaluate --help` reads `data.views`, which imports this.
    from keras_i3d.video.resize import short_side_shape

    resized_rgb = short_side_shape(*rgb_size, short_side)
    resized_flow = short_side_shape(*flow_size, short_side)
    if resized_rgb != resized_flow:
        raise ValueError(
            f"{path}: RGB frames of {rgb_size} pixels and flow of {flow_size} "
            f"in {flow_path} have different shapes: resized to a short side "
            f"of {short_side} they are {resized_rgb} and {resized_flow}"
        )
