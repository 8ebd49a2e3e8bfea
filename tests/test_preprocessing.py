import numpy as np
import pytest
import tensorflow as tf

from keras_i3d import preprocess_input
from keras_i3d.preprocessing import preprocess_flow
from keras_i3d.preprocessing import preprocess_rgb
from keras_i3d.preprocessing import stack_flow_frames


def test_rgb_maps_0_255_to_minus_1_plus_1():
    frames = np.array([0, 127.5, 255], dtype=np.float32).reshape(1, 1, 1, 3)
    np.testing.assert_array_equal(preprocess_rgb(frames).reshape(-1), [-1.0, 0.0, 1.0])
    out = preprocess_input(np.full((1, 2, 4, 4, 3), 51, np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 51 / 127.5 - 1)


def test_flow_is_clipped_to_20_pixels_then_divided_by_20():
    flow = np.array([-45.0, -20.0, -5.0, 0.0, 10.0, 20.0, 33.0, 1.0], dtype=np.float32).reshape(
        1, 2, 2, 2
    )
    out = preprocess_input(flow, stream="flow").reshape(-1)
    np.testing.assert_allclose(out, [-1, -1, -0.25, 0, 0.5, 1, 1, 0.05])


def test_tensors_get_the_same_arithmetic_as_numpy():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (2, 3, 4, 4, 3)).astype(np.uint8)
    flow = rng.normal(0, 15, (2, 3, 4, 4, 2)).astype(np.float32)
    for x, stream in ((rgb, "rgb"), (flow, "flow")):
        tensor_out = preprocess_input(tf.constant(x), stream=stream)
        assert tf.is_tensor(tensor_out) and tensor_out.dtype == tf.float32
        np.testing.assert_array_equal(tensor_out.numpy(), preprocess_input(x, stream=stream))
    assert preprocess_flow(tf.constant(flow)).shape == flow.shape


@pytest.mark.parametrize(
    "shape, stream", [((1, 2, 4, 4, 2), "rgb"), ((1, 2, 4, 4, 3), "flow"), ((), "rgb")]
)
def test_wrong_channel_counts_are_refused(shape, stream):
    with pytest.raises(ValueError, match="channels on its last axis"):
        preprocess_input(np.zeros(shape), stream=stream)


def test_unknown_stream():
    with pytest.raises(ValueError, match="stream"):
        preprocess_input(np.zeros((1, 3)), stream="depth")


def test_stack_flow_frames_interleaves_x_and_y():
    flow = np.random.default_rng(0).normal(size=(10, 4, 5, 2))
    stacked = stack_flow_frames(flow)
    assert stacked.shape == (4, 5, 20)
    np.testing.assert_array_equal(stacked[..., 6], flow[3, ..., 0])
    np.testing.assert_array_equal(stacked[..., 7], flow[3, ..., 1])
    as_tensor = stack_flow_frames(tf.constant(flow[np.newaxis]))
    np.testing.assert_array_equal(as_tensor.numpy()[0], stacked)
    with pytest.raises(ValueError, match="2\\)"):
        stack_flow_frames(np.zeros((10, 4, 5, 3)))


def test_stack_flow_steps_numpy_and_tensor_agree():
    from keras_i3d.preprocessing import stack_flow_steps

    flow = np.random.default_rng(1).normal(size=(2, 6, 4, 5, 2))
    stacked = stack_flow_steps(flow, 3)
    assert stacked.shape == (2, 2, 4, 5, 6)
    np.testing.assert_array_equal(stacked[:, 1], stack_flow_frames(flow[:, 3:6]))
    np.testing.assert_array_equal(stack_flow_steps(tf.constant(flow), 3).numpy(), stacked)
    assert stack_flow_steps(flow, 1) is flow
    with pytest.raises(ValueError, match="stacks of 4"):
        stack_flow_steps(flow, 4)
