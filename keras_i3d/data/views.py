"""What each architecture sees of a video: its input view.

The paper's five architectures look at a video in different ways (Table 1
and Section 2 of Carreira & Zisserman, CVPR 2017):

| architecture  | training input                      | test input                 |
|---------------|-------------------------------------|----------------------------|
| ConvNet+LSTM  | 25 RGB frames, every 5th            | 50 RGB frames, every 5th   |
| 3D-ConvNet    | 16 consecutive RGB frames, 112 px   | 15 clips of 16 (240 frames)|
| Two-Stream 2D | 1 RGB frame + 10 stacked flow       | 25 such snapshots, 10 apart|
| 3D-Fused      | 5 RGB frames 10 apart + their flow  | 5 such windows (250 frames)|
| I3D           | 64 consecutive RGB and/or flow      | 250 frames (the whole clip)|

An `InputView` describes one row's input as offsets into a window of
consecutive frames: `steps` time steps `spacing` frames apart; at every step
one RGB frame and/or a stack of `flow_stack` consecutive flow frames. The
pipelines (`keras_i3d.data.video_dataset(view=...)`) sample the window like
a clip (random, uniform or whole video, looped when the video is short),
decode it once, pick the view's frames, crop and flip them together, and
stack the flow on the channel axis
(`keras_i3d.preprocessing.stack_flow_steps`).

```
window  (span frames)  |0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 ...|
steps=3, spacing=5      ^         ^              ^               RGB
flow_stack=2            ^ ^       ^ ^            ^  ^            flow
```

`PAPER_INPUTS` holds the paper's views per architecture.
"""

import dataclasses
import math

import numpy as np

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import FLOW_CHANNELS
from keras_i3d.conventions import FLOW_STACK_FRAMES
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import RGB_CHANNELS
from keras_i3d.data.clips import check_pipeline_stream


@dataclasses.dataclass(frozen=True)
class InputView:
    """The frames of a window that one model input is made of.

    Args:
        steps: time steps of the input (the model's `T` axis).
        spacing: frames between two steps (1: consecutive frames).
        rgb: whether the view has an RGB input (one frame per step).
        flow_stack: flow frames per step, stacked on the channel axis
            (x/y interleaved); 0 for no flow input. I3D's flow stream is
            `flow_stack=1`: one 2-channel flow frame per step.

    Example:

    >>> view = InputView(steps=25, spacing=5)  # ConvNet+LSTM training
    >>> view.span, view.stream
    (121, 'rgb')
    >>> InputView(steps=1, flow_stack=10).input_shapes(224)
    ((1, 224, 224, 3), (1, 224, 224, 20))
    """

    steps: int
    spacing: int = 1
    rgb: bool = True
    flow_stack: int = 0

    def __post_init__(self):
        for field in ("steps", "spacing"):
            value = getattr(self, field)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"`{field}` must be a positive int. Received: {field}={value!r}")
        if not isinstance(self.flow_stack, (int, np.integer)) or self.flow_stack < 0:
            raise ValueError(
                "`flow_stack` must be an int >= 0 (0: no flow input). "
                f"Received: flow_stack={self.flow_stack!r}"
            )
        if not self.rgb and not self.flow_stack:
            raise ValueError(
                "An input view needs RGB, flow or both. Received: rgb=False, flow_stack=0"
            )

    @classmethod
    def consecutive(cls, stream, frames):
        """The view of an I3D stream: `frames` consecutive frames.

        Args:
            stream: `"rgb"`, `"flow"` or `"two_stream"`.
            frames: frames per clip.
        """
        check_pipeline_stream(stream)
        return cls(
            steps=frames,
            rgb=stream != "flow",
            flow_stack=0 if stream == "rgb" else 1,
        )

    @property
    def stream(self):
        """`"rgb"`, `"flow"` or `"two_stream"`: the streams to decode."""
        if self.rgb and self.flow_stack:
            return "two_stream"
        return "rgb" if self.rgb else "flow"

    @property
    def span(self):
        """Consecutive video frames one sample covers."""
        return (self.steps - 1) * self.spacing + max(1, self.flow_stack)

    def steps_in(self, window_length):
        """Steps that fit a window of `window_length` frames (at least
        `steps`; more when a whole video is read)."""
        fitting = (window_length - max(1, self.flow_stack)) // self.spacing + 1
        return max(self.steps, fitting)

    def rgb_offsets(self, window_length):
        """Offsets of the RGB frames in a window, `(steps,)`."""
        return np.arange(self.steps_in(window_length)) * self.spacing

    def flow_offsets(self, window_length):
        """Offsets of the flow frames in a window, `(steps * flow_stack,)`,
        step by step."""
        starts = self.rgb_offsets(window_length)
        return (starts[:, None] + np.arange(self.flow_stack)).reshape(-1)

    def select(self, clips):
        """Picks the view's frames from decoded windows.

        Args:
            clips: a dict with `"rgb"` `(num_clips, span, H, W, 3)` and/or
                `"flow"` `(num_clips, span, H, W, 2)` (as `load_clips`
                returns for `span` frames; longer for whole videos).

        Returns:
            The same keys: `"rgb"` `(num_clips, steps, H, W, 3)`, `"flow"`
            `(num_clips, steps * flow_stack, H, W, 2)`, not yet stacked.
        """
        selected = {}
        if self.rgb:
            rgb = clips["rgb"]
            selected["rgb"] = take_frames(rgb, self.rgb_offsets(rgb.shape[1]))
        if self.flow_stack:
            flow = clips["flow"]
            selected["flow"] = take_frames(flow, self.flow_offsets(flow.shape[1]))
        return selected

    def input_shapes(self, crop_size=CROP_SIZE, any_steps=False):
        """The model input shapes, `(rgb_shape, flow_shape)` or one of them.

        Args:
            crop_size: the frames' height and width.
            any_steps: whether the steps are None (any number), for models
                tested on longer views than they are trained on.
        """
        steps = None if any_steps else self.steps
        shapes = []
        if self.rgb:
            shapes.append((steps, crop_size, crop_size, RGB_CHANNELS))
        if self.flow_stack:
            shapes.append((steps, crop_size, crop_size, FLOW_CHANNELS * self.flow_stack))
        return tuple(shapes) if len(shapes) == 2 else shapes[0]

    def scaled(self, time_scale):
        """This view for a run `time_scale` times shorter in time.

        The flow stacks get `time_scale` times fewer frames; the span then
        shrinks about `time_scale` times in one of two ways. A view whose
        flow stacks tile the window (`spacing == flow_stack`, 3D-Fused's
        snapshots) keeps its steps and spaces them by the new stack, so
        the stacks still tile it; any other view keeps its spacing and
        gets `time_scale` times fewer steps. Counts are rounded up, so
        every one stays at least 1.

        Args:
            time_scale: the divisor of the frame counts, >= 1.

        Returns:
            An `InputView`.

        Example:

        >>> InputView(steps=25, spacing=5).scaled(4)  # ConvNet+LSTM
        InputView(steps=7, spacing=5, rgb=True, flow_stack=0)
        >>> InputView(steps=5, spacing=10, flow_stack=10).scaled(4)
        InputView(steps=5, spacing=3, rgb=True, flow_stack=3)
        """
        if (
            isinstance(time_scale, bool)
            or not isinstance(time_scale, (int, float, np.integer, np.floating))
            or not (time_scale >= 1)
        ):
            raise ValueError(
                f"`time_scale` must be a number >= 1. Received: time_scale={time_scale!r}"
            )

        def shorter(frames):
            return max(1, math.ceil(frames / time_scale))

        flow_stack = shorter(self.flow_stack) if self.flow_stack else 0
        if self.flow_stack > 1 and self.spacing == self.flow_stack:
            steps, spacing = self.steps, flow_stack
        else:
            steps, spacing = shorter(self.steps), self.spacing
        return InputView(steps, spacing=spacing, rgb=self.rgb, flow_stack=flow_stack)

    def describe(self):
        """A short text, e.g. `"25 RGB frames, every 5th"`."""
        parts = []
        every = f", every {ordinal(self.spacing)}" if self.spacing > 1 and self.steps > 1 else ""
        if self.rgb:
            noun = "frame" if self.steps == 1 else "frames"
            parts.append(f"{self.steps} RGB {noun}{every}")
        if self.flow_stack:
            if self.flow_stack == 1:
                parts.append(f"{self.steps} flow frames{every}")
            else:
                times = "" if self.steps == 1 else f"{self.steps} x "
                parts.append(
                    f"{times}{self.flow_stack} stacked flow frames" + ("" if self.rgb else every)
                )
        return " + ".join(parts)


def take_frames(clips, offsets):
    """`clips[:, offsets]` without a copy where the offsets allow it.

    Evenly spaced offsets from 0 (consecutive frames, every n-th frame, or
    stacks that tile the window) are a basic slice: the clips themselves
    when every frame is taken, otherwise a strided view of them. Other
    offsets (stacks with gaps between them) are gathered into a new array.

    Args:
        clips: `(num_clips, length, H, W, C)` array.
        offsets: 1-D int array of frame offsets, each `< length`.

    Returns:
        `(num_clips, len(offsets), H, W, C)`, possibly a view of `clips`.
    """
    count = len(offsets)
    spacing = int(offsets[1] - offsets[0]) if count > 1 else 1
    evenly_spaced = spacing > 0 and np.array_equal(offsets, np.arange(count) * spacing)
    if not evenly_spaced:
        return clips[:, offsets]
    if spacing == 1 and count == clips.shape[1]:
        return clips
    return clips[:, : (count - 1) * spacing + 1 : spacing]


def ordinal(number):
    """`5` -> `"5th"`, `2` -> `"2nd"`."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclasses.dataclass(frozen=True)
class PaperInput:
    """An architecture's inputs in the paper (Table 1, Section 2).

    Args:
        train: the training `InputView`.
        test: the test `InputView`.
        test_clips: windows of the test view per video, spread evenly
            (their scores are averaged).
        crop_size: the frames' side in pixels.
        short_side: the short side frames are resized to before cropping.
    """

    train: InputView
    test: InputView
    test_clips: int = 1
    crop_size: int = CROP_SIZE
    short_side: int = RESIZE_SHORT_SIDE

    def scaled(self, time_scale, crop_size=CROP_SIZE):
        """These inputs for a smaller run: shorter in time, smaller frames.

        Args:
            time_scale: divides the frame counts (see `InputView.scaled`).
            crop_size: what the paper's 224-pixel crops become; other crop
                and short sides are scaled in proportion (C3D's 112 of
                224 becomes `crop_size / 2`).

        Returns:
            A `PaperInput`.

        Example:

        >>> small = PAPER_INPUTS["c3d"].scaled(4, crop_size=32)
        >>> small.train.steps, small.crop_size, small.short_side
        (4, 16, 18)
        """
        if not isinstance(crop_size, (int, np.integer)) or crop_size < 1:
            raise ValueError(
                f"`crop_size` must be a positive int. Received: crop_size={crop_size!r}"
            )

        def smaller(side):
            return max(1, round(side * crop_size / CROP_SIZE))

        return dataclasses.replace(
            self,
            train=self.train.scaled(time_scale),
            test=self.test.scaled(time_scale),
            crop_size=smaller(self.crop_size),
            short_side=smaller(self.short_side),
        )

    @property
    def test_frames(self):
        """Video frames (25 fps) the test input covers, Table 1's count."""
        return self.test.span * self.test_clips


_TWO_STREAM_SNAPSHOT = dict(flow_stack=FLOW_STACK_FRAMES)
# 3D-Fused: "5 consecutive RGB frames sampled 10 frames apart, as well as
# the corresponding optical flow snippets".
_FUSED_WINDOW = InputView(steps=5, spacing=10, flow_stack=FLOW_STACK_FRAMES)

PAPER_INPUTS = {
    "convnet_lstm": PaperInput(
        train=InputView(steps=25, spacing=5),
        test=InputView(steps=50, spacing=5),
    ),
    "c3d": PaperInput(
        train=InputView(steps=16),
        test=InputView(steps=16),
        test_clips=15,
        crop_size=112,
        # C3D's frames: 128 x 171, cropped to 112 x 112 (Tran et al. 2015).
        short_side=128,
    ),
    "two_stream_2d": PaperInput(
        train=InputView(steps=1, **_TWO_STREAM_SNAPSHOT),
        test=InputView(steps=25, spacing=10, **_TWO_STREAM_SNAPSHOT),
    ),
    "fused_two_stream_3d": PaperInput(
        train=_FUSED_WINDOW,
        test=_FUSED_WINDOW,
        test_clips=5,
    ),
    "i3d_rgb": PaperInput(
        train=InputView.consecutive("rgb", 64),
        test=InputView.consecutive("rgb", 250),
    ),
    "i3d_flow": PaperInput(
        train=InputView.consecutive("flow", 64),
        test=InputView.consecutive("flow", 250),
    ),
    "two_stream_i3d": PaperInput(
        train=InputView.consecutive("two_stream", 64),
        test=InputView.consecutive("two_stream", 250),
    ),
}


def paper_input(architecture):
    """The `PaperInput` of `architecture` (a key of `PAPER_INPUTS`)."""
    if architecture not in PAPER_INPUTS:
        raise ValueError(
            f"`architecture` must be one of {tuple(PAPER_INPUTS)}. "
            f"Received: architecture={architecture!r}"
        )
    return PAPER_INPUTS[architecture]
