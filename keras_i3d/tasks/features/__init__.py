"""I3D features of videos, one row per window, with their time base.

The use of I3D in temporal action localisation, dense captioning and FVD:
a video is cut into windows and each window becomes one feature row:
pooled `Mixed_5c` (1024-d), any earlier endpoint, or the 400 `Logits`
(before softmax). docs/features.md says how rows map to frames and seconds.

One job per module:

* `windows`: which frames each row uses (sliding or centred windows);
* `crops`: the centre crop, or ten crops;
* `frames`: a video to the cropped inputs of each stream, chunk by chunk;
* `models`: the network of one stream and its pooling;
* `extract`: the ring buffer and the batches shared across videos;
* `settings`, `presets`: what an extraction computes (`FeatureSettings`),
  by name for published conventions;
* `sidecar`: the time base of every row, in `<video_id>.json`;
* `outputs`: the files of a video, written alike by `keras-i3d
  extract-features` and Beam's `ExtractFeatures`.

Example:

```python
from keras_i3d.data.video_clips import load_video_clips
from keras_i3d.tasks import extract_features, feature_model

clips = load_video_clips("video.mp4", stream="rgb")  # 25 fps, 224 crop
model = feature_model("rgb", endpoint="Mixed_5c", window=64)
features = extract_features(clips.rgb, model, "rgb", window=64, stride=16)
features.shape  # (num_windows, 1024)
```
"""

from keras_i3d.tasks.features.extract import extract_features
from keras_i3d.tasks.features.models import POOLINGS
from keras_i3d.tasks.features.models import feature_model
from keras_i3d.tasks.features.models import feature_size
from keras_i3d.tasks.features.windows import DEFAULT_ENDPOINT
from keras_i3d.tasks.features.windows import DEFAULT_STRIDE
from keras_i3d.tasks.features.windows import DEFAULT_WINDOW
from keras_i3d.tasks.features.windows import CentredWindows
from keras_i3d.tasks.features.windows import SlidingWindows
from keras_i3d.tasks.features.windows import check_window
from keras_i3d.tasks.features.windows import sliding_window_starts
from keras_i3d.tasks.features.windows import window_frame_indices

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_STRIDE",
    "DEFAULT_WINDOW",
    "POOLINGS",
    "CentredWindows",
    "SlidingWindows",
    "check_window",
    "extract_features",
    "feature_model",
    "feature_size",
    "sliding_window_starts",
    "window_frame_indices",
]
