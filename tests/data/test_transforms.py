import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.data import transforms


def ramp_clip(time=3, height=60, width=90, channels=3, dtype=np.uint8):
    values = np.arange(time * height * width * channels) % 251
    return values.reshape(time, height, width, channels).astype(dtype)


def test_resize_short_side_keeps_aspect_and_dtype():
    clip = ramp_clip(height=240, width=320)
    resized = transforms.resize_short_side(clip)
    assert resized.shape == (3, RESIZE_SHORT_SIDE, 341, 3)
    assert resized.dtype == tf.uint8
    portrait = transforms.resize_short_side(ramp_clip(height=90, width=60), 30)
    assert portrait.shape == (3, 45, 30, 3)


def test_resize_is_bilinear_without_antialias():
    clip = ramp_clip(height=512, width=600).astype(np.float32)
    expected = tf.image.resize(clip, (256, 300), method="bilinear", antialias=False)
    np.testing.assert_allclose(transforms.resize_short_side(clip), expected)


def test_resize_at_target_size_is_identity():
    clip = ramp_clip(height=RESIZE_SHORT_SIDE, width=300)
    np.testing.assert_array_equal(transforms.resize_short_side(clip), clip)


def test_resize_flow_scales_the_vectors():
    flow = np.ones((2, 128, 160, 2), np.float32) * np.float32([3.0, -1.0])
    resized = transforms.resize_flow_short_side(flow, 256)
    assert resized.shape == (2, 256, 320, 2)
    np.testing.assert_allclose(resized[0, 5, 5], [6.0, -2.0])


def test_center_crop_takes_the_middle():
    clip = ramp_clip(height=10, width=14)
    np.testing.assert_array_equal(transforms.center_crop(clip, 4), clip[:, 3:7, 5:9])


def test_crop_larger_than_clip_is_a_clear_error():
    with pytest.raises(ValueError, match="smaller than the 224x224 crop"):
        transforms.center_crop(ramp_clip(height=100, width=300), CROP_SIZE)


def test_random_crop_same_window_on_every_frame_and_reproducible():
    clip = np.repeat(ramp_clip(time=1, height=20, width=30), 4, axis=0)
    seed = tf.constant([3, 7])
    first = transforms.random_crop(clip, seed, 8).numpy()
    assert first.shape == (4, 8, 8, 3)
    for frame in first[1:]:
        np.testing.assert_array_equal(frame, first[0])
    np.testing.assert_array_equal(transforms.random_crop(clip, seed, 8), first)
    windows = {
        transforms.random_crop(clip, tf.constant([3, s]), 8).numpy().tobytes() for s in range(20)
    }
    assert len(windows) > 5


def test_flip_mirrors_rgb_and_negates_flow_x():
    clip = ramp_clip(height=4, width=5)
    np.testing.assert_array_equal(transforms.flip_left_right(clip), clip[:, :, ::-1])
    flow = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype(np.float32)
    flipped = transforms.flip_left_right(flow, is_flow=True).numpy()
    np.testing.assert_array_equal(flipped[..., 0], -flow[:, :, ::-1, 0])
    np.testing.assert_array_equal(flipped[..., 1], flow[:, :, ::-1, 1])
    with pytest.raises(ValueError, match="signed"):
        transforms.flip_left_right(flow.astype(np.uint8), is_flow=True)


@pytest.mark.parametrize(
    "shape, dtype",
    [((3, 5, 7, 3), np.uint8), ((2, 4, 5, 2), np.float32), ((1, 1, 9, 20), np.float32)],
)
def test_reverse_width_equals_tf_reverse_bit_for_bit(shape, dtype):
    clip = ramp_clip(*shape, dtype=dtype)
    expected = tf.reverse(clip, axis=[2]).numpy()
    np.testing.assert_array_equal(transforms.reverse_width(tf.constant(clip)).numpy(), expected)
    spec = tf.TensorSpec((None, shape[1], None, shape[3]), tf.as_dtype(dtype))
    in_graph = tf.function(transforms.reverse_width, input_signature=[spec])
    assert in_graph.get_concrete_function().structured_outputs.shape.as_list() == [
        None,
        shape[1],
        None,
        shape[3],
    ]
    np.testing.assert_array_equal(in_graph(clip).numpy(), expected)


def test_random_flip_happens_about_half_the_time_and_flow_follows_rgb():
    rgb = ramp_clip(height=8, width=8).astype(np.float32)
    flow = rgb[..., :2]
    flips = 0
    for index in range(40):
        seed = tf.constant([index, 1])
        out_rgb = transforms.train_transform(rgb, seed, crop_size=6, short_side=None).numpy()
        out_flow = transforms.train_transform(
            flow, seed, crop_size=6, short_side=None, is_flow=True
        ).numpy()
        same_geometry = np.abs(out_flow[..., 1] - out_rgb[..., 1]).max() == 0
        assert same_geometry
        flipped = np.array_equal(out_flow[..., 0], -out_rgb[..., 0])
        flips += flipped
        if not flipped:
            np.testing.assert_array_equal(out_flow[..., 0], out_rgb[..., 0])
    assert 8 <= flips <= 32


def test_transforms_run_inside_tf_data():
    clip = ramp_clip(height=60, width=80)
    dataset = tf.data.Dataset.from_tensors(clip).map(
        lambda frames: transforms.eval_transform(frames, crop_size=32, short_side=40)
    )
    out = next(iter(dataset)).numpy()
    np.testing.assert_array_equal(out, transforms.eval_transform(clip, 32, 40))
    assert out.shape == (3, 32, 32, 3)
