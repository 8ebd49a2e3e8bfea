"""End-to-end uses of the models: classify a video, window features.

Each task starts from a video file through the one decode path of the video
side (`keras_i3d.data.load_video_clips`) and builds its model from
`keras_i3d.models`.
"""

from keras_i3d.tasks.classify import CLASSIFY_STREAMS
from keras_i3d.tasks.classify import ClipTooShortError
from keras_i3d.tasks.classify import RankedClass
from keras_i3d.tasks.classify import VideoPrediction
from keras_i3d.tasks.classify import classify_video
from keras_i3d.tasks.classify import rank_logits
from keras_i3d.tasks.classify import rgb_logits_model
from keras_i3d.tasks.classify import two_stream_logits_model
from keras_i3d.tasks.features import extract_features
from keras_i3d.tasks.features import feature_model
from keras_i3d.tasks.features import feature_size
from keras_i3d.tasks.features import sliding_window_starts

__all__ = [
    "CLASSIFY_STREAMS",
    "ClipTooShortError",
    "RankedClass",
    "VideoPrediction",
    "classify_video",
    "extract_features",
    "feature_model",
    "feature_size",
    "rank_logits",
    "rgb_logits_model",
    "sliding_window_starts",
    "two_stream_logits_model",
]
