import numpy as np
import pytest

from keras_i3d.flow import farneback_flow
from keras_i3d.flow import tvl1_flow


def test_recovers_translation_with_the_same_convention_as_tvl1(
    texture_moving_right_down,
):
    flow = farneback_flow(texture_moving_right_down)
    assert flow.shape == texture_moving_right_down.shape + (2,)
    interior = flow[:, 8:-8, 8:-8].reshape(-1, 2).mean(axis=0)
    reference = tvl1_flow(texture_moving_right_down)[:, 8:-8, 8:-8]
    assert interior[0] == pytest.approx(2.0, abs=0.3)
    assert interior[1] == pytest.approx(1.0, abs=0.3)
    np.testing.assert_allclose(interior, reference.reshape(-1, 2).mean(axis=0), atol=0.3)


def test_pairs_only(texture_moving_right_down):
    flow = farneback_flow(texture_moving_right_down, match_frame_count=False)
    assert flow.shape[0] == texture_moving_right_down.shape[0] - 1
