"""Fréchet Video Distance (FVD) that reproduces the reference.

One job per module:

- `resize`: the TF1 legacy bilinear resize (and the variants);
- `embed`: input checks, scaling and the I3D embedding (`video_embeddings`);
- `statistics`: `VideoStatistics` (float64 sums; merge, save, load) and
  `FVDResult`;
- `distance`: `frechet_distance`, tfgan's SVD square root or scipy's;
- `options`: the check of every named option;
- `presets`: the protocols (`reference`, `stylegan_v`, `videogpt`,
  `cd_fvd`, `magvit`);
- `api`: `frechet_video_distance` and `compute_fvd`;
- `sources`: statistics of video files, clips sampled per preset.

Example:

```python
import numpy as np
from keras_i3d.tasks.fvd import frechet_video_distance

real = np.zeros((8, 30, 64, 64, 3), np.uint8)
generated = np.full((8, 30, 64, 64, 3), 255, np.uint8)
frechet_video_distance(real, generated)  # 151.3925 (reference: 151.39244)
```
"""

from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.api import frechet_video_distance
from keras_i3d.tasks.fvd.distance import frechet_distance
from keras_i3d.tasks.fvd.distance import frechet_distance_from_activations
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_embeddings
from keras_i3d.tasks.fvd.embed import video_statistics
from keras_i3d.tasks.fvd.presets import PRESETS
from keras_i3d.tasks.fvd.presets import FVDPreset
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.resize import resize_bilinear
from keras_i3d.tasks.fvd.sources import video_file_statistics
from keras_i3d.tasks.fvd.statistics import FVDResult
from keras_i3d.tasks.fvd.statistics import VideoStatistics

__all__ = [
    "PRESETS",
    "FVDPreset",
    "FVDResult",
    "VideoStatistics",
    "compute_fvd",
    "frechet_distance",
    "frechet_distance_from_activations",
    "frechet_video_distance",
    "fvd_embedding_model",
    "get_preset",
    "resize_bilinear",
    "video_embeddings",
    "video_file_statistics",
    "video_statistics",
]
