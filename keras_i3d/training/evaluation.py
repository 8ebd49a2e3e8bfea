"""Evaluation as in the paper: whole videos, clips x crops, per-class results.

At test time I3D is applied to the whole video, convolutionally in time: the
Logits head averages its 1x1x1 classifier over all remaining time steps, so
one forward pass over all frames gives the video's scores (the paper: "we
apply the models convolutionally in time ... and average the predictions").
For long videos or fixed-size models, `num_clips` evenly spaced clips are
scored and averaged instead; `num_crops` (1: centre, 3: along the long side,
5: corners and centre) and `flip` add spatial views. Softmax scores of all
views are averaged.

Which frames make a clip, the resize, the centre crop, the flip and the
input scaling are those of the training pipelines (`keras_i3d.data.clips`,
`sampling`, `transforms`, `keras_i3d.preprocessing`); this module only adds
the 3- and 5-crop views and the metrics.
"""

import dataclasses
import os

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import DEFAULT_TOP_K
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.data.skipped import SkippedVideos
from keras_i3d.training.plots import plot_confusion_matrix
from keras_i3d.training.plots import plot_per_class_accuracy

CROP_COUNTS = (1, 3, 5)


class VideoTooSmallError(ValueError):
    """A video's frames are smaller than the crop."""


def spatial_crops(height, width, crop_size, num_crops=1):
    """Top-left corners `[(row, column), ...]` of the crops.

    1: the centre (the training pipeline's centre crop); 3: start, centre
    and end of the long side (the usual 3-crop protocol); 5: the four
    corners and the centre.

    Example:

    >>> spatial_crops(10, 16, 4, 3)
    [(3, 0), (3, 6), (3, 12)]
    """
    from keras_i3d.conventions import center_crop_offsets

    if num_crops not in CROP_COUNTS:
        raise ValueError(
            f"`num_crops` must be one of {CROP_COUNTS}. Received: num_crops={num_crops}"
        )
    if height < crop_size or width < crop_size:
        raise VideoTooSmallError(
            f"Frames of {height}x{width} pixels are smaller than the "
            f"{crop_size}x{crop_size} crop; resize the short side to at "
            "least the crop size first."
        )
    centre = tuple(int(o) for o in center_crop_offsets(height, width, crop_size))
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


def video_views(clips, crop_size, num_crops=1, flip=False, is_flow=False):
    """Cuts sampled clips into their test views.

    Args:
        clips: `(num_clips, frames, height, width, channels)` array, as
            `keras_i3d.data.load_clips` returns (one clip per row).
        crop_size: the crop side.
        num_crops: 1, 3 or 5 spatial crops per clip.
        flip: also add the horizontally flipped views.
        is_flow: the input is optical flow: flipping negates the horizontal
            component (`keras_i3d.data.flip_left_right`).

    Returns:
        A `(num_clips * num_crops * (2 if flip else 1), frames, crop_size,
        crop_size, channels)` numpy array of the input's dtype.
    """
    from keras_i3d.data.transforms import flip_left_right

    clips = np.asarray(clips)
    if clips.ndim != 5:
        raise ValueError(
            "Clips must be (clips, frames, height, width, channels). "
            f"Received: an array of shape {clips.shape}"
        )
    corners = spatial_crops(clips.shape[2], clips.shape[3], crop_size, num_crops)
    views = []
    for clip in clips:
        for row, column in corners:
            view = clip[:, row : row + crop_size, column : column + crop_size]
            views.append(view)
            if flip:
                views.append(np.asarray(flip_left_right(view, is_flow)))
    return np.stack(views)


def _stream_arrays(clips):
    """`[(stream, clips), ...]` of a clips dict or a single RGB array."""
    if isinstance(clips, dict):
        unknown = set(clips) - {"rgb", "flow"}
        if unknown or not clips:
            raise ValueError(
                f"`clips` must hold 'rgb' and/or 'flow'. Received: keys {sorted(clips)}"
            )
        return [(name, clips[name]) for name in ("rgb", "flow") if name in clips]
    return [("rgb", clips)]


def looks_like_probabilities(scores, tolerance=1e-3):
    """Whether every row of `scores` is non-negative and sums to 1.

    Logits pass this test only by coincidence; a softmax, or an average of
    softmaxes (Two-Stream 2D's late fusion), always does.
    """
    scores = np.asarray(scores, np.float64)
    return bool(
        scores.min() >= -tolerance and np.allclose(scores.sum(axis=-1), 1.0, atol=tolerance)
    )


def predict_video(
    model,
    clips,
    crop_size=CROP_SIZE,
    num_crops=1,
    flip=False,
    from_logits=True,
    views_per_batch=8,
    flow_stack=1,
):
    """Class probabilities of one video, averaged over its test views.

    Args:
        model: an I3D-style model; for two streams, a model taking
            `[rgb, flow]` and returning a dict with `"predictions"`.
        clips: the raw sampled clips of the video, as
            `keras_i3d.data.load_clips` returns them (after resizing): a
            dict with `"rgb"` (uint8) and/or `"flow"` (pixels), each
            `(num_clips, frames, height, width, channels)`; or the RGB array
            alone. The same views are cut from both streams; each view is
            scaled to the model's input with `keras_i3d.preprocessing`.
        crop_size, num_crops, flip: see `video_views`.
        from_logits: whether the model returns logits (softmax is applied
            to each view before averaging) or probabilities; None: decided
            from the first batch of outputs (`looks_like_probabilities`).
        views_per_batch: views per forward pass.
        flow_stack: flow frames per model step (an `InputView`'s
            `flow_stack`): the flow of each view is stacked on the channel
            axis after cropping and flipping, for the 2D two-stream
            baselines.

    Returns:
        A float64 `(classes,)` array of probabilities.
    """
    import keras

    from keras_i3d.labels import softmax
    from keras_i3d.preprocessing import preprocess_input
    from keras_i3d.preprocessing import stack_flow_steps

    streams = _stream_arrays(clips)
    views = [
        (name, video_views(array, crop_size, num_crops, flip, is_flow=name == "flow"))
        for name, array in streams
    ]
    scores = []
    for start in range(0, len(views[0][1]), views_per_batch):
        batch = [
            preprocess_input(array[start : start + views_per_batch], name) for name, array in views
        ]
        batch = [
            stack_flow_steps(array, flow_stack) if name == "flow" else array
            for (name, _), array in zip(views, batch)
        ]
        outputs = model(batch if len(batch) == 2 else batch[0], training=False)
        if isinstance(outputs, dict):
            outputs = outputs["predictions"]
        # Mixed-precision models return bfloat16/float16 tensors.
        outputs = keras.ops.convert_to_numpy(outputs).astype(np.float64)
        if from_logits is None:
            from_logits = not looks_like_probabilities(outputs)
        scores.append(softmax(outputs) if from_logits else outputs)
    return np.concatenate(scores).mean(axis=0)


def load_test_clips(
    sample,
    stream="rgb",
    clip_length=None,
    num_clips=1,
    short_side=RESIZE_SHORT_SIDE,
    fps=TARGET_FPS,
    view=None,
):
    """Decodes the test clips of one video, short side resized.

    Args:
        sample: a `keras_i3d.data.VideoSample`.
        stream: `"rgb"`, `"flow"` or `"two_stream"` (flow from
            `sample.flow_path`).
        clip_length: frames per clip; None: the whole video in one clip
            (looped up to the `MIN_FRAMES_FOR_LOGITS` the head needs).
        num_clips: evenly spaced clips with `clip_length`.
        short_side: short side in pixels (`None`: keep the size).
        fps: the frame rate videos are sampled at.
        view: instead of `stream` and `clip_length`, a
            `keras_i3d.data.InputView` (e.g. a baseline's test view from
            `keras_i3d.data.PAPER_INPUTS`): `num_clips` evenly spaced
            windows, each reduced to the view's frames. Its flow comes back
            unstacked, `(num_clips, steps * flow_stack, ...)`; pass the
            view's `flow_stack` to `predict_video`.

    Returns:
        A dict of `(num_clips, frames, height, width, channels)` arrays, as
        `keras_i3d.data.load_clips` (uint8 RGB, flow in pixels).

    Raises:
        ValueError (e.g. `VideoReadError`) naming the file, if it cannot be
        read.
    """
    from keras_i3d.data.clips import load_clips
    from keras_i3d.data.transforms import resize_flow_short_side

    # RGB is resized while it is decoded (read_video's short_side), flow
    # folders are resized here, their vectors scaled with the image.
    decode = dict(
        fps=fps, flow_path=sample.flow_path, short_side=short_side, resize_while_decoding=True
    )
    if view is not None:
        if clip_length is not None:
            raise ValueError(
                "Pass either `view` or `clip_length`, not both. Received: "
                f"view={view}, clip_length={clip_length}"
            )
        clips = view.select(
            load_clips(sample.path, view.stream, view.span, "uniform", num_clips, **decode)
        )
    elif clip_length is None:
        clips = load_clips(sample.path, stream, MIN_FRAMES_FOR_LOGITS, "whole", **decode)
    else:
        clips = load_clips(sample.path, stream, clip_length, "uniform", num_clips, **decode)
    if short_side is None or "flow" not in clips:
        return clips
    flow = clips["flow"]
    frames = flow.reshape((-1,) + flow.shape[2:])
    frames = np.asarray(resize_flow_short_side(frames, short_side))
    return {**clips, "flow": frames.reshape(flow.shape[:2] + frames.shape[1:])}


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
    k = min(DEFAULT_TOP_K, classes)
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
        skipped: a `keras_i3d.data.SkippedVideos` of the videos not scored
            (each with its reason).
        metrics: `classification_metrics` of the scored videos.
    """

    probabilities: np.ndarray
    labels: np.ndarray
    names: list
    class_names: list
    skipped: SkippedVideos
    metrics: dict

    @property
    def predictions(self):
        """`[(identifier, true class, predicted class, its probability)]`."""
        predicted = self.probabilities.argmax(axis=1)
        return [
            (name, self.class_names[label], self.class_names[guess], float(scores[guess]))
            for name, label, guess, scores in zip(
                self.names, self.labels, predicted, self.probabilities
            )
        ]

    def plotted_classes(self):
        """Indices of the classes that have a video or got a prediction.

        A 400-class label set evaluated on a few classes would otherwise
        give an unreadable 400 x 400 matrix of empty rows and columns.
        """
        confusion = self.metrics["confusion_matrix"]
        used = (confusion.sum(axis=0) > 0) | (confusion.sum(axis=1) > 0)
        return np.flatnonzero(used)

    def save_plots(self, folder):
        """Writes `confusion_matrix.png` and `per_class_accuracy.png`.

        Both show only `plotted_classes()`.
        """
        folder = os.fspath(folder)
        shown = self.plotted_classes()
        names = [self.class_names[i] for i in shown]
        confusion = self.metrics["confusion_matrix"][np.ix_(shown, shown)]
        return [
            plot_confusion_matrix(
                confusion,
                names,
                os.path.join(folder, "confusion_matrix.png"),
            ),
            plot_per_class_accuracy(
                self.metrics["per_class_accuracy"][shown],
                names,
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
                self.class_names[i]: float(per_class[i])
                for i in np.flatnonzero(~np.isnan(per_class))
            },
            "predictions": [
                {"video": str(name), "label": label, "predicted": guess, "probability": probability}
                for name, label, guess, probability in self.predictions
            ],
            "skipped_videos": [
                {"video": item.path, "reason": item.reason} for item in self.skipped.items
            ],
        }


def evaluate_videos(
    model,
    videos,
    class_names,
    crop_size=CROP_SIZE,
    num_crops=1,
    flip=False,
    from_logits=True,
    skipped=None,
    progress=False,
    flow_stack=1,
):
    """Scores every video and computes the paper's metrics.

    Videos that cannot be read or are too small are skipped, counted and
    reported (identifier and reason, in `skipped`); evaluation goes on.

    Args:
        model: see `predict_video`.
        videos: an iterable of `(identifier, load)` pairs, where `load()`
            returns `(clips, label)`, `clips` as `predict_video` takes them
            (e.g. from `load_test_clips`), and may raise `ValueError` or
            `OSError` for a bad file.
        class_names: the class names, in label order.
        crop_size, num_crops, flip, from_logits, flow_stack: see
            `predict_video`.
        skipped: a `keras_i3d.data.SkippedVideos` to add the skipped videos
            to; default: a new one.
        progress: a tqdm progress bar on stderr.

    Returns:
        An `EvaluationResult`.

    Raises:
        ValueError: no video at all could be scored (the message lists the
            first reasons).
    """
    import cv2

    skipped = SkippedVideos() if skipped is None else skipped
    items = list(videos)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="evaluating", unit="video")
    probabilities, labels, names = [], [], []
    for identifier, load in items:
        try:
            clips, label = load()
            scores = predict_video(
                model, clips, crop_size, num_crops, flip, from_logits, flow_stack=flow_stack
            )
        except (ValueError, OSError, cv2.error) as error:
            skipped.add(identifier, getattr(error, "reason", error))
            continue
        probabilities.append(scores)
        labels.append(int(label))
        names.append(identifier)
    if not probabilities:
        reasons = "; ".join(f"{item.path}: {item.reason}" for item in skipped.items[:5])
        raise ValueError(f"No video could be evaluated. {reasons}")
    probabilities = np.stack(probabilities)
    labels = np.asarray(labels)
    return EvaluationResult(
        probabilities=probabilities,
        labels=labels,
        names=names,
        class_names=list(class_names),
        skipped=skipped,
        metrics=classification_metrics(probabilities, labels, len(class_names)),
    )
