"""`read_video(..., short_side=...)`: the decoder's resize is the transforms' resize."""

import numpy as np
import pytest

from keras_i3d.data import transforms
from keras_i3d.video import read_video
from keras_i3d.video.resize import resize_short_side
from keras_i3d.video.resize import short_side_shape
from tests.video import corpus


@pytest.fixture(scope="module")
def moving_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "moving.mp4"
    return corpus.write_video(path, corpus.moving_frames(6, height=64, width=80))


def test_short_side_resizes_exactly_as_resize_short_side(moving_video):
    raw = read_video(moving_video).frames
    resized = read_video(moving_video, short_side=48)
    assert resized.frames.shape == (6, 48, 60, 3)
    assert resized.frames.dtype == np.uint8
    np.testing.assert_array_equal(resized.frames, np.asarray(resize_short_side(raw, 48)))
    window = read_video(moving_video, start_time=0.08, num_frames=3, short_side=48)
    np.testing.assert_array_equal(window.frames, resized.frames[2:5])


def test_short_side_none_keeps_the_size(moving_video):
    assert read_video(moving_video, short_side=None).frames.shape == (6, 64, 80, 3)
    assert read_video(moving_video, short_side=64).frames.shape == (6, 64, 80, 3)


def test_bad_short_side_is_refused(moving_video):
    for bad in (0, -3, 25.5, "256"):
        with pytest.raises(ValueError, match="short_side"):
            read_video(moving_video, short_side=bad)


def test_transforms_reexport_the_one_resize():
    assert transforms.resize_short_side is resize_short_side
    assert transforms.short_side_shape is short_side_shape
    assert short_side_shape(240, 320, 256) == (256, 341)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_numpy_kernel_is_tensorflows_bit_for_bit(dtype):
    import tensorflow as tf

    from keras_i3d.video.resize import bilinear_resize_array

    rng = np.random.default_rng(7)
    sizes = [((64, 80), (48, 60)), ((48, 60), (64, 80)), ((37, 53), (256, 367)), ((3, 5), (1, 2))]
    sizes += [tuple(map(tuple, rng.integers(1, 300, (2, 2)))) for _ in range(20)]
    for (height, width), (new_height, new_width) in sizes:
        if dtype == np.uint8:
            frames = rng.integers(0, 256, (2, height, width, 3)).astype(np.uint8)
        else:
            frames = rng.standard_normal((2, height, width, 2)).astype(np.float32)
        expected = tf.image.resize(frames, (new_height, new_width), "bilinear", antialias=False)
        if dtype == np.uint8:
            expected = tf.saturate_cast(tf.round(expected), tf.uint8)
        resized = bilinear_resize_array(frames, new_height, new_width)
        assert resized.dtype == dtype
        np.testing.assert_array_equal(resized, expected.numpy(), err_msg=str((height, width)))


def test_array_resize_is_the_graph_resize_without_tensorflow():
    from keras_i3d.video.resize import bilinear_resize_array
    from keras_i3d.video.resize import resize_short_side_array

    frames = np.random.default_rng(1).integers(0, 256, (3, 90, 160, 3)).astype(np.uint8)
    expected = np.asarray(resize_short_side(frames, 48))
    np.testing.assert_array_equal(resize_short_side_array(frames, 48), expected)
    np.testing.assert_array_equal(bilinear_resize_array(frames, 48, 85), expected)
    assert resize_short_side_array(expected, 48) is expected  # already 48: untouched
    with pytest.raises(ValueError, match="time, height, width, channels"):
        resize_short_side_array(frames[0], 48)


def test_decoding_with_a_resize_does_not_import_tensorflow(moving_video, tmp_path):
    import subprocess
    import sys

    expected = read_video(moving_video, short_side=48).frames
    out = tmp_path / "frames.npy"
    script = (
        "import sys, numpy as np\n"
        "sys.argv = ['keras-i3d']  # the CLI process: `keras_i3d` imports no public names\n"
        "from keras_i3d.video.decode import read_video\n"
        f"frames = read_video({str(moving_video)!r}, short_side=48).frames\n"
        f"np.save({str(out)!r}, frames)\n"
        "assert 'tensorflow' not in sys.modules, 'decoding imported TensorFlow'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    np.testing.assert_array_equal(np.load(out), expected)
