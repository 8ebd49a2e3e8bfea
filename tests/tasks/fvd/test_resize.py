"""The FVD resize is TF1's legacy bilinear kernel, bit for bit."""

import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.tasks.fvd.embed import preprocess_videos
from keras_i3d.tasks.fvd.embed import scale_to_model_range
from keras_i3d.tasks.fvd.embed import scale_to_model_range_tensor
from keras_i3d.tasks.fvd.resize import RESIZE_METHODS
from keras_i3d.tasks.fvd.resize import resize_bilinear
from keras_i3d.tasks.fvd.resize import resize_videos
from keras_i3d.tasks.fvd.resize import resize_videos_tensor

SIZES = (
    ((64, 64), (224, 224)),  # The reference example's upsample.
    ((240, 320), (224, 224)),  # UCF101 frames, downscaled, aspect ignored.
    ((256, 340), (224, 224)),
    ((13, 7), (224, 224)),
    ((240, 320), (64, 64)),  # MAGVIT's intermediate step.
)


def random_frames(height, width, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (3, height, width, 3)).astype(dtype)


@pytest.mark.parametrize("implementation", ("numpy", "tensorflow"))
@pytest.mark.parametrize("in_size, out_size", SIZES)
def test_resize_is_bit_identical_to_tf1_resize_bilinear(in_size, out_size, implementation):
    frames = random_frames(*in_size)
    expected = tf.compat.v1.image.resize_bilinear(frames, out_size).numpy()

    resized = resize_bilinear(frames, out_size, implementation=implementation)

    assert resized.dtype == np.float32
    np.testing.assert_array_equal(resized, expected)


@pytest.mark.parametrize("in_size, out_size", SIZES[:3])
def test_half_pixel_gather_matches_the_raw_op(in_size, out_size):
    frames = random_frames(*in_size)
    expected = tf.raw_ops.ResizeBilinear(
        images=frames, size=list(out_size), half_pixel_centers=True
    ).numpy()

    resized = resize_bilinear(frames, out_size, half_pixel_centers=True, implementation="numpy")

    np.testing.assert_array_equal(resized, expected)


def test_uint8_and_float32_frames_resize_identically():
    frames = random_frames(240, 320)

    np.testing.assert_array_equal(
        resize_bilinear(frames, implementation="numpy"),
        resize_bilinear(frames.astype(np.float32), implementation="numpy"),
    )


def test_224_frames_pass_through_unchanged():
    frames = random_frames(224, 224)

    np.testing.assert_array_equal(resize_bilinear(frames), frames)


def test_every_method_gives_224_frames():
    videos = random_frames(48, 64)[None]  # (1, 3, 48, 64, 3)
    for method in RESIZE_METHODS:
        if method == "none":
            continue
        assert resize_videos(videos, method).shape == (1, 3, 224, 224, 3)


def test_magvit_method_resizes_through_64x64():
    videos = random_frames(240, 320)[None]
    via_64 = resize_bilinear(resize_bilinear(videos, (64, 64)))

    np.testing.assert_array_equal(resize_videos(videos, "tf1_bilinear_via_64"), via_64)


def test_resize_none_refuses_frames_that_are_not_224():
    with pytest.raises(ValueError, match="224 x 224.*64 x 64"):
        resize_videos(random_frames(64, 64)[None], "none")


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="resize='nearest'"):
        resize_videos(random_frames(64, 64)[None], "nearest")


def test_scaling_is_bitwise_the_reference_expression():
    values = np.arange(256, dtype=np.float32)
    values = np.concatenate([values, np.random.default_rng(0).uniform(0, 255, 100_000)]).astype(
        np.float32
    )
    reference = np.float32(2.0) * values / np.float32(255.0) - np.float32(1.0)

    np.testing.assert_array_equal(scale_to_model_range(values), reference)


@pytest.mark.parametrize("input_range", ((0, 255), (0, 1), (-1, 1)))
@pytest.mark.parametrize("method", [method for method in RESIZE_METHODS if method != "none"])
def test_graph_preprocessing_is_bit_identical(method, input_range):
    """A compiled step resizes and scales with the host path's bits.

    Grappler turns `x / 127.5` into `x * (1 / 127.5)` in a graph (one value
    in three changes): the tensor path must not.
    """
    low, high = input_range
    videos = random_frames(40, 56, dtype=np.float32)[None] / 255
    videos = (videos * (high - low) + low).astype(np.float32)
    signature = tf.TensorSpec((None, None, 40, 56, 3), tf.float32)

    @tf.function(input_signature=[signature], jit_compile=False)
    def preprocess_in_graph(videos):
        return scale_to_model_range_tensor(resize_videos_tensor(videos, method), input_range)

    np.testing.assert_array_equal(
        preprocess_in_graph(videos).numpy(),
        preprocess_videos(videos, method, input_range),
    )


def test_graph_preprocessing_of_uint8_and_224_frames():
    videos = random_frames(224, 224)[None]

    for method in ("tf1_bilinear", "none"):
        np.testing.assert_array_equal(
            tf.function(
                lambda v, m=method: scale_to_model_range_tensor(resize_videos_tensor(v, m))
            )(videos).numpy(),
            preprocess_videos(videos, method),
        )


def test_graph_resize_none_refuses_other_sizes():
    with pytest.raises(ValueError, match="resize='none' needs 224 x 224"):
        resize_videos_tensor(random_frames(48, 64)[None], "none")


@pytest.mark.parametrize(
    "method",
    ("tf1_bilinear", "bilinear", "short_side_center_crop", "tf1_bilinear_via_64"),
)
def test_xla_preprocessing_agrees_to_float32_rounding(method):
    """XLA's own ResizeBilinear is up to 2.0 off when upsampling: not used.

    Under XLA the kernel runs as gathers; XLA may fuse multiply-adds and
    divide by a reciprocal, so values agree to a few float32 ulps.
    """
    videos = random_frames(32, 32)[None]  # Upsampled to 224, as in FVD.

    @tf.function(jit_compile=True)
    def preprocess_with_xla(videos):
        return scale_to_model_range_tensor(resize_videos_tensor(videos, method))

    np.testing.assert_allclose(
        preprocess_with_xla(videos.astype(np.float32)).numpy(),
        preprocess_videos(videos, method),
        rtol=0,
        atol=1e-6,
    )


def test_xla_refuses_the_antialiased_resize():
    videos = random_frames(32, 48)[None].astype(np.float32)

    with pytest.raises(ValueError, match="jit_compile=False"):
        tf.function(
            lambda v: resize_videos_tensor(v, "short_side_center_crop_antialias"),
            jit_compile=True,
        )(videos)
