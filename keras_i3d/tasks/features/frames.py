"""A video to the cropped inputs of each stream, chunk by chunk.

Memory stays bounded on long videos: frames are decoded, resized, turned
into flow and cropped a chunk at a time (`keras_i3d.video.open_video`).
Flow frame `t` is the motion from frame `t` to `t + 1`, so when flow is
asked for, every stream is delayed by one frame and the last flow field is
repeated for the last frame (`keras_i3d.flow.frames`); the numbers are those
of `keras_i3d.data.load_video_clips` on the whole video.
"""

import numpy as np

from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import compute_flow
from keras_i3d.tasks.features.crops import take_crops

RESIZES = ("tf_bilinear", "pil_bilinear")
DEFAULT_CHUNK_SIZE = 16


def check_resize(resize):
    if resize not in RESIZES:
        raise ValueError(f"`resize` must be one of {RESIZES}. Received: resize={resize!r}")
    return resize


def resized_chunks(
    path,
    fps=TARGET_FPS,
    folder_fps=TARGET_FPS,
    short_side=256,
    resize="tf_bilinear",
    chunk_size=DEFAULT_CHUNK_SIZE,
):
    """Opens `path` and returns `(stream, chunks)`.

    Args:
        path: a video file, GIF or image folder.
        fps: the rate to resample to; None keeps the file's own.
        folder_fps: the frame rate of an image folder.
        short_side: the short side to resize to (None: keep the size).
        resize: `"tf_bilinear"` (keras-i3d's resize, `keras_i3d.video.resize`)
            or `"pil_bilinear"` (PIL's bilinear, the long side truncated to
            an int: video_features' `ResizeImproved`).
        chunk_size: frames decoded at a time.

    Returns:
        The `VideoStream` (for its `fps` and `source_fps`) and a generator
        of uint8 RGB chunks `(<= chunk_size, height, width, 3)`.
    """
    from keras_i3d.video import open_video

    check_resize(resize)
    native_size = short_side if resize == "tf_bilinear" else None
    stream = open_video(path, fps=fps, folder_fps=folder_fps, short_side=native_size)
    chunks = stream.chunks(chunk_size)
    if resize == "pil_bilinear" and short_side is not None:
        chunks = (pil_resize_short_side(chunk, short_side) for chunk in chunks)
    return stream, chunks


def pil_resize_short_side(frames, size):
    """video_features' `ResizeImproved(size)`: PIL bilinear, short side `size`.

    The long side becomes `int(size * long / short)` (truncated), and a
    frame whose short side is already `size` is left alone.
    """
    from PIL import Image

    frames = np.asarray(frames)
    height, width = frames.shape[1:3]
    if min(height, width) == size:
        return frames
    if width < height:
        new_width, new_height = size, int(size * height / width)
    else:
        new_width, new_height = int(size * width / height), size
    return np.stack(
        [
            np.asarray(Image.fromarray(frame).resize((new_width, new_height), Image.BILINEAR))
            for frame in frames
        ]
    )


def cropped_inputs(
    chunks,
    streams,
    crop_size,
    crops=1,
    flow_method="tvl1",
    name="frames",
):
    """Turns resized RGB chunks into `{stream: crops}` chunks.

    Args:
        chunks: uint8 RGB chunks `(n, height, width, 3)`.
        streams: a tuple of `"rgb"` and/or `"flow"`.
        crop_size: the side of the crops.
        crops: 1 or 10 (`keras_i3d.tasks.features.crops`).
        flow_method: the flow algorithm (`keras_i3d.flow.methods`).
        name: how errors refer to the video.

    Yields:
        `{stream: (n, crops, crop_size, crop_size, channels)}`: uint8 RGB,
        float32 flow in pixels; the streams have the same frames.

    Raises:
        keras_i3d.flow.FlowError: flow was asked for and the video has one
            frame.
    """
    if "flow" not in streams:
        for chunk in chunks:
            yield {"rgb": take_crops(chunk, crop_size, crops)}
        return
    carry = None
    last_field = None
    for chunk in chunks:
        frames = chunk if carry is None else np.concatenate([carry[None], chunk])
        carry = frames[-1]
        if len(frames) < 2:
            continue
        fields = compute_flow(frames, flow_method=flow_method, match_frame_count=False, name=name)
        last_field = fields[-1]
        yield _crop_streams(frames[:-1], fields, streams, crop_size, crops)
    if carry is None:
        return
    if last_field is None:
        # One frame in all: compute_flow says why there is no flow.
        compute_flow(carry[None], flow_method=flow_method, name=name)
    yield _crop_streams(carry[None], last_field[None], streams, crop_size, crops)


def _crop_streams(frames, fields, streams, crop_size, crops):
    inputs = {"flow": take_crops(fields, crop_size, crops, stream="flow")}
    if "rgb" in streams:
        inputs["rgb"] = take_crops(frames, crop_size, crops)
    return inputs
