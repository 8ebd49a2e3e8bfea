"""What a feature extraction computes, in one place.

`FeatureSettings` holds every choice that changes the numbers (window,
stride, layout, fps, resize, crops, pooling, streams, ...); the presets
(`keras_i3d.tasks.features.presets`) are named `FeatureSettings`, the
sidecar records `describe()`, and `VideoWindows` turns a video into the
windows the settings ask for.
"""

import dataclasses

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.flow.methods import check_flow_method
from keras_i3d.tasks.features.crops import check_crops
from keras_i3d.tasks.features.extract import window_inputs
from keras_i3d.tasks.features.frames import DEFAULT_CHUNK_SIZE
from keras_i3d.tasks.features.frames import check_resize
from keras_i3d.tasks.features.frames import cropped_inputs
from keras_i3d.tasks.features.frames import resized_chunks
from keras_i3d.tasks.features.models import check_pooling
from keras_i3d.tasks.features.windows import DEFAULT_ENDPOINT
from keras_i3d.tasks.features.windows import DEFAULT_STRIDE
from keras_i3d.tasks.features.windows import DEFAULT_WINDOW
from keras_i3d.tasks.features.windows import PADDINGS
from keras_i3d.tasks.features.windows import CentredWindows
from keras_i3d.tasks.features.windows import SlidingWindows
from keras_i3d.tasks.features.windows import check_window

LAYOUTS = ("sliding", "centred")


@dataclasses.dataclass(frozen=True)
class FeatureSettings:
    """Every choice that changes the features.

    Attributes:
        streams: `("rgb",)`, `("flow",)` or `("rgb", "flow")`.
        endpoint: the I3D endpoint (`"Mixed_5c"`, ..., `"Logits"`).
        pooling: `keras_i3d.tasks.features.models.POOLINGS`.
        window: frames per window.
        stride: frames between window starts (sliding layout).
        layout: `"sliding"` (a row per window) or `"centred"` (a row per
            frame, from the window centred on it).
        pad: how centred windows are padded past the ends: `"edge"` or
            `"zero"`.
        loop_short: whether a video shorter than a window gives one looped
            row (True) or none (False).
        fps: the sampling rate; None keeps each file's own ("native").
        folder_fps: the frame rate of image folders.
        short_side: the short side frames are resized to.
        resize: `"tf_bilinear"` or `"pil_bilinear"`.
        crop_size: the side of the crops.
        crops: 1 (centre) or 10 (corners and centre, and their flips).
        crop_reduce: `"mean"` over the ten crops, or `"keep"` them.
        flow_method: the optical flow algorithm.
        concat_streams: write RGB and flow side by side in one
            `<video_id>.npy` (2048-d for Mixed_5c) instead of one file per
            stream.
        chunk_size: frames decoded at a time.
    """

    streams: tuple = ("rgb",)
    endpoint: str = DEFAULT_ENDPOINT
    pooling: str = "avg"
    window: int = DEFAULT_WINDOW
    stride: int = DEFAULT_STRIDE
    layout: str = "sliding"
    pad: str = "edge"
    loop_short: bool = True
    fps: float = TARGET_FPS
    folder_fps: float = TARGET_FPS
    short_side: int = RESIZE_SHORT_SIDE
    resize: str = "tf_bilinear"
    crop_size: int = CROP_SIZE
    crops: int = 1
    crop_reduce: str = "mean"
    flow_method: str = DEFAULT_FLOW_METHOD
    concat_streams: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE

    def __post_init__(self):
        if not self.streams or set(self.streams) - {"rgb", "flow"}:
            raise ValueError(
                f"`streams` must hold 'rgb' and/or 'flow'. Received: streams={self.streams!r}"
            )
        check_window(self.window, self.stride, self.endpoint)
        check_pooling(self.pooling, self.endpoint)
        if self.layout not in LAYOUTS:
            raise ValueError(f"`layout` must be one of {LAYOUTS}. Received: layout={self.layout!r}")
        if self.pad not in PADDINGS:
            raise ValueError(f"`pad` must be one of {PADDINGS}. Received: pad={self.pad!r}")
        check_resize(self.resize)
        check_crops(self.crops, self.crop_reduce)
        check_flow_method(self.flow_method)
        if self.short_side < self.crop_size:
            raise ValueError(
                f"`short_side` ({self.short_side}) must be at least `crop_size` "
                f"({self.crop_size}). Received: short_side={self.short_side}"
            )
        if self.concat_streams and len(self.streams) != 2:
            raise ValueError(
                "`concat_streams` joins the RGB and flow features; it needs both "
                f"streams. Received: streams={self.streams!r}"
            )

    def plan(self):
        """A fresh window plan for one video."""
        if self.layout == "centred":
            return CentredWindows(self.window, self.pad)
        return SlidingWindows(self.window, self.stride, self.loop_short)

    def describe(self):
        """The settings as the sidecar records them (JSON-able)."""
        described = dataclasses.asdict(self)
        described["streams"] = list(self.streams)
        # The sidecar's `fps` is the rate the rows are counted in; this
        # says whether it was asked for or is the file's own.
        described["fps_mode"] = "native" if self.fps is None else "resampled"
        del described["fps"]
        if self.layout == "centred":
            described["stride"] = 1
        del described["chunk_size"]  # how, not what
        return described


class VideoWindows:
    """The windows of one video, decoded as they are iterated.

    Iterating yields `(WindowRow, {stream: inputs})` (see
    `keras_i3d.tasks.features.extract.window_inputs`); once it has started,
    `fps` and `source_fps` hold the sampling and file rates.
    """

    def __init__(self, path, settings):
        self.path = path
        self.settings = settings
        self.fps = None
        self.source_fps = None

    def __iter__(self):
        settings = self.settings
        stream, chunks = resized_chunks(
            self.path,
            fps=settings.fps,
            folder_fps=settings.folder_fps,
            short_side=settings.short_side,
            resize=settings.resize,
            chunk_size=settings.chunk_size,
        )
        self.fps, self.source_fps = stream.fps, stream.source_fps
        with stream:
            inputs = cropped_inputs(
                chunks,
                settings.streams,
                settings.crop_size,
                settings.crops,
                settings.flow_method,
                name=str(self.path),
            )
            yield from window_inputs(inputs, settings.plan(), settings.window)
