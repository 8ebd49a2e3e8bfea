import numpy as np
import pytest

from keras_i3d.flow import FlowError
from keras_i3d.flow import tvl1_flow

INTERIOR = (slice(None), slice(8, -8), slice(8, -8))


def test_recovers_translation_with_the_sign_convention(
    texture_moving_right_down,
):
    flow = tvl1_flow(texture_moving_right_down, match_frame_count=False)
    assert flow.dtype == np.float32
    assert flow.shape == (2, 48, 48, 2)
    mean_x, mean_y = flow[INTERIOR].reshape(-1, 2).mean(axis=0)
    # x positive = motion to the right, y positive = motion down.
    assert mean_x == pytest.approx(2.0, abs=0.2)
    assert mean_y == pytest.approx(1.0, abs=0.2)


def test_matches_the_rgb_frame_count_by_repeating_the_last_field(
    texture_moving_right_down,
):
    pairs = tvl1_flow(texture_moving_right_down, match_frame_count=False)
    matched = tvl1_flow(texture_moving_right_down)
    assert matched.shape[0] == texture_moving_right_down.shape[0]
    np.testing.assert_array_equal(matched[:-1], pairs)
    np.testing.assert_array_equal(matched[-1], pairs[-1])


def test_rgb_frames_are_converted_to_grayscale(texture_moving_right_down):
    rgb = np.repeat(texture_moving_right_down[..., None], 3, axis=-1)
    np.testing.assert_allclose(tvl1_flow(rgb), tvl1_flow(texture_moving_right_down), atol=1e-5)


@pytest.mark.parametrize(
    "frames, message",
    [
        (np.zeros((1, 16, 16, 3), np.uint8), "at least 2 frames"),
        (np.zeros((3, 16, 16, 3), np.float32), "uint8"),
        (np.zeros((3, 16, 16, 4), np.uint8), "shape"),
        (np.zeros((16, 16), np.uint8), "shape"),
    ],
)
def test_bad_frames_raise_a_value_error_naming_the_input(frames, message):
    with pytest.raises(FlowError, match=message) as error:
        tvl1_flow(frames, name="clip.mp4")
    assert isinstance(error.value, ValueError)
    assert "clip.mp4" in str(error.value)


def test_agrees_with_deepminds_published_flow_on_the_cricket_sample(
    shared_data,
):
    """DeepMind's flow GIF stores R = x/20 + 0.5, G = y/20 + 0.5. Ours is
    not equal to it (palette-quantised GIFs, unknown TV-L1 settings), but
    it must correlate strongly, with the same sign, axis and frame offset."""
    from keras_i3d.preprocessing import preprocess_flow
    from keras_i3d.video import read_video

    rgb = read_video(shared_data("kinetics-i3d/v_CricketShot_g04_c01_rgb.gif"), fps=None)
    published = read_video(shared_data("kinetics-i3d/v_CricketShot_g04_c01_flow.gif"), fps=None)
    reference = published.frames[..., :2].astype(np.float32) / 255 - 0.5
    for start in (20, 60):
        ours = preprocess_flow(tvl1_flow(rgb.frames[start : start + 2], match_frame_count=False))[0]
        for channel in range(2):
            correlations = [
                np.corrcoef(
                    ours[..., channel].ravel(),
                    reference[start + offset, ..., channel].ravel(),
                )[0, 1]
                for offset in (-1, 0, 1)
            ]
            # flow[t] (frame t -> t+1) matches DeepMind's flow frame t.
            assert correlations[1] > 0.7
            assert correlations[1] > max(correlations[0], correlations[2]) + 0.05
