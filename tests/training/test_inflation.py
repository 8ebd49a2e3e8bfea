import math

import keras
import numpy as np
import pytest

from keras_i3d.models.endpoints import endpoint_model
from keras_i3d.models.i3d import I3D
from keras_i3d.models.i3d import I3D_BODY
from keras_i3d.models.inception_v1 import InceptionV1
from keras_i3d.models.inception_v1 import copy_inception_v1_weights
from keras_i3d.training.inflation import inflate_kernel
from keras_i3d.training.inflation import inflate_weights
from keras_i3d.training.inflation import inflated_i3d
from keras_i3d.training.inflation import layer_pairs

# (I3D endpoint, Inception-v1 endpoint) pairs compared on boring videos.
ENDPOINT_PAIRS = (
    ("Conv3d_1a_7x7", "Conv2d_1a_7x7"),
    ("Mixed_3c", "Mixed_3c"),
    ("Mixed_4f", "Mixed_4f"),
    ("Mixed_5c", "Mixed_5c"),
)
PIXELS = 32


def clean_frames(frames):
    """Frames of each I3D endpoint untouched by temporal zero padding.

    Walks `I3D_BODY` with TensorFlow's SAME padding arithmetic and keeps
    the output frames whose whole temporal window lies on frames that were
    clean at the layer's input (max pools are treated like convs, which
    only makes the range smaller than it has to be).
    """
    first, last, length = 0, frames - 1, frames
    ranges = {}

    def window(first, last, length, kernel, stride):
        out_length = math.ceil(length / stride)
        pad_before = max((out_length - 1) * stride + kernel - length, 0) // 2
        clean = [
            i
            for i in range(out_length)
            if i * stride - pad_before >= first and i * stride - pad_before + kernel - 1 <= last
        ]
        if not clean:
            return 1, 0, out_length
        return clean[0], clean[-1], out_length

    for endpoint, kind, arguments in I3D_BODY:
        if kind == "unit":
            _, kernel, strides = arguments
            first, last, length = window(first, last, length, kernel[0], strides[0])
        elif kind == "pool":
            kernel, strides = arguments
            first, last, length = window(first, last, length, kernel[0], strides[0])
        else:
            first, last = first + 1, last - 1
        ranges[endpoint] = (first, last)
    return ranges


def randomize_batch_norm(model, seed):
    """Gives every batch norm non-trivial offsets and moving statistics."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        shape = tuple(weight.shape)
        if weight.path.endswith("moving_variance"):
            weight.assign(rng.uniform(0.5, 2.0, shape).astype("float32"))
        elif weight.path.endswith("moving_mean"):
            weight.assign(rng.normal(0, 0.2, shape).astype("float32"))
        elif weight.path.endswith("beta"):
            weight.assign(rng.normal(0, 0.2, shape).astype("float32"))


@pytest.fixture(scope="module")
def inception_2d():
    keras.utils.set_random_seed(1)
    model = InceptionV1(weights=None, input_shape=(None, None, 3))
    randomize_batch_norm(model, seed=2)
    return model


def test_inflate_kernel_repeats_and_divides():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 4, 5))
    inflated = inflate_kernel(kernel, 7)
    assert inflated.shape == (7, 3, 3, 4, 5)
    np.testing.assert_allclose(inflated.sum(axis=0), kernel, rtol=1e-5)
    np.testing.assert_allclose(inflated[0], inflated[6])


def test_inflate_kernel_rejects_bad_input():
    with pytest.raises(ValueError, match="2D kernel"):
        inflate_kernel(np.ones((3, 3, 4)), 3)
    with pytest.raises(ValueError, match="time_size"):
        inflate_kernel(np.ones((3, 3, 4, 5)), 0)


def test_layer_pairs_follow_i3d_body():
    i3d = I3D(weights=None, input_shape=(16, 224, 224, 3))
    pairs = layer_pairs(i3d)
    assert pairs[0] == ("Conv2d_1a_7x7", "Conv3d_1a_7x7")
    assert ("Mixed_5b", "Mixed_5b") in pairs
    assert pairs[-1] == ("Logits_Conv2d_0c_1x1", "Logits_Conv3d_0c_1x1")
    # 3 stem convs, 9 Inception blocks and the classifier.
    assert len(pairs) == 13


def test_clean_frames_range_is_long_enough():
    ranges = clean_frames(112)
    for i3d_endpoint, _ in ENDPOINT_PAIRS:
        first, last = ranges[i3d_endpoint]
        assert first <= last, i3d_endpoint


def _boring_video_activations(inception_2d, stream, frames, endpoints):
    rng = np.random.default_rng(3)
    channels = {"rgb": 3, "flow": 2}[stream]
    image = rng.uniform(-1, 1, (1, PIXELS, PIXELS, channels)).astype("float32")
    video = np.repeat(image[:, np.newaxis], frames, axis=1)
    i3d = I3D(
        stream=stream,
        weights=None,
        include_top=False,
        input_shape=(frames, PIXELS, PIXELS, channels),
    )
    report = inflate_weights(inception_2d, i3d)
    assert report["skipped"] == []
    source = inception_2d
    if channels != 3:
        source = InceptionV1(
            weights=None,
            include_top=False,
            input_shape=(PIXELS, PIXELS, channels),
        )
        copy_inception_v1_weights(inception_2d, source)
    features_2d = keras.Model(
        source.inputs,
        {name: source.get_layer(name).output for _, name in endpoints},
    ).predict(image, verbose=0)
    features_3d = endpoint_model(i3d, [name for name, _ in endpoints]).predict(video, verbose=0)
    return features_2d, features_3d


def test_boring_video_fixed_point_rgb(inception_2d):
    frames = 112
    ranges = clean_frames(frames)
    features_2d, features_3d = _boring_video_activations(
        inception_2d, "rgb", frames, ENDPOINT_PAIRS
    )
    for i3d_endpoint, endpoint_2d in ENDPOINT_PAIRS:
        expected = features_2d[endpoint_2d][0]
        first, last = ranges[i3d_endpoint]
        scale = float(np.abs(expected).max())
        assert scale > 0
        for frame in range(first, last + 1):
            np.testing.assert_allclose(
                features_3d[i3d_endpoint][0, frame],
                expected,
                rtol=1e-4,
                atol=1e-4 * scale,
                err_msg=f"{i3d_endpoint} frame {frame}",
            )
    # The first frame of the first conv sees zero padding in time: it must
    # differ, which shows the comparison above can fail.
    border = features_3d["Conv3d_1a_7x7"][0, 0]
    assert not np.allclose(border, features_2d["Conv2d_1a_7x7"][0], atol=1e-3)


def test_boring_video_fixed_point_flow(inception_2d):
    frames = 32
    endpoints = (("Conv3d_1a_7x7", "Conv2d_1a_7x7"), ("Mixed_3c", "Mixed_3c"))
    ranges = clean_frames(frames)
    features_2d, features_3d = _boring_video_activations(inception_2d, "flow", frames, endpoints)
    for i3d_endpoint, endpoint_2d in endpoints:
        expected = features_2d[endpoint_2d][0]
        first, last = ranges[i3d_endpoint]
        assert first <= last
        np.testing.assert_allclose(
            features_3d[i3d_endpoint][0, first : last + 1],
            np.broadcast_to(expected, (last + 1 - first,) + expected.shape),
            rtol=1e-4,
            atol=1e-4 * float(np.abs(expected).max()),
        )


def test_flow_first_layer_averages_rgb_filters(inception_2d):
    i3d = I3D(
        stream="flow",
        weights=None,
        include_top=False,
        final_endpoint="Conv3d_1a_7x7",
        input_shape=(8, 32, 32, 2),
    )
    report = inflate_weights(inception_2d, i3d)
    assert report["inflated"] == ["Conv3d_1a_7x7"]
    kernel_2d = inception_2d.get_layer("Conv2d_1a_7x7").get_weights()[0]
    kernel_3d = i3d.get_layer("Conv3d_1a_7x7").get_weights()[0]
    assert kernel_3d.shape == (7, 7, 7, 2, 64)
    expected = kernel_2d.mean(axis=2) / 7
    np.testing.assert_allclose(kernel_3d[3, :, :, 0], expected, rtol=1e-5)
    np.testing.assert_allclose(kernel_3d[3, :, :, 1], expected, rtol=1e-5)


def test_inflated_i3d_from_weights_file(inception_2d, tmp_path):
    path = tmp_path / "inception_v1.weights.h5"
    inception_2d.save_weights(path)
    model = inflated_i3d(path, stream="rgb", classes=7, input_shape=(None, None, None, 3))
    assert model.output_shape == (None, 7)
    beta_2d = inception_2d.get_layer("Mixed_4d").get_weights()
    beta_3d = model.get_layer("Mixed_4d").get_weights()
    for w2, w3 in zip(beta_2d, beta_3d):
        if w2.ndim == 1:
            np.testing.assert_array_equal(w2, w3)
        else:
            np.testing.assert_allclose(w3.sum(axis=0), w2, rtol=1e-5, atol=1e-7)


def test_inflated_i3d_keeps_head_when_classes_match(inception_2d):
    model = inflated_i3d(inception_2d, classes=1001, input_shape=(None, None, None, 3))
    head_2d = inception_2d.get_layer("Logits_Conv2d_0c_1x1").get_weights()
    head_3d = model.get_layer("Logits_Conv3d_0c_1x1").get_weights()
    np.testing.assert_allclose(head_3d[0][0], head_2d[0], rtol=1e-6)
    np.testing.assert_array_equal(head_3d[1], head_2d[1])


def test_inflate_weights_rejects_mismatched_network():
    small = InceptionV1(weights=None, include_top=False, final_endpoint="Mixed_3b")
    i3d = I3D(weights=None, include_top=False, input_shape=(8, 32, 32, 3))
    with pytest.raises(ValueError, match="has no layer 'Mixed_3c'"):
        inflate_weights(small, i3d)
