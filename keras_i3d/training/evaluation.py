"""Evaluation as in the paper: whole videos, clips x crops, per-class results.

At test time I3D is applied to the whole video, convolutionally in time: the
Logits head averages its 1x1x1 classifier over all remaining time steps, so
one forward pass over all frames gives the video's scores (the paper: "we
apply the models convolutionally in time ... and average the predictions").
For long videos or fixed-size models, `num_clips` evenly spaced clips are
scored and averaged instead; `num_crops` (1: centre, 3: along the long side,
5: corners and centre) and `flip` add spatial views. Softmax scores of all
views are averaged.
"""

import dataclasses
import os

import numpy as np

from keras_i3d.training.plots import plot_confusion_matrix
from keras_i3d.training.plots import plot_per_class_accuracy

CROP_COUNTS = (1, 3, 5)
TOP_K = 5


class VideoTooSmallError(ValueError):
    """A video's frames are smaller than the crop."""


def temporal_windows(num_frames, clip_frames=None, num_clips=1):
    """Frame indices of each clip: `(num_clips, clip_frames)` ints.

    `clip_frames=None` gives one window over the whole video. A video
    shorter than `clip_frames` is looped (frame indices wrap around), as
    DeepMind's evaluation does for short videos.

    Example:

    >>> temporal_windows(10, 4, 3).tolist()
    [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    """
    if num_frames < 1:
        raise ValueError("The video has no frames.")
    if clip_frames is None:
        return np.arange(num_frames)[None]
    if num_clips < 1 or clip_frames < 1:
        raise ValueError(
            "`clip_frames` and `num_clips` must be positive. Received: "
            f"clip_frames={clip_frames}, num_clips={num_clips}"
        )
    last_start = max(num_frames - clip_frames, 0)
    starts = np.linspace(0, last_start, num_clips).round().astype(int)
    return (starts[:, None] + np.arange(clip_frames)[None]) % num_frames


def spatial_crops(height, width, crop_size, num_crops=1):
    """Top-left corners `[(row, column), ...]` of the crops.

    1: the centre; 3: start, centre and end of the long side (the usual
    3-crop protocol); 5: the four corners and the centre.
    """
    if num_crops not in CROP_COUNTS:
        raise ValueError(
            f"`num_crops` must be one of {CROP_COUNTS}. "
            f"Received: num_crops={num_crops}"
        )
    if height < crop_size or width < crop_size:
        raise VideoTooSmallError(
            f"Frames of {height}x{width} pixels are smaller than the "
            f"{crop_size}x{crop_size} crop; resize the short side to at "
            "least the crop size first."
        )
    centre = ((height - crop_size) // 2, (width - crop_size) // 2)
    if num_crops == 1:
        return [centre]
    if num_crops == 3:
        if height >= width:
            return [(0, centre[1]), centre, (height - crop_size, centre[1])]
        return [(centre[0], 0), centre, (centre[0], width - crop_size)]
    return [
        (0, 0),
        (0, width - crop_size),
        (height - crop_size, 0),
        (height - crop_size, width - crop_size),
        centre,
    ]


def video_views(video, crop_size, clip_frames=None, num_clips=1,
                num_crops=1, flip=False, flow=False):
    """Cuts a video into its test views: `(views, frames, crop, crop, C)`.

    Args:
        video: `(frames, height, width, channels)` array, preprocessed.
        crop_size: the crop side.
        clip_frames: frames per clip; None for the whole video.
        num_clips: evenly spaced clips (with `clip_frames`).
        num_crops: 1, 3 or 5 spatial crops.
        flip: also add the horizontally flipped views.
        flow: the input is optical flow: flipping negates the horizontal
            (x, channel 0) component, since motion to the right becomes
            motion to the left in the mirror image.

    Returns:
        A numpy array of `num_clips * num_crops * (2 if flip else 1)` views.
    """
    video = np.asarray(video)
    if video.ndim != 4:
        raise ValueError(
            "A video must be (frames, height, width, channels). "
            f"Received: an array of shape {video.shape}"
        )
    windows = temporal_windows(video.shape[0], clip_frames, num_clips)
    corners = spatial_crops(video.shape[1], video.shape[2], crop_size,
                            num_crops)
    views = []
    for window in windows:
        clip = video[window]
        for row, column in corners:
            view = clip[:, row:row + crop_size, column:column + crop_size]
            views.append(view)
            if flip:
                mirrored = view[:, :, ::-1].copy()
                if flow:
                    mirrored[..., 0] = -mirrored[..., 0]
                views.append(mirrored)
    return np.stack(views)


def _softmax(logits):
    logits = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def predict_video(model, video, crop_size, clip_frames=None, num_clips=1,
                  num_crops=1, flip=False, from_logits=True,
                  views_per_batch=8):
    """Class probabilities of one video, averaged over its test views.

    Args:
        model: an I3D-style model; for two streams, a model taking
            `[rgb, flow]` and returning a dict with `"predictions"`.
        video: a preprocessed `(frames, height, width, channels)` array, or
            a `(rgb, flow)` pair for a two-stream model (the same views are
            cut from both).
        crop_size, clip_frames, num_clips, num_crops, flip: see
            `video_views`.
        from_logits: whether the model returns logits (softmax is applied
            to each view before averaging) or probabilities.
        views_per_batch: views per forward pass.

    Returns:
        A float64 `(classes,)` array of probabilities.
    """
    two_stream = isinstance(video, (tuple, list))
    streams = list(video) if two_stream else [video]
    views = [
        video_views(s, crop_size, clip_frames, num_clips, num_crops, flip,
                    flow=(two_stream and index == 1))
        for index, s in enumerate(streams)
    ]
    scores = []
    for start in range(0, len(views[0]), views_per_batch):
        batch = [v[start:start + views_per_batch] for v in views]
        outputs = model(batch if two_stream else batch[0], training=False)
        if isinstance(outputs, dict):
            outputs = outputs["predictions"]
        outputs = np.asarray(outputs, dtype=np.float64)
        scores.append(_softmax(outputs) if from_logits else outputs)
    return np.concatenate(scores).mean(axis=0)


def classification_metrics(probabilities, labels, classes):
    """Top-1, top-5, per-class accuracy and the confusion matrix.

    Args:
        probabilities: `(videos, classes)` scores.
        labels: `(videos,)` true class indices.
        classes: the number of classes.

    Returns:
        A dict: `top1`, `top5` (floats), `per_class_accuracy` (`(classes,)`,
        NaN where a class has no video), `mean_class_accuracy` (the mean over
        classes with videos), `confusion_matrix` (`(classes, classes)` ints,
        rows true, columns predicted), `count`.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if probabilities.ndim != 2 or probabilities.shape[0] != labels.shape[0]:
        raise ValueError(
            "`probabilities` must be (videos, classes) with one row per "
            f"label. Received: {probabilities.shape} and {labels.shape} "
            "labels"
        )
    if len(labels) == 0:
        raise ValueError("There are no predictions to score.")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(
            f"Labels must be in [0, {classes}). "
            f"Received: labels from {labels.min()} to {labels.max()}"
        )
    predicted = probabilities.argmax(axis=1)
    k = min(TOP_K, classes)
    top_k = np.argsort(-probabilities, axis=1)[:, :k]
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(totals > 0, np.diag(confusion) / totals, np.nan)
    return {
        "top1": float(np.mean(predicted == labels)),
        "top5": float(np.mean((top_k == labels[:, None]).any(axis=1))),
        "per_class_accuracy": per_class,
        "mean_class_accuracy": float(np.nanmean(per_class)),
        "confusion_matrix": confusion,
        "count": int(len(labels)),
    }


@dataclasses.dataclass
class EvaluationResult:
    """The outcome of `evaluate_videos`.

    Attributes:
        probabilities: `(videos, classes)` averaged scores.
        labels: `(videos,)` true classes.
        names: an identifier per scored video.
        class_names: the class names.
        skipped: `[(identifier, reason), ...]` of the videos not scored.
        metrics: `classification_metrics` of the scored videos.
    """

    probabilities: np.ndarray
    labels: np.ndarray
    names: list
    class_names: list
    skipped: list
    metrics: dict

    def save_plots(self, folder):
        """Writes `confusion_matrix.png` and `per_class_accuracy.png`."""
        folder = os.fspath(folder)
        return [
            plot_confusion_matrix(
                self.metrics["confusion_matrix"], self.class_names,
                os.path.join(folder, "confusion_matrix.png"),
            ),
            plot_per_class_accuracy(
                self.metrics["per_class_accuracy"], self.class_names,
                os.path.join(folder, "per_class_accuracy.png"),
            ),
        ]

    def summary(self):
        """A JSON-friendly dict of the results."""
        per_class = self.metrics["per_class_accuracy"]
        return {
            "videos": self.metrics["count"],
            "skipped": len(self.skipped),
            "top1": self.metrics["top1"],
            "top5": self.metrics["top5"],
            "mean_class_accuracy": self.metrics["mean_class_accuracy"],
            "per_class_accuracy": {
                name: (None if np.isnan(a) else float(a))
                for name, a in zip(self.class_names, per_class)
            },
            "skipped_videos": [
                {"video": str(n), "reason": r} for n, r in self.skipped
            ],
        }


def evaluate_videos(model, videos, class_names, crop_size, clip_frames=None,
                    num_clips=1, num_crops=1, flip=False, from_logits=True,
                    progress=False):
    """Scores every video and computes the paper's metrics.

    Videos that cannot be read or are too small are skipped, counted and
    reported (identifier and reason); evaluation goes on.

    Args:
        model: see `predict_video`.
        videos: an iterable of `(identifier, load)` pairs, where `load()`
            returns `(video, label)` (the video preprocessed) and may raise
            `ValueError` or `OSError` for a bad file.
        class_names: the class names, in label order.
        crop_size, clip_frames, num_clips, num_crops, flip, from_logits:
            see `predict_video`.
        progress: a tqdm progress bar on stderr.

    Returns:
        An `EvaluationResult`.
    """
    items = list(videos)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="evaluating", unit="video")
    probabilities, labels, names, skipped = [], [], [], []
    for identifier, load in items:
        try:
            video, label = load()
            scores = predict_video(
                model, video, crop_size, clip_frames, num_clips, num_crops,
                flip, from_logits,
            )
        except (ValueError, OSError) as error:
            skipped.append((identifier, str(error)))
            continue
        probabilities.append(scores)
        labels.append(int(label))
        names.append(identifier)
    if not probabilities:
        reasons = "; ".join(f"{n}: {r}" for n, r in skipped[:5])
        raise ValueError(f"No video could be evaluated. {reasons}")
    probabilities = np.stack(probabilities)
    labels = np.asarray(labels)
    return EvaluationResult(
        probabilities=probabilities,
        labels=labels,
        names=names,
        class_names=list(class_names),
        skipped=skipped,
        metrics=classification_metrics(probabilities, labels,
                                       len(class_names)),
    )
