"""Classify a video file end to end: decode, transform, run, rank."""

import dataclasses

import numpy as np

from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import TARGET_FPS


class ClipTooShortError(ValueError):
    """A video has fewer frames than the network needs."""


@dataclasses.dataclass(frozen=True)
class RankedClass:
    index: int
    label: str
    probability: float
    logit: float


@dataclasses.dataclass(frozen=True)
class VideoPrediction:
    """The classes of one video, best first."""

    video: str
    frames: int
    top: tuple

    def to_json(self):
        return {
            "video": self.video,
            "frames": self.frames,
            "top": [dataclasses.asdict(ranked) for ranked in self.top],
        }

    def format_table(self):
        lines = [f"{self.video}: {self.frames} frames at {TARGET_FPS:g} fps",
                 f"{'rank':>4}  {'probability':>11}  {'logit':>8}  label"]
        for rank, ranked in enumerate(self.top, start=1):
            lines.append(
                f"{rank:>4}  {ranked.probability:>11.6f}  "
                f"{ranked.logit:>8.3f}  {ranked.label}"
            )
        return "\n".join(lines)


def load_rgb_clip(path, num_frames=None):
    """Decodes a video into the RGB model input `(1, T, 224, 224, 3)`.

    The convention of `keras_i3d.conventions`: 25 fps, short side 256
    (bilinear), centre 224 crop, `x / 127.5 - 1`.
    """
    from keras_i3d.data.transforms import eval_transform
    from keras_i3d.preprocessing import preprocess_input
    from keras_i3d.video import read_video

    video = read_video(path, fps=TARGET_FPS, num_frames=num_frames)
    if video.num_frames < MIN_FRAMES_FOR_LOGITS:
        raise ClipTooShortError(
            f"{path}: {video.num_frames} frames at {TARGET_FPS:g} fps; I3D "
            f"needs at least {MIN_FRAMES_FOR_LOGITS} frames to classify "
            "a clip."
        )
    frames = np.asarray(eval_transform(video.frames))
    return preprocess_input(frames[None], stream="rgb")


def rank_logits(logits, top, label_set=None):
    """Ranks one sample's logits: `RankedClass` tuples, best first."""
    from keras_i3d.labels import decode_predictions
    from keras_i3d.labels import softmax

    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    probabilities = softmax(logits)
    ranked = decode_predictions(probabilities[None], top=top,
                                label_set=label_set)[0]
    return tuple(
        RankedClass(index=i, label=label, probability=float(p),
                    logit=float(logits[i]))
        for i, label, p in ranked
    )


def rgb_logits_model(weights="kinetics400", frames=None, fast=False):
    """The RGB I3D that `classify_video` runs, returning logits.

    Args:
        weights: anything `I3D(weights=...)` accepts.
        frames: the clip length, fixed into the model with `fast=True`.
        fast: run `keras_i3d.models.fused.fuse_for_inference` in bfloat16
            (batch norm folded; about 2.5x faster on CPUs with AMX, logits
            within about 0.2 of float32).
    """
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.models.i3d import I3D

    if not fast:
        return I3D(stream="rgb", weights=weights, classifier_activation=None)
    from keras_i3d.models.fused import fuse_for_inference

    model = I3D(stream="rgb", weights=weights, classifier_activation=None,
                input_shape=(frames, CROP_SIZE, CROP_SIZE, 3))
    return fuse_for_inference(model, dtype="mixed_bfloat16")


def classify_video(path, weights="kinetics400", num_frames=None, top=5,
                   model=None, fast=False):
    """Classifies a video with the RGB I3D.

    Args:
        path: video file, GIF or folder of frames.
        weights: anything `I3D(weights=...)` accepts (ignored with `model`).
        num_frames: use the first `num_frames` frames (25 fps), or all.
        top: how many classes to return.
        model: an RGB I3D that returns logits, to reuse across videos;
            built from `weights` when None.
        fast: build the bfloat16 fused model (see `rgb_logits_model`).

    Returns:
        A `VideoPrediction`.
    """
    clip = load_rgb_clip(path, num_frames)
    if model is None:
        model = rgb_logits_model(weights, frames=clip.shape[1], fast=fast)
    logits = np.asarray(model.predict(clip, verbose=0))[0]
    return VideoPrediction(
        video=str(path), frames=int(clip.shape[1]), top=rank_logits(logits, top)
    )
