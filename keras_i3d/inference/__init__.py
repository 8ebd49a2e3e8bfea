"""From a video file to model inputs and predictions (no argv, no printing)."""

from keras_i3d.inference.inputs import VideoClips
from keras_i3d.inference.inputs import load_video_clips
from keras_i3d.inference.two_stream import predict_two_stream_video

__all__ = ["VideoClips", "load_video_clips", "predict_two_stream_video"]
