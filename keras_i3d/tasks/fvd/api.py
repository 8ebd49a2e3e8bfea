"""`frechet_video_distance`: FVD between two sets of videos, in one call."""

import numpy as np

from keras_i3d.tasks.fvd.distance import frechet_distance
from keras_i3d.tasks.fvd.embed import DEFAULT_BATCH_SIZE
from keras_i3d.tasks.fvd.embed import DEFAULT_INPUT_RANGE
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_statistics
from keras_i3d.tasks.fvd.presets import DEFAULT_PRESET
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.statistics import VideoStatistics


def _statistics_of(videos, name, model, resize, features, input_range, batch_size, progress):
    if isinstance(videos, VideoStatistics):
        return videos
    return video_statistics(
        videos,
        model=model,
        features=features,
        resize=resize,
        input_range=input_range,
        batch_size=batch_size,
        progress=progress,
        name=name,
    )


def compute_fvd(
    real_videos,
    generated_videos,
    preset=DEFAULT_PRESET,
    resize=None,
    features=None,
    ddof=None,
    sqrtm=None,
    input_range=DEFAULT_INPUT_RANGE,
    batch_size=DEFAULT_BATCH_SIZE,
    model=None,
    progress=False,
):
    """The FVD between two sets of videos, with its float64 value and counts.

    Args:
        real_videos: `(N, T, H, W, 3)` RGB videos in `input_range` (uint8
            or float, `T >= 9`), or their precomputed `VideoStatistics`.
        generated_videos: the same for the generated videos.
        preset: the name of an `FVDPreset` (`keras_i3d.tasks.fvd.presets`);
            `"reference"` reproduces google-research
            `frechet_video_distance`.
        resize, features, ddof, sqrtm: override the preset's options (see
            `FVDPreset`).
        input_range: the videos' value range: `(0, 255)` (the reference),
            `(0, 1)` or `(-1, 1)`.
        batch_size: videos per forward pass (no effect on the result).
        model: an embedding model from `fvd_embedding_model`, to reuse.
        progress: show tqdm progress bars.

    Returns:
        An `FVDResult` (`fvd`: float32-rounded, as the reference reports it;
        `fvd_float64`; `n_real`; `n_generated`; `options`).

    Raises:
        ValueError: bad videos (see `check_videos`), sets of different
            frame counts, fewer than 2 videos in a set, or statistics made
            with different options.
    """
    protocol = get_preset(preset)
    resize = protocol.resize if resize is None else resize
    features = protocol.features if features is None else features
    ddof = protocol.ddof if ddof is None else ddof
    sqrtm = protocol.sqrtm if sqrtm is None else sqrtm
    for name, videos in (("real videos", real_videos), ("generated videos", generated_videos)):
        if not isinstance(videos, VideoStatistics) and np.shape(videos)[0] < 2:
            raise ValueError(
                f"{name}: FVD needs at least 2 videos per set (a covariance "
                f"needs 2). Received: shape={np.shape(videos)}"
            )
    if not any(isinstance(videos, VideoStatistics) for videos in (real_videos, generated_videos)):
        real_frames = np.shape(real_videos)[1:2]
        generated_frames = np.shape(generated_videos)[1:2]
        if real_frames != generated_frames:
            raise ValueError(
                "Real and generated videos must have the same number of "
                f"frames. Received: {real_frames} and {generated_frames}"
            )
    needs_model = not all(
        isinstance(videos, VideoStatistics) for videos in (real_videos, generated_videos)
    )
    if model is None and needs_model:
        model = fvd_embedding_model(features)
    real = _statistics_of(
        real_videos, "real videos", model, resize, features, input_range, batch_size, progress
    )
    generated = _statistics_of(
        generated_videos,
        "generated videos",
        model,
        resize,
        features,
        input_range,
        batch_size,
        progress,
    )
    return frechet_distance(real, generated, ddof=ddof, sqrtm=sqrtm)


def frechet_video_distance(real_videos, generated_videos, **options):
    """The Fréchet Video Distance (FVD) between two sets of videos.

    With the defaults this is google-research `frechet_video_distance`
    with tfgan: every frame resized to 224 x 224 with TF1's legacy bilinear
    kernel, scaled as `x / 127.5 - 1`, embedded as I3D Kinetics-400's
    time-averaged logits, float64 statistics with the `N - 1` covariance,
    tfgan's SVD square root, and the result rounded to float32.

    Args:
        real_videos: `(N, T, H, W, 3)` RGB videos on a 0-255 scale (uint8 or
            float, `T >= 9`), or their `VideoStatistics`.
        generated_videos: the same for the generated videos.
        **options: see `compute_fvd` (`preset`, `resize`, `features`,
            `ddof`, `sqrtm`, `input_range`, `batch_size`, `model`,
            `progress`).

    Returns:
        The FVD as a Python float holding the float32 value; `compute_fvd`
        also gives the float64 value.

    Example:

    ```python
    real = np.zeros((8, 30, 64, 64, 3), np.uint8)
    generated = np.full((8, 30, 64, 64, 3), 255, np.uint8)
    frechet_video_distance(real, generated)  # 151.3925...
    ```
    """
    return compute_fvd(real_videos, generated_videos, **options).fvd
