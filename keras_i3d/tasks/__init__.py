"""End-to-end uses of the models: classify a video, window features, FVD.

Each task builds its model from `keras_i3d.models`, and classification and
features run it as `keras_i3d.models.fused.inference_model` makes it (the
fused float32 graph unless told otherwise). Video files come through the
video side's decoder: classification and features read them a chunk at a
time (`keras_i3d.video.open_video`), so memory does not grow with a
video's length, with the frames and flow `keras_i3d.data.load_video_clips`
gives on the whole video; FVD takes videos as arrays, or reads clips of
files with `keras_i3d.video.read_video`.
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
from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.api import frechet_video_distance
from keras_i3d.tasks.fvd.statistics import FVDResult
from keras_i3d.tasks.fvd.statistics import VideoStatistics

__all__ = [
    "CLASSIFY_STREAMS",
    "ClipTooShortError",
    "FVDResult",
    "RankedClass",
    "VideoPrediction",
    "VideoStatistics",
    "classify_video",
    "compute_fvd",
    "extract_features",
    "feature_model",
    "feature_size",
    "frechet_video_distance",
    "rank_logits",
    "rgb_logits_model",
    "sliding_window_starts",
    "two_stream_logits_model",
]
