"""Classify a video end to end: decode, transform, run, rank.

`classify_video` decodes a video with `keras_i3d.data.load_video_clips`
(25 fps, short side 256, centre 224 crop; TV-L1 flow for two streams),
runs the RGB I3D or both streams over the whole clip in one pass, and ranks
the Kinetics classes. Two-stream I3D adds the RGB and flow streams' logits
(DeepMind's test-time fusion) before the softmax. Every variant returns one
`VideoPrediction`.

Example:

```python
from keras_i3d.tasks import classify_video

result = classify_video("video.mp4", num_frames=64)
print(result.format_table())
result.top[0].label  # 'arm wrestling'
```
"""

import dataclasses

import numpy as np

from keras_i3d.conventions import DEFAULT_TOP_K
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD

# The streams `classify_video` runs: the RGB I3D alone, or RGB and flow
# I3D with their logits added.
CLASSIFY_STREAMS = ("rgb", "two_stream")


class ClipTooShortError(ValueError):
    """A video has fewer frames than the network needs."""


@dataclasses.dataclass(frozen=True)
class RankedClass:
    """One class of a `VideoPrediction`.

    Attributes:
        index: the class index in the label set.
        label: the class name.
        probability: its softmax probability.
        logit: its logit (for two streams, the sum of both streams').
    """

    index: int
    label: str
    probability: float
    logit: float


@dataclasses.dataclass(frozen=True)
class VideoPrediction:
    """The classes of one video, best first.

    Attributes:
        video: the video's path.
        num_frames: the frames that went through the network.
        fps: their frame rate.
        stream: `"rgb"` or `"two_stream"`.
        top: `RankedClass` tuples, best first.
    """

    video: str
    num_frames: int
    fps: float
    stream: str
    top: tuple

    def to_json(self):
        """A JSON-friendly dict: video, num_frames, fps, stream and top."""
        return {
            "video": self.video,
            "num_frames": self.num_frames,
            "fps": self.fps,
            "stream": self.stream,
            "top": [dataclasses.asdict(ranked) for ranked in self.top],
        }

    def format_table(self):
        """A header line and one line per class: rank, probability, logit."""
        header = f"{self.video}: {self.num_frames} frames at {self.fps:g} fps"
        if self.stream != "rgb":
            header += f" ({self.stream}: RGB + flow logits)"
        lines = [header, f"{'rank':>4}  {'probability':>11}  {'logit':>8}  label"]
        for rank, ranked in enumerate(self.top, start=1):
            lines.append(
                f"{rank:>4}  {ranked.probability:>11.6f}  {ranked.logit:>8.3f}  {ranked.label}"
            )
        return "\n".join(lines)


def rank_logits(logits, top=DEFAULT_TOP_K, label_set=None):
    """Ranks one sample's logits: `RankedClass` tuples, best first.

    Args:
        logits: the `(classes,)` logits of one sample.
        top: how many classes to return.
        label_set: as for `keras_i3d.decode_predictions` (None: by the
            number of classes).

    Returns:
        A tuple of `top` `RankedClass`es.
    """
    from keras_i3d.labels import decode_predictions
    from keras_i3d.labels import softmax

    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    probabilities = softmax(logits)
    ranked = decode_predictions(probabilities[None], top=top, label_set=label_set)[0]
    return tuple(
        RankedClass(index=i, label=label, probability=float(p), logit=float(logits[i]))
        for i, label, p in ranked
    )


def rgb_logits_model(weights="kinetics400", clip_length=None, fast=False):
    """The RGB I3D that `classify_video` runs, returning logits.

    Args:
        weights: anything `I3D(weights=...)` accepts.
        clip_length: the frames of the clips it will take, fixed into the
            model with `fast=True`.
        fast: run `keras_i3d.models.fused.fuse_for_inference` in bfloat16
            (batch norm folded; about 2.5x faster on CPUs with AMX, logits
            within about 0.2 of float32).

    Returns:
        A `keras.Model` from `(1, T, 224, 224, 3)` to `(1, 400)` logits.
    """
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.models.i3d import I3D

    if not fast:
        return I3D(stream="rgb", weights=weights, classifier_activation=None)
    from keras_i3d.models.fused import fuse_for_inference

    model = I3D(
        stream="rgb",
        weights=weights,
        classifier_activation=None,
        input_shape=(clip_length, CROP_SIZE, CROP_SIZE, 3),
    )
    return fuse_for_inference(model, dtype="mixed_bfloat16")


def two_stream_logits_model(weights="kinetics400", flow_weights="kinetics400"):
    """The two-stream I3D that `classify_video` runs.

    Args:
        weights: the RGB stream's weights (anything `I3D(weights=...)`
            accepts; None: random).
        flow_weights: the flow stream's weights; no pretrained flow
            checkpoint is distributed, so pass a converted
            `flow.weights.h5` (or None for random weights).

    Returns:
        A `keras_i3d.TwoStreamI3D` returning `"rgb_logits"` and
        `"flow_logits"`.
    """
    from keras_i3d.models.two_stream import TwoStreamI3D

    return TwoStreamI3D(
        weights=None, rgb_weights=weights, flow_weights=flow_weights, classifier_activation=None
    )


def classify_video(
    path,
    *,
    stream="rgb",
    weights="kinetics400",
    flow_weights="kinetics400",
    num_frames=None,
    top=DEFAULT_TOP_K,
    model=None,
    fast=False,
    flow_method=DEFAULT_FLOW_METHOD,
):
    """Classifies a video with the RGB or the two-stream I3D.

    The video is decoded at 25 fps, its short side resized to 256, centre
    cropped to 224 and scaled to `[-1, 1]`; the whole clip (as in
    DeepMind's `evaluate_sample.py`) goes through the network at once. With
    two streams, TV-L1 flow is computed from the same resized frames (1 to
    2.5 s per frame on one CPU core: bound it with `num_frames`) and the
    joint logits are the sum of the RGB and flow logits.

    Args:
        path: a video file, GIF or folder of frames.
        stream: `"rgb"` or `"two_stream"`.
        weights: the RGB stream's weights, anything `I3D(weights=...)`
            accepts (ignored with `model`).
        flow_weights: the flow stream's weights with `"two_stream"`; no
            flow checkpoint is distributed, so the default `"kinetics400"`
            raises an error that says how to convert one.
        num_frames: use the first `num_frames` frames (25 fps), or all. At
            least `MIN_FRAMES_FOR_LOGITS` (9) are needed.
        top: how many classes to return.
        model: a model to reuse across videos: for `"rgb"` one returning
            logits (`rgb_logits_model`), for `"two_stream"` one returning
            `"rgb_logits"` and `"flow_logits"` (`two_stream_logits_model`).
        fast: run the bfloat16 fused RGB model (see `rgb_logits_model`);
            RGB only.
        flow_method: `"tvl1"` (what flow checkpoints are trained on) or
            `"farneback"` (a fast approximation), for `"two_stream"`.

    Returns:
        A `VideoPrediction`.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        ClipTooShortError: the video has fewer than 9 frames.
        keras_i3d.flow.FlowError: two streams of a single-frame video.
        ValueError: a bad argument or unknown weights.
    """
    from keras_i3d.data.video_clips import load_video_clips

    if stream not in CLASSIFY_STREAMS:
        raise ValueError(f"`stream` must be one of {CLASSIFY_STREAMS}. Received: stream={stream!r}")
    if fast and stream != "rgb":
        raise ValueError(
            f"`fast` applies to the RGB model only. Received: fast={fast}, stream={stream!r}"
        )
    if not isinstance(top, int) or top < 1:
        raise ValueError(f"`top` must be a positive int. Received: top={top!r}")
    if stream == "two_stream" and model is None:
        # Built first: a weights error must not wait for minutes of TV-L1.
        model = two_stream_logits_model(weights, flow_weights)
    clips = load_video_clips(path, stream=stream, num_frames=num_frames, flow_method=flow_method)
    if clips.num_frames < MIN_FRAMES_FOR_LOGITS:
        raise ClipTooShortError(
            f"{clips.path}: {clips.num_frames} frame(s) at {clips.fps:g} fps; "
            f"I3D needs at least {MIN_FRAMES_FOR_LOGITS} frames to classify "
            "a clip."
        )
    rgb = clips.model_input("rgb")
    if stream == "rgb":
        if model is None:
            model = rgb_logits_model(weights, clip_length=clips.num_frames, fast=fast)
        logits = np.asarray(model.predict(rgb, verbose=0))[0]
    else:
        outputs = model.predict_on_batch([rgb, clips.model_input("flow")])
        if not isinstance(outputs, dict) or not {"rgb_logits", "flow_logits"} <= set(outputs):
            raise ValueError(
                "A two-stream `model` must return a dict with 'rgb_logits' "
                "and 'flow_logits' (see `two_stream_logits_model`). "
                f"Received: outputs of type {type(outputs).__name__}"
            )
        # DeepMind's fusion: the streams' logits, added with equal weights.
        logits = (np.asarray(outputs["rgb_logits"]) + np.asarray(outputs["flow_logits"]))[0]
    return VideoPrediction(
        video=str(path),
        num_frames=clips.num_frames,
        fps=clips.fps,
        stream=stream,
        top=rank_logits(logits, top),
    )
