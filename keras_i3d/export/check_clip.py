"""The real clip every export is checked on (the bundled example video)."""

import pathlib

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import check_stream
from keras_i3d.export.choices import DEFAULT_CLIP_LENGTH

# The repository's example (a Kinetics-400 "arm wrestling" clip, see
# examples/data/PROVENANCE.md). It ships with the source tree, not the wheel.
DEFAULT_CHECK_VIDEO = (
    pathlib.Path(__file__).resolve().parents[2] / "examples" / "data" / "arm_wrestling.mp4"
)
# Flow of the check clip: Farneback, seconds instead of TV-L1's minute. The
# check compares an export with its Keras model on the same input, so it
# needs realistic flow, not the checkpoints' exact flow method.
CHECK_FLOW_METHOD = "farneback"


def load_check_clip(stream, clip_length=DEFAULT_CLIP_LENGTH, video=None, crop_size=CROP_SIZE):
    """Decodes the first `clip_length` frames of a video for the parity check.

    The frames go through the package's evaluation chain
    (`keras_i3d.data.load_video_clips`: 25 fps, short side 256, central
    crop), unscaled: what an export's input expects.

    Args:
        stream: `"rgb"` (uint8 frames) or `"flow"` (float32 flow in pixels).
        clip_length: the number of frames.
        video: the video file; None for the bundled example.
        crop_size: the side of the central crop.

    Returns:
        A `(clip_length, crop_size, crop_size, channels)` numpy array.

    Raises:
        FileNotFoundError: `video` is None and the bundled example is not
            there (an installed wheel does not ship it).
        ValueError: the video has fewer than `clip_length` frames.
    """
    from keras_i3d.conventions import RESIZE_SHORT_SIDE
    from keras_i3d.data.video_clips import load_video_clips

    check_stream(stream)
    if video is None:
        video = DEFAULT_CHECK_VIDEO
        if not video.is_file():
            raise FileNotFoundError(
                f"{video}: the bundled example video is not there (it ships "
                "with the source tree, not the wheel); pass a video to check "
                "the export on."
            )
    clips = load_video_clips(
        video,
        stream=stream,
        num_frames=clip_length,
        flow_method=CHECK_FLOW_METHOD,
        short_side=max(RESIZE_SHORT_SIDE, crop_size),
        crop_size=crop_size,
    )
    frames = getattr(clips, stream)
    if frames.shape[0] < clip_length:
        raise ValueError(
            f"{clips.path}: has {frames.shape[0]} frames at {clips.fps:g} "
            f"fps, fewer than the clip length. Received: "
            f"clip_length={clip_length}"
        )
    return frames
