"""Classify a video end to end: decode, transform, run, rank.

`classify_video` streams a video through the evaluation chain (25 fps,
short side 256, centre 224 crop; TV-L1 flow for two streams), runs the RGB
I3D or both streams, and ranks the Kinetics classes. Two-stream I3D adds the
RGB and flow streams' logits (DeepMind's test-time fusion) before the
softmax. Every variant returns one `VideoPrediction`.

Videos are cut into clips of `PREDICT_CLIP_LENGTH` (250) frames, 10 s at
25 fps, the length of a Kinetics clip: a Kinetics clip is one clip, run
whole and convolutionally in time as in DeepMind's `evaluate_sample.py`;
a longer video is covered by consecutive clips (the last one ends at the
video's last frame) whose logits are averaged, so memory stays that of one
clip however long the video. `clip_length=None` runs the whole video in one
pass instead, up to `MAX_WHOLE_VIDEO_FRAMES`. The RGB model, and each stream
of the two-stream model, is the fused graph of
`keras_i3d.models.fused.inference_model` (float32, logits within 1e-4 of the
reference graph) unless `fused=False`. With `engine="onnxruntime"` the
fused RGB I3D runs on ONNX Runtime instead
(`keras_i3d.tasks.onnx_classifier`: converted once and cached, logits
within 1e-4 of the reference graph's), and nothing imports TensorFlow.

Example:

```python
from keras_i3d.tasks import classify_video

result = classify_video("video.mp4")
print(result.format_table())
result.top[0].label  # 'arm wrestling'
```
"""

import contextlib
import dataclasses
import queue
import threading
import time

import numpy as np

from keras_i3d.conventions import DEFAULT_TOP_K
from keras_i3d.conventions import MIN_FRAMES_FOR_LOGITS
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD

# The streams `classify_video` runs: the RGB I3D alone, or RGB and flow
# I3D with their logits added.
CLASSIFY_STREAMS = ("rgb", "two_stream")
# Frames per clip: 10 s at 25 fps, the length of a Kinetics clip, which the
# paper and DeepMind's evaluate_sample.py run whole. Longer videos are cut
# into clips of this length whose logits are averaged.
PREDICT_CLIP_LENGTH = 250
# The longest video `clip_length=None` runs in one pass. The whole clip and
# the network's activations are in memory at once, about 7 MB per frame for
# the fused float32 RGB I3D (peak RSS 1.6 GB at 100 frames, 2.6 GB at 250,
# 4.3 GB at 500; docs/inference.md), so 500 frames (20 s) stay near 4 GB.
MAX_WHOLE_VIDEO_FRAMES = 500
WHOLE_VIDEO_MB_PER_FRAME = 7
# What runs the network: TensorFlow (Keras), or ONNX Runtime (the fused RGB
# I3D in float32 only, converted once; no TensorFlow import).
ENGINES = ("tensorflow", "onnxruntime")
# How `VideoPrediction.mode` names the two ways of covering a video.
PREDICT_MODES = ("clips", "whole_video")
# Clips decoded ahead of the one the model runs on (bounded memory).
_CLIPS_DECODED_AHEAD = 1


class ClipTooShortError(ValueError):
    """A video has fewer frames than the network needs."""


class VideoTooLongError(ValueError):
    """A video is too long to run whole (`MAX_WHOLE_VIDEO_FRAMES`)."""


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
        mode: `"clips"` (the logits of `num_clips` clips of `clip_length`
            frames, averaged) or `"whole_video"` (all frames in one pass).
        num_clips: the clips the logits are averaged over (1 for
            `"whole_video"`).
        clip_length: the frames of each clip.
    """

    video: str
    num_frames: int
    fps: float
    stream: str
    top: tuple
    mode: str = "whole_video"
    num_clips: int = 1
    clip_length: int | None = None

    def to_json(self):
        """A JSON-friendly dict: video, num_frames, fps, stream, mode,
        num_clips, clip_length and top."""
        return {
            "video": self.video,
            "num_frames": self.num_frames,
            "fps": self.fps,
            "stream": self.stream,
            "mode": self.mode,
            "num_clips": self.num_clips,
            "clip_length": self.num_frames if self.clip_length is None else self.clip_length,
            "top": [dataclasses.asdict(ranked) for ranked in self.top],
        }

    def describe_mode(self):
        """How the frames went through the network, in words."""
        if self.mode == "whole_video":
            return "whole video in one pass"
        if self.num_clips == 1:
            return f"1 clip of {self.clip_length} frames"
        return f"{self.num_clips} clips of {self.clip_length} frames, logits averaged"

    def format_table(self):
        """A header line and one line per class: rank, probability, logit."""
        header = (
            f"{self.video}: {self.num_frames} frames at {self.fps:g} fps; {self.describe_mode()}"
        )
        if self.stream != "rgb":
            header += f" ({self.stream}: RGB + flow logits)"
        lines = [header, f"{'rank':>4}  {'probability':>11}  {'logit':>8}  label"]
        for rank, ranked in enumerate(self.top, start=1):
            lines.append(
                f"{rank:>4}  {ranked.probability:>11.6f}  {ranked.logit:>8.3f}  {ranked.label}"
            )
        return "\n".join(lines)


class InferenceProfile:
    """Seconds spent in each phase of `classify_video`, for `--profile`.

    Phases that run in the decoding thread (`"decode"`) overlap the others;
    `"wait for frames"` is the time the model waited for them.

    Example:

    >>> profile = InferenceProfile()
    >>> with profile.phase("model"):
    ...     pass
    >>> list(profile.seconds)
    ['model']
    """

    def __init__(self):
        self.seconds = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def phase(self, name):
        """Adds the time spent in the `with` block to phase `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name, seconds):
        """Adds `seconds` to phase `name`."""
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def format_lines(self):
        """One `phase: seconds` line per phase, in the order they started."""
        return [f"{name:>24}: {seconds:7.2f} s" for name, seconds in self.seconds.items()]


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


def rgb_logits_model(
    weights="kinetics400",
    clip_length=None,
    fused=True,
    precision="float32",
    profile=None,
    model_cache=True,
):
    """The RGB I3D that `classify_video` runs, returning logits.

    Args:
        weights: anything `I3D(weights=...)` accepts.
        clip_length: the frames of the clips it will take, fixed into the
            model (None: any length). A fixed length lets the bfloat16
            graph run its stem as a space-to-depth convolution.
        fused: run the fused graph (`keras_i3d.models.fused.inference_model`:
            batch norm folded, float32 logits within 1e-4 of the reference
            graph's); False: the reference `I3D` graph.
        precision: `"float32"` or, on request, `"mixed_bfloat16"` (the fused
            graph in bfloat16: about 2.5x faster on CPUs with AMX, logits
            within about 0.2 of float32).
        profile: an `InferenceProfile` to time building (with the weights)
            and fusing in, or None.
        model_cache: with pretrained `weights` and `clip_length=None`, load
            the graph from the model cache of `KERAS_I3D_HOME` when it was
            built before with the same weights file and code, and cache it
            when not (`keras_i3d.models.inference_cache`: same logits,
            about half the time of building, loading and fusing). False:
            build it.

    Returns:
        A `keras.Model` from `(1, T, 224, 224, 3)` to `(1, 400)` logits.

    Raises:
        ValueError: a bad `precision`, or bfloat16 with `fused=False`.
    """
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.models.fused import check_inference_precision
    from keras_i3d.models.fused import inference_model
    from keras_i3d.models.fused import pretrained_inference_model
    from keras_i3d.models.i3d import I3D
    from keras_i3d.models.inference_cache import cached_pretrained_inference_model

    check_inference_precision(precision, fused)
    profile = profile or InferenceProfile()
    if clip_length is None and weights is not None and model_cache:
        started = time.perf_counter()
        model, origin = cached_pretrained_inference_model(
            weights, "rgb", fused=fused, precision=precision
        )
        phase = "load cached model" if origin == "loaded" else "build + load weights + fuse + cache"
        profile.add(phase, time.perf_counter() - started)
        return model
    if clip_length is None and weights is not None:
        # The checkpoint's reference graph is the model: one build fewer.
        with profile.phase("build + load weights + fuse"):
            return pretrained_inference_model(weights, "rgb", fused=fused, precision=precision)
    with profile.phase("build + load weights"):
        model = I3D(
            stream="rgb",
            weights=weights,
            classifier_activation=None,
            input_shape=(clip_length, CROP_SIZE, CROP_SIZE, 3),
        )
    if not fused:
        return model
    with profile.phase("fuse"):
        return inference_model(model, fused=fused, precision=precision)


def two_stream_logits_model(
    weights="kinetics400",
    flow_weights="kinetics400",
    fused=True,
    precision="float32",
    model_cache=False,
):
    """The two-stream I3D that `classify_video` runs.

    Each stream is fused by default, as the RGB model is
    (`keras_i3d.models.two_stream_inference.two_stream_inference_model`:
    float32 logits within 1e-4 of the reference `TwoStreamI3D`'s).

    Args:
        weights: the RGB stream's weights (anything `I3D(weights=...)`
            accepts; None: random).
        flow_weights: the flow stream's weights; no pretrained flow
            checkpoint is distributed, so pass a converted
            `flow.weights.h5` (or None for random weights).
        fused: run each stream's fused graph (the default); False: the
            reference graphs.
        precision: `"float32"` or, on request, `"mixed_bfloat16"` (both
            fused streams in bfloat16; logits within about 0.2 of float32).
        model_cache: load each pretrained stream's graph from the model
            cache when it was built before, and cache it when not (see
            `rgb_logits_model`); False: build them.

    Returns:
        A `keras.Model` from `[rgb_clip, flow_clip]` to a dict with
        `"rgb_logits"` and `"flow_logits"` (and `"predictions"`, their sum).

    Raises:
        ValueError: unknown weights, a bad `precision`, or bfloat16 with
            `fused=False`.
    """
    from keras_i3d.models.two_stream_inference import two_stream_inference_model

    return two_stream_inference_model(
        weights, flow_weights, fused=fused, precision=precision, model_cache=model_cache
    )


def stream_clips(
    path,
    stream="rgb",
    clip_length=PREDICT_CLIP_LENGTH,
    num_frames=None,
    flow_method=DEFAULT_FLOW_METHOD,
    fps=TARGET_FPS,
    profile=None,
):
    """The cropped clips that cover a video, decoded as they are read.

    Frames are decoded in chunks of `clip_length` (short side 256), so at
    most two clips' frames are held at once, however long the video. The
    clips are consecutive; the last one ends at the video's last frame
    (overlapping the one before) so that every clip has `clip_length`
    frames, unless the whole video is shorter.

    Args:
        path: a video file, GIF or folder of frames.
        stream: `"rgb"` or `"two_stream"` (RGB and TV-L1 flow of the same
            frames, flow frame `t` being the motion from frame `t` to
            `t + 1`, as `keras_i3d.data.load_video_clips` computes it).
        clip_length: frames per clip.
        num_frames: read at most this many frames (None: all).
        flow_method: `"tvl1"` or `"farneback"`, for `"two_stream"`.
        fps: the frame rate to resample to.
        profile: an `InferenceProfile` to add the decoding time to.

    Returns:
        A generator of `(rgb, flow, new_frames)` per clip: uint8 `(T, 224, 224, 3)`,
        float32 `(T, 224, 224, 2)` flow in pixels (None for `"rgb"`), and
        how many of its frames no earlier clip had.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded (now if
            it cannot be opened, else while reading).
        ValueError: the resized frames are smaller than the crop (while
            reading).
    """
    from keras_i3d.conventions import RESIZE_SHORT_SIDE
    from keras_i3d.video import open_video

    with_flow = stream == "two_stream"
    # Flow of a clip's last frame needs the next frame: one more is read.
    extra = 1 if with_flow and num_frames is not None else 0
    limit = None if num_frames is None else num_frames + extra
    # Opened now, so that a missing or unreadable file fails here.
    video = open_video(path, fps=fps, num_frames=limit, short_side=RESIZE_SHORT_SIDE)
    return _clips_of(video, with_flow, clip_length, num_frames, flow_method, profile)


def _clips_of(video, with_flow, clip_length, num_frames, flow_method, profile):
    """The generator of `stream_clips`."""
    profile = profile or InferenceProfile()
    started = time.perf_counter()
    with video:
        previous = pending = None
        read = 0
        for chunk in video.chunks(clip_length):
            read += len(chunk)
            if pending is not None:
                clip = _crop_clip(pending, chunk[:1], with_flow, flow_method, video.path)
                profile.add("decode", time.perf_counter() - started)
                yield clip + (len(pending),)
                started = time.perf_counter()
                previous = pending
            pending = chunk
        following = None
        if num_frames is not None and read > num_frames:
            # The extra frame read for flow is not part of any clip.
            pending, following = pending[:-1], pending[-1:]
            if not len(pending):
                return
        new_frames = len(pending)
        if previous is not None and new_frames < clip_length:
            pending = np.concatenate([previous[new_frames - clip_length :], pending])
        clip = _crop_clip(pending, following, with_flow, flow_method, video.path)
        profile.add("decode", time.perf_counter() - started)
        yield clip + (new_frames,)


def _crop_clip(frames, following, with_flow, flow_method, path):
    """`(rgb, flow)` of resized frames: flow first, then the centre crop."""
    from keras_i3d.flow.methods import compute_flow

    rgb = _center_crop(frames, path)
    flow = None
    if with_flow:
        frames_for_flow = frames if following is None else np.concatenate([frames, following])
        flow = compute_flow(frames_for_flow, flow_method=flow_method, name=path)
        flow = _center_crop(flow[: len(frames)], path)
    return rgb, flow


def _center_crop(frames, path):
    """The central `CROP_SIZE` square of every frame, in numpy (the crop of
    `keras_i3d.data.transforms.center_crop`, without TensorFlow)."""
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.conventions import center_crop_offsets

    height, width = frames.shape[1:3]
    if height < CROP_SIZE or width < CROP_SIZE:
        raise ValueError(
            f"{path}: The clip is smaller than the {CROP_SIZE}x{CROP_SIZE} crop. "
            f"Received: frames of {height}x{width} pixels"
        )
    top, left = center_crop_offsets(height, width)
    return np.ascontiguousarray(frames[:, top : top + CROP_SIZE, left : left + CROP_SIZE])


class _DecodedAhead:
    """Runs `clips` (a generator) in a thread, `depth` clips ahead.

    Decoding (OpenCV, TensorFlow's resize) releases the GIL, so it overlaps
    building the model and running it; the bounded queue keeps memory at
    `depth + 2` clips. The thread starts at once, so that decoding overlaps
    building the model; an exception in it is raised by `next`. `close()`
    stops the thread (call it, e.g. with `contextlib.closing`).
    """

    _DONE = object()

    def __init__(self, clips, depth=_CLIPS_DECODED_AHEAD):
        self._clips = clips
        self._ready = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="keras-i3d-decode", daemon=True)
        self._thread.start()

    def _put(self, item):
        """Queues `item` unless stopped; returns whether it was queued."""
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self):
        try:
            for clip in self._clips:
                if not self._put(clip):
                    return
            item = self._DONE
        except BaseException as error:  # Raised again by `__next__`.
            item = error
        self._put(item)

    def __iter__(self):
        return self

    def __next__(self):
        if self._stop.is_set():
            raise StopIteration
        item = self._ready.get()
        if item is self._DONE:
            self._stop.set()
            raise StopIteration
        if isinstance(item, BaseException):
            self._stop.set()
            raise item
        return item

    def close(self):
        """Stops the thread and releases the video."""
        self._stop.set()
        self._thread.join()
        self._clips.close()


def _whole_video_clip(path, stream, num_frames, flow_method):
    """A generator of the one clip of `clip_length=None`, decoded now;
    refused beyond `MAX_WHOLE_VIDEO_FRAMES`."""
    if num_frames is not None and num_frames <= MAX_WHOLE_VIDEO_FRAMES:
        read = num_frames
    else:
        # One frame past the limit tells a video that is too long.
        read = MAX_WHOLE_VIDEO_FRAMES + 1
    clips = stream_clips(path, stream, read, read, flow_method)
    with contextlib.closing(clips):
        clip = next(clips)
    if len(clip[0]) > MAX_WHOLE_VIDEO_FRAMES:
        raise VideoTooLongError(
            f"{path}: has more than {MAX_WHOLE_VIDEO_FRAMES} frames at "
            f"{TARGET_FPS:g} fps; the whole video in one pass (clip_length=None, "
            "--whole-video) holds every frame and the network's activations "
            f"(about {WHOLE_VIDEO_MB_PER_FRAME} MB per frame), so it is limited to "
            f"{MAX_WHOLE_VIDEO_FRAMES} frames. Classify it in clips (the default) or "
            f"read fewer frames (num_frames, --max-frames). Received: num_frames={num_frames}"
        )
    return (whole for whole in [clip])


def classify_video(
    path,
    *,
    stream="rgb",
    weights="kinetics400",
    flow_weights="kinetics400",
    num_frames=None,
    clip_length=PREDICT_CLIP_LENGTH,
    top=DEFAULT_TOP_K,
    model=None,
    fused=True,
    precision="float32",
    flow_method=DEFAULT_FLOW_METHOD,
    profile=None,
    model_cache=True,
    engine="tensorflow",
):
    """Classifies a video with the RGB or the two-stream I3D.

    The video is decoded at 25 fps, its short side resized to 256, centre
    cropped to 224 and scaled to `[-1, 1]`. It is cut into clips of
    `clip_length` frames (250, a Kinetics clip: a Kinetics video is one
    clip, run whole as in DeepMind's `evaluate_sample.py`); a longer video
    is covered by consecutive clips whose logits are averaged, decoded while
    the model runs, so memory does not grow with the video's length. With
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
        clip_length: frames per clip; None runs the whole video in one pass
            (fully convolutional in time), refused beyond
            `MAX_WHOLE_VIDEO_FRAMES` (500) frames.
        top: how many classes to return.
        model: a model to reuse across videos: for `"rgb"` one returning
            logits (`rgb_logits_model`, or an `OnnxRuntimeClassifier` of
            `keras_i3d.tasks.onnx_classifier.onnx_runtime_classifier`), for
            `"two_stream"` one returning `"rgb_logits"` and `"flow_logits"`
            (`two_stream_logits_model`).
        fused: run the fused graph of the RGB I3D or of both streams (the
            default; float32 logits within 1e-4 of the reference graph's)
            or, with False, the reference graph.
        precision: `"float32"` or, on request, `"mixed_bfloat16"` (the fused
            graph in bfloat16, see `rgb_logits_model` and
            `two_stream_logits_model`).
        flow_method: `"tvl1"` (what flow checkpoints are trained on) or
            `"farneback"` (a fast approximation), for `"two_stream"`.
        profile: an `InferenceProfile` to time the phases in, or None.
        model_cache: load the graph from the model cache when it was built
            before (see `rgb_logits_model`; for two streams each stream's;
            the RGB bfloat16 graph, whose clip length is fixed into it, is
            built each time); False: build it.
        engine: `"tensorflow"`, or `"onnxruntime"` to run the fused float32
            RGB I3D on ONNX Runtime (converted to ONNX with TensorFlow the
            first time, then loaded from the model cache; logits within
            1e-4 of the reference graph's; implied by an
            `OnnxRuntimeClassifier` `model`). On ONNX Runtime nothing imports
            TensorFlow, which saves its 2.5 s import in a new process; a
            250-frame clip took 5.1-5.3 s there against TensorFlow's
            4.8-5.0 s on this project's CPU (docs/inference.md).

    Returns:
        A `VideoPrediction`.

    Raises:
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        ClipTooShortError: the video has fewer than 9 frames.
        keras_i3d.flow.FlowError: two streams of a single-frame video.
        ValueError: a bad argument, unknown weights, or a whole video
            longer than `MAX_WHOLE_VIDEO_FRAMES`.
        keras_i3d.tasks.onnx_classifier.OnnxRuntimeUnavailableError:
            `engine="onnxruntime"` without onnxruntime installed.
    """
    from keras_i3d.tasks.onnx_classifier import OnnxRuntimeClassifier

    if stream not in CLASSIFY_STREAMS:
        raise ValueError(f"`stream` must be one of {CLASSIFY_STREAMS}. Received: stream={stream!r}")
    if isinstance(model, OnnxRuntimeClassifier):
        engine = "onnxruntime"
    check_engine(engine, stream, fused, precision)
    if not isinstance(top, int) or top < 1:
        raise ValueError(f"`top` must be a positive int. Received: top={top!r}")
    if clip_length is not None and (
        not isinstance(clip_length, int) or clip_length < MIN_FRAMES_FOR_LOGITS
    ):
        raise ValueError(
            f"`clip_length` must be None or an int of at least {MIN_FRAMES_FOR_LOGITS} (the "
            f"frames I3D's head needs). Received: clip_length={clip_length!r}"
        )
    profile = profile or InferenceProfile()
    if stream == "two_stream" and model is None:
        # Built first: a weights error must not wait for minutes of TV-L1.
        with profile.phase("build + load weights"):
            model = two_stream_logits_model(weights, flow_weights, fused, precision, model_cache)
    if clip_length is None:
        with profile.phase("decode"):
            clips = _whole_video_clip(path, stream, num_frames, flow_method)
    else:
        clips = _DecodedAhead(
            stream_clips(path, stream, clip_length, num_frames, flow_method, profile=profile)
        )
    clip_logits, frames_covered = [], 0
    with contextlib.closing(clips):
        if model is None and engine == "onnxruntime":
            # Loaded (or converted) while the thread decodes the first clip.
            model = onnx_logits_model(weights, profile, model_cache)
        elif model is None and precision == "float32":
            # Built while the thread decodes the first clip.
            model = rgb_logits_model(weights, fused=fused, profile=profile, model_cache=model_cache)
        clip = _next_clip(clips, profile)
        if clip is None or len(clip[0]) < MIN_FRAMES_FOR_LOGITS:
            raise ClipTooShortError(
                f"{path}: {0 if clip is None else len(clip[0])} frame(s) at {TARGET_FPS:g} fps; "
                f"I3D needs at least {MIN_FRAMES_FOR_LOGITS} frames to classify a clip."
            )
        clip_size = len(clip[0])
        if model is None:
            # bfloat16 fixes the clip length into the model, for its
            # space-to-depth stem.
            model = rgb_logits_model(
                weights, clip_length=clip_size, precision=precision, profile=profile
            )
        while clip is not None:
            rgb, flow, new_frames = clip
            with profile.phase("model"):
                clip_logits.append(_clip_logits(model, stream, rgb, flow))
            frames_covered += new_frames
            clip = _next_clip(clips, profile)
    with profile.phase("rank"):
        # The mean over clips, as the head's mean over time within a clip.
        ranked = rank_logits(np.mean(clip_logits, axis=0), top)
    return VideoPrediction(
        video=str(path),
        num_frames=frames_covered,
        fps=TARGET_FPS,
        stream=stream,
        top=ranked,
        mode="whole_video" if clip_length is None else "clips",
        num_clips=len(clip_logits),
        clip_length=clip_size,
    )


def check_engine(engine, stream="rgb", fused=True, precision="float32"):
    """Raises ValueError unless `engine` is in `ENGINES` and can run this.

    ONNX Runtime runs the fused float32 RGB I3D only (checked without
    importing TensorFlow).
    """
    if engine not in ENGINES:
        raise ValueError(f"`engine` must be one of {ENGINES}. Received: engine={engine!r}")
    if engine == "onnxruntime":
        unsupported = onnxruntime_unsupported(stream, fused, precision)
        if unsupported is not None:
            name, value = unsupported
            raise ValueError(
                f'engine="onnxruntime" runs the fused float32 RGB I3D only; use '
                f'engine="tensorflow" for {name}={value!r}.'
            )
        return
    from keras_i3d.models.fused import check_inference_precision

    check_inference_precision(precision, fused)


def onnxruntime_unsupported(stream="rgb", fused=True, precision="float32"):
    """The first setting ONNX Runtime cannot run, as `(name, value)`, or None.

    It runs the fused float32 RGB I3D only.
    """
    for name, value, supported in (
        ("stream", stream, "rgb"),
        ("fused", fused, True),
        ("precision", precision, "float32"),
    ):
        if value != supported:
            return name, value
    return None


def onnx_logits_model(weights="kinetics400", profile=None, model_cache=True):
    """The fused float32 RGB I3D on ONNX Runtime, for `classify_video`.

    See `keras_i3d.tasks.onnx_classifier.onnx_runtime_classifier`; the time
    to load it (or to convert it, the first time) goes into `profile`.
    """
    from keras_i3d.tasks.onnx_classifier import onnx_runtime_classifier

    profile = profile or InferenceProfile()
    started = time.perf_counter()
    classifier, origin = onnx_runtime_classifier(weights, "rgb", model_cache=model_cache)
    phase = "load ONNX graph" if origin == "loaded" else "convert to ONNX (once)"
    profile.add(phase, time.perf_counter() - started)
    return classifier


def _next_clip(clips, profile):
    """The next clip of `clips`, or None; the wait is profiled."""
    with profile.phase("wait for frames"):
        return next(clips, None)


def _clip_logits(model, stream, rgb, flow):
    """The `(classes,)` float64 logits of one clip (for two streams, summed)."""
    from keras_i3d.preprocessing import preprocess_input
    from keras_i3d.tasks.onnx_classifier import OnnxRuntimeClassifier

    if isinstance(model, OnnxRuntimeClassifier):
        if stream != "rgb":
            raise ValueError("An OnnxRuntimeClassifier `model` runs the RGB stream only.")
        return np.asarray(model.logits(rgb[None]), np.float64)[0]
    rgb = preprocess_input(rgb[None], stream="rgb")
    if stream == "rgb":
        return np.asarray(model(rgb, training=False), np.float64)[0]
    outputs = model.predict_on_batch([rgb, preprocess_input(flow[None], stream="flow")])
    if not isinstance(outputs, dict) or not {"rgb_logits", "flow_logits"} <= set(outputs):
        raise ValueError(
            "A two-stream `model` must return a dict with 'rgb_logits' "
            "and 'flow_logits' (see `two_stream_logits_model`). "
            f"Received: outputs of type {type(outputs).__name__}"
        )
    # DeepMind's fusion: the streams' logits, added with equal weights.
    joint = np.asarray(outputs["rgb_logits"], np.float64) + np.asarray(outputs["flow_logits"])
    return joint[0]
