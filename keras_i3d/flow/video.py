"""Optical flow of a video file at the checkpoints' rate and resolution.

Flow is computed after the frames are resampled to 25 fps and resized to a
short side of 256 pixels (`keras_i3d.conventions`), the frames the RGB stream
sees before its crop, so that a crop of the flow lines up with the same crop
of the RGB frames and flow vectors are in pixels of that resolution. (Flow
computed at another resolution must have its vectors rescaled when it is
resized: see `keras_i3d.data.resize_flow_short_side`.)
"""

import dataclasses

import numpy as np

from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.flow.methods import check_flow_method
from keras_i3d.flow.methods import compute_flow


@dataclasses.dataclass(frozen=True)
class VideoFlow:
    """The flow of a video and the frames it was computed from.

    Attributes:
        flow: float32 `(T, H, W, 2)` flow in pixels, channel 0 = x
            (positive right), `flow[t]` from frame `t` to `t + 1`, the last
            field repeated (see `keras_i3d.flow.frames`).
        frames: uint8 RGB `(T, H, W, 3)`, the resampled, resized frames.
        fps: the frame rate of `frames` and `flow`.
        source_fps: the frame rate of the file.
        path: the video the frames came from.
        flow_method: the flow method (`"tvl1"` or `"farneback"`).
        short_side: the short side the frames were resized to, or None
            when they kept the file's size.
    """

    flow: np.ndarray
    frames: np.ndarray
    fps: float
    source_fps: float
    path: str
    flow_method: str
    short_side: int | None

    def metadata(self):
        """What `keras_i3d.flow.write_flow` stores about how flow was made."""
        return {
            "source": self.path,
            "method": self.flow_method,
            "fps": self.fps,
            "source_fps": self.source_fps,
            "short_side": self.short_side,
            "alignment": "flow[t] = frame t -> t+1; last field repeated",
        }


def video_flow(
    path,
    flow_method=DEFAULT_FLOW_METHOD,
    fps=TARGET_FPS,
    short_side=RESIZE_SHORT_SIDE,
    start_time=0.0,
    num_frames=None,
    progress=None,
):
    """Decodes a video, resizes it and computes its optical flow.

    Args:
        path: a video file, GIF or image folder.
        flow_method: `"tvl1"` (the paper's, default) or `"farneback"`.
        fps: the frame rate to resample to before computing flow.
        short_side: the short side to resize to first, or None.
        start_time: seconds into the video to start at.
        num_frames: the most frames to read (None: the whole video).
        progress: an optional callable, called as `progress(done, total)`
            after each flow field is computed, with the number computed so
            far and the number to compute (e.g. to drive a progress bar).

    Returns:
        A `VideoFlow` with as many flow frames as frames.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        keras_i3d.flow.FlowError: it has fewer than 2 frames.

    Example:

    >>> result = video_flow("demo.mp4", num_frames=16)  # doctest: +SKIP
    >>> result.flow.shape  # doctest: +SKIP
    (16, 256, 340, 2)
    """
    from keras_i3d.video import read_video

    check_flow_method(flow_method)
    video = read_video(
        path,
        fps=fps,
        start_time=start_time,
        num_frames=num_frames,
        short_side=short_side,
    )
    flow = compute_flow(
        video.frames,
        flow_method=flow_method,
        name=video.path,
        progress=progress,
    )
    return VideoFlow(
        flow=flow,
        frames=video.frames,
        fps=video.fps,
        source_fps=video.source_fps,
        path=video.path,
        flow_method=flow_method,
        short_side=short_side,
    )
