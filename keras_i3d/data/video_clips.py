"""A video file to the centre-cropped inputs of one or both I3D streams.

The evaluation chain of the checkpoints, written once: frames resampled to
25 fps and their short side resized to 256 while decoding
(`keras_i3d.video.read_video(..., short_side=...)`), optical flow computed
on those frames (grayscale), then the same central 224 x 224 crop of both
streams. Classification (`keras_i3d.tasks.classify_video`) and window
features (`keras-i3d extract-features`) start here. The clips are not
scaled: `VideoClips.model_input` (or `keras_i3d.preprocess_input`) maps RGB
and flow to `[-1, 1]`.
"""

import dataclasses

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.conventions import check_stream
from keras_i3d.data.clips import check_pipeline_stream
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.flow.methods import check_flow_method
from keras_i3d.flow.methods import compute_flow
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.video import read_video


@dataclasses.dataclass(frozen=True)
class VideoClips:
    """The cropped inputs of one video.

    Attributes:
        rgb: uint8 `(T, crop, crop, 3)`, or None when not requested.
        flow: float32 `(T, crop, crop, 2)` flow in pixels, or None.
        fps: the frame rate of both.
        path: the video they came from.
    """

    rgb: np.ndarray | None
    flow: np.ndarray | None
    fps: float
    path: str

    @property
    def num_frames(self):
        present = self.rgb if self.rgb is not None else self.flow
        return int(present.shape[0])

    def model_input(self, stream):
        """One stream as a batch of one, scaled to `[-1, 1]`.

        Args:
            stream: `"rgb"` or `"flow"`.

        Returns:
            A float32 `(1, T, crop, crop, channels)` array, the input of an
            I3D stream (`keras_i3d.preprocess_input`).

        Raises:
            ValueError: the stream was not loaded.
        """
        frames = getattr(self, check_stream(stream))
        if frames is None:
            raise ValueError(
                f"{self.path}: the {stream} stream was not loaded; pass "
                f"stream={stream!r} or 'two_stream' to `load_video_clips`. "
                f"Received: stream={stream!r}"
            )
        return preprocess_input(frames[None], stream=stream)


def load_video_clips(
    path,
    stream="two_stream",
    fps=TARGET_FPS,
    start_time=0.0,
    num_frames=None,
    flow_method=DEFAULT_FLOW_METHOD,
    short_side=RESIZE_SHORT_SIDE,
    crop_size=CROP_SIZE,
):
    """Decodes a video into the centre-cropped inputs of the given streams.

    Args:
        path: a video file, GIF or image folder.
        stream: `"rgb"`, `"flow"` or `"two_stream"` (both, the default):
            the streams to prepare.
        fps: the frame rate to resample to.
        start_time: seconds into the video to start at.
        num_frames: the most frames to read (None: the whole video).
        flow_method: `"tvl1"` (the paper's) or `"farneback"` (a fast
            approximation the checkpoints were not trained on).
        short_side: the short side to resize to before flow and crop
            (None: keep the video's size).
        crop_size: the side of the central crop.

    Returns:
        A `VideoClips`. Flow has as many frames as RGB: flow frame `t` is
        the motion from frame `t` to `t + 1`, computed from one frame past
        the clip when the video has it, else the last field is repeated.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        keras_i3d.flow.FlowError: flow was requested and the video has a
            single frame.
        ValueError: the resized frames are smaller than the crop.

    Example:

    >>> clips = load_video_clips("v.mp4", stream="rgb", num_frames=64)  # doctest: +SKIP
    >>> clips.rgb.shape  # doctest: +SKIP
    (64, 224, 224, 3)
    >>> clips.model_input("rgb").shape  # doctest: +SKIP
    (1, 64, 224, 224, 3)
    """
    from keras_i3d.data.transforms import center_crop

    check_pipeline_stream(stream)
    streams = ("rgb", "flow") if stream == "two_stream" else (stream,)
    check_flow_method(flow_method)
    if short_side is not None and short_side < crop_size:
        raise ValueError(
            f"`short_side` ({short_side}) must be at least `crop_size` "
            f"({crop_size}). Received: short_side={short_side}, "
            f"crop_size={crop_size}"
        )
    # Flow frame t is the motion from frame t to t + 1, so one more frame
    # is read when it exists; only the video's very last flow field is a
    # repeat of the one before (see keras_i3d.flow.frames).
    extra = 1 if "flow" in streams and num_frames is not None else 0
    video = read_video(
        path,
        fps=fps,
        start_time=start_time,
        num_frames=None if num_frames is None else num_frames + extra,
        short_side=short_side,
    )
    frames = video.frames[:num_frames]
    rgb = flow = None
    try:
        if "rgb" in streams:
            rgb = np.asarray(center_crop(frames, crop_size))
        if "flow" in streams:
            full_flow = compute_flow(video.frames, flow_method=flow_method, name=video.path)
            flow = np.asarray(center_crop(full_flow[:num_frames], crop_size))
    except ValueError as error:
        if "crop" not in str(error):
            raise
        raise ValueError(f"{video.path}: {error}") from None
    return VideoClips(rgb=rgb, flow=flow, fps=video.fps, path=video.path)
