import cv2
import numpy as np
import pytest

from keras_i3d.data import VideoSample
from keras_i3d.data import video_dataset
from keras_i3d.data.views import PAPER_INPUTS
from keras_i3d.data.views import InputView
from keras_i3d.data.views import paper_input

SIZE = 16
FRAMES = 60


@pytest.fixture(scope="module")
def numbered_video(tmp_path_factory):
    """An image-folder video whose frame `t` is filled with the value `4 t`,
    and flow whose x is `t / 4` pixels and y is `-t / 4`: every frame a
    pipeline picks tells its index."""
    folder = tmp_path_factory.mktemp("numbered")
    for index in range(FRAMES):
        frame = np.full((SIZE, SIZE, 3), 4 * index, np.uint8)
        cv2.imwrite(str(folder / f"img_{index + 1:05d}.png"), frame)
    flow = np.zeros((FRAMES, SIZE, SIZE, 2), np.float32)
    flow[..., 0] = np.arange(FRAMES)[:, None, None] / 4
    flow[..., 1] = -np.arange(FRAMES)[:, None, None] / 4
    return str(folder), flow


def rgb_index(clip):
    """The frame index of every time step of an unscaled RGB clip."""
    return (np.asarray(clip)[..., 0].mean(axis=(-2, -1)) / 4).round().astype(int)


def view_dataset(numbered_video, view, **kwargs):
    path, flow = numbered_video
    options = dict(
        short_side=None, crop_size=SIZE, scale=False, flow_reader=lambda _: flow, sampling="uniform"
    )
    options.update(kwargs)
    return video_dataset([VideoSample(path, 3, flow_path="flow")], view=view, **options)


def test_view_geometry():
    view = InputView(steps=3, spacing=5, flow_stack=2)
    assert view.span == 12 and view.stream == "two_stream"
    np.testing.assert_array_equal(view.rgb_offsets(12), [0, 5, 10])
    np.testing.assert_array_equal(view.flow_offsets(12), [0, 1, 5, 6, 10, 11])
    # A whole video (longer window) gets every step that fits.
    np.testing.assert_array_equal(view.rgb_offsets(18), [0, 5, 10, 15])
    assert view.input_shapes(32) == ((3, 32, 32, 3), (3, 32, 32, 4))
    assert view.input_shapes(32, any_steps=True) == ((None, 32, 32, 3), (None, 32, 32, 4))
    assert InputView(25, 5).input_shapes(any_steps=True) == (None, 224, 224, 3)
    assert InputView.consecutive("flow", 64) == InputView(64, rgb=False, flow_stack=1)
    assert InputView(25, 5).describe() == "25 RGB frames, every 5th"


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(steps=0), "steps"),
        (dict(steps=4, spacing=0), "spacing"),
        (dict(steps=4, flow_stack=-1), "flow_stack"),
        (dict(steps=4, rgb=False), "RGB, flow or both"),
    ],
)
def test_bad_views_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        InputView(**arguments)


def test_paper_inputs_match_table_1():
    # Table 1, "# Input Frames" train / test (RGB frames; flow frames).
    expected = {
        "convnet_lstm": (25, None, 50, None),
        "c3d": (16, None, 240, None),
        "two_stream_2d": (1, 10, 25, 250),
        "fused_two_stream_3d": (5, 50, 25, 250),
        "two_stream_i3d": (64, 64, 250, 250),
    }
    for architecture, (train_rgb, train_flow, test_rgb, test_flow) in expected.items():
        inputs = paper_input(architecture)
        assert inputs.train.steps == train_rgb, architecture
        assert inputs.test.steps * inputs.test_clips == test_rgb, architecture
        if train_flow is not None:
            assert inputs.train.steps * inputs.train.flow_stack == train_flow
            assert (inputs.test.steps * inputs.test.flow_stack * inputs.test_clips) == test_flow
    # Temporal footprints at 25 fps: LSTM 5 s / 10 s, C3D 0.64 s / 9.6 s.
    assert PAPER_INPUTS["convnet_lstm"].train.span == 121
    assert PAPER_INPUTS["c3d"].train.span == 16
    assert PAPER_INPUTS["c3d"].test_frames == 240
    assert PAPER_INPUTS["two_stream_2d"].test_frames == 250
    assert PAPER_INPUTS["c3d"].crop_size == 112
    with pytest.raises(ValueError, match="architecture"):
        paper_input("resnet")


def test_pipeline_picks_every_fifth_frame(numbered_video):
    view = InputView(steps=5, spacing=5)  # span 21, centred in 60 frames
    clip, label = next(iter(view_dataset(numbered_video, view)))
    assert clip.shape == (5, SIZE, SIZE, 3) and int(label) == 3
    start = (FRAMES - view.span) // 2
    np.testing.assert_array_equal(rgb_index(clip), start + 5 * np.arange(5))


def test_pipeline_stacks_each_snapshots_flow(numbered_video):
    view = InputView(steps=3, spacing=10, flow_stack=4)
    (rgb, flow), _ = next(iter(view_dataset(numbered_video, view)))
    assert rgb.shape == (3, SIZE, SIZE, 3)
    assert flow.shape == (3, SIZE, SIZE, 8)
    starts = rgb_index(rgb)
    start = (FRAMES - view.span) // 2
    np.testing.assert_array_equal(starts, start + 10 * np.arange(3))
    flow = np.asarray(flow)[:, 0, 0]  # (steps, 8): x0 y0 x1 y1 ...
    for step, first in enumerate(starts):
        np.testing.assert_allclose(flow[step, 0::2], (first + np.arange(4)) / 4)
        np.testing.assert_allclose(flow[step, 1::2], -(first + np.arange(4)) / 4)


def test_training_windows_move_and_flips_negate_stacked_x(numbered_video):
    view = InputView(steps=2, spacing=3, flow_stack=2)
    dataset = view_dataset(numbered_video, view, sampling="random", seed=0, augment=True)
    starts, flipped = set(), 0
    for _ in range(2):
        for (rgb, flow), _ in dataset.repeat(6):
            first = rgb_index(rgb)[0]
            starts.add(int(first))
            x = np.asarray(flow)[0, 0, 0, 0]
            assert abs(x) == pytest.approx(first / 4)
            flipped += x < 0
            # Every flow frame of a stack has the same sign.
            signs = np.sign(np.asarray(flow)[:, 0, 0, 0::2])
            assert len(set(signs[signs != 0].tolist())) <= 1
    assert len(starts) > 3
    assert 0 < flipped < 12


def test_whole_video_view_takes_every_step_that_fits(numbered_video):
    view = InputView(steps=4, spacing=5)
    clip, _ = next(iter(view_dataset(numbered_video, view, sampling="whole")))
    np.testing.assert_array_equal(rgb_index(clip), np.arange(0, FRAMES, 5))


def test_multi_clip_test_view(numbered_video):
    view = InputView(steps=2, spacing=4)
    clips, _ = next(iter(view_dataset(numbered_video, view, num_clips=3)))
    assert clips.shape == (3, 2, SIZE, SIZE, 3)
    indices = np.stack([rgb_index(clip) for clip in clips])
    np.testing.assert_array_equal(indices[:, 1] - indices[:, 0], [4, 4, 4])
    assert indices[0, 0] == 0 and indices[-1, -1] == FRAMES - 1


def test_view_and_stream_are_exclusive(numbered_video):
    with pytest.raises(ValueError, match="either `view` or"):
        view_dataset(numbered_video, InputView(4), clip_length=8)
    with pytest.raises(ValueError, match="InputView"):
        view_dataset(numbered_video, {"steps": 4})


def test_a_view_scales_to_a_shorter_run():
    # Fewer steps at the same spacing: the span shrinks about 4 times.
    lstm = InputView(steps=25, spacing=5).scaled(4)
    assert lstm == InputView(steps=7, spacing=5)
    assert (lstm.span, InputView(25, 5).span) == (31, 121)
    # Flow stacks that tile the window keep tiling it: 5 snapshots, each
    # spaced by its (shorter) stack.
    fused = InputView(steps=5, spacing=10, flow_stack=10).scaled(4)
    assert fused == InputView(steps=5, spacing=3, flow_stack=3)
    assert InputView(1, flow_stack=10).scaled(8) == InputView(1, flow_stack=2)
    assert InputView.consecutive("two_stream", 64).scaled(4) == (
        InputView.consecutive("two_stream", 16)
    )
    assert InputView(16).scaled(100) == InputView(1)
    assert InputView(25, 5).scaled(1) == InputView(25, 5)
    assert InputView(64).scaled(2.5) == InputView(26)


@pytest.mark.parametrize("time_scale", [0.5, 0, -2, "4", None, True])
def test_a_view_refuses_a_time_scale_below_one(time_scale):
    with pytest.raises(ValueError, match="time_scale"):
        InputView(16).scaled(time_scale)


def test_paper_inputs_scale_their_views_and_their_frames():
    c3d = PAPER_INPUTS["c3d"].scaled(4, crop_size=32)
    assert (c3d.train, c3d.test, c3d.test_clips) == (InputView(4), InputView(4), 15)
    # C3D's 112 of 224 (resized to 128) becomes 16 of 32 (resized to 18).
    assert (c3d.crop_size, c3d.short_side) == (16, 18)
    lstm = PAPER_INPUTS["convnet_lstm"].scaled(4, crop_size=32)
    assert (lstm.train, lstm.test, lstm.crop_size, lstm.short_side) == (
        InputView(7, 5),
        InputView(13, 5),
        32,
        37,
    )
    assert PAPER_INPUTS["i3d_rgb"].scaled(1) == PAPER_INPUTS["i3d_rgb"]
    with pytest.raises(ValueError, match="crop_size"):
        PAPER_INPUTS["c3d"].scaled(4, crop_size=0)


@pytest.mark.parametrize(
    "view",
    [
        InputView.consecutive("two_stream", 8),
        InputView(steps=25, spacing=5),
        InputView(steps=5, spacing=10, flow_stack=10),
        InputView(steps=3, spacing=5, flow_stack=2),
        InputView(steps=1, flow_stack=10),
    ],
)
def test_select_takes_the_offsets_and_copies_only_when_it_must(view):
    for length in (view.span, view.span + 7):
        rng = np.random.default_rng(length)
        clips = {
            "rgb": rng.integers(0, 256, (2, length, 3, 4, 3), dtype=np.uint8),
            "flow": rng.normal(size=(2, length, 3, 4, 2)).astype(np.float32),
        }
        selected = view.select(clips)
        expected = {}
        if view.rgb:
            expected["rgb"] = clips["rgb"][:, view.rgb_offsets(length)]
        if view.flow_stack:
            expected["flow"] = clips["flow"][:, view.flow_offsets(length)]
        assert selected.keys() == expected.keys()
        for name, frames in selected.items():
            np.testing.assert_array_equal(frames, expected[name])
            offsets = view.rgb_offsets(length) if name == "rgb" else view.flow_offsets(length)
            # Only evenly spaced offsets (no gaps or overlaps between flow
            # stacks) make a strided view.
            steps = np.diff(offsets)
            evenly_spaced = len(set(steps)) <= 1 and (len(steps) == 0 or steps[0] > 0)
            assert np.shares_memory(frames, clips[name]) == evenly_spaced, (name, length)
