import numpy as np
import pytest

from keras_i3d.flow import DEFAULT_FLOW_METHOD
from keras_i3d.flow import compute_flow
from keras_i3d.flow import farneback_flow
from keras_i3d.flow import tvl1_flow


def test_default_is_tvl1_the_papers_method(texture_moving_right_down):
    assert DEFAULT_FLOW_METHOD == "tvl1"
    np.testing.assert_array_equal(
        compute_flow(texture_moving_right_down),
        tvl1_flow(texture_moving_right_down),
    )


def test_farneback_only_when_named(texture_moving_right_down):
    np.testing.assert_array_equal(
        compute_flow(texture_moving_right_down, flow_method="farneback"),
        farneback_flow(texture_moving_right_down),
    )


def test_unknown_method_is_refused_not_substituted(texture_moving_right_down):
    with pytest.raises(ValueError, match="tvl1"):
        compute_flow(texture_moving_right_down, flow_method="brox")


@pytest.mark.parametrize("method", ["tvl1", "farneback"])
def test_progress_is_reported_after_every_flow_field(texture_moving_right_down, method):
    calls = []
    flow = compute_flow(
        texture_moving_right_down,
        flow_method=method,
        progress=lambda done, total: calls.append((done, total)),
    )
    fields = len(texture_moving_right_down) - 1
    assert calls == [(done, fields) for done in range(1, fields + 1)]
    np.testing.assert_array_equal(flow, compute_flow(texture_moving_right_down, flow_method=method))
