import numpy as np
import pytest

from keras_i3d.models.baselines.two_stream_2d import TwoStream2D
from tests.models.baselines.conftest import assert_matches_paper
from tests.models.baselines.conftest import assert_round_trip
from tests.models.baselines.conftest import assert_trains

PARAMS = 12_087_680
SHAPE = (None, 32, 32, 3)


def inputs(snapshots=1, batch=1, seed=0):
    rng = np.random.default_rng(seed)
    rgb = rng.uniform(-1, 1, (batch, snapshots, 32, 32, 3))
    flow = rng.uniform(-1, 1, (batch, snapshots, 32, 32, 20))
    return [rgb.astype("float32"), flow.astype("float32")]


def test_parameter_count():
    model = TwoStream2D(weights=None)
    assert model.count_params() == PARAMS
    assert_matches_paper("TwoStream2D", PARAMS)
    flow = model.get_layer("flow_inception_v1_frames").layer
    assert flow.get_layer("Conv2d_1a_7x7").get_weights()[0].shape == (7, 7, 20, 64)


def test_scores_average_streams_then_snapshots():
    model = TwoStream2D(input_shape=SHAPE, classes=5)
    rgb, flow = inputs(snapshots=3)
    rgb_net = model.get_layer("rgb_inception_v1_frames").layer
    flow_net = model.get_layer("flow_inception_v1_frames").layer
    expected = np.mean(
        [(rgb_net.predict(rgb[0], verbose=0) + flow_net.predict(flow[0], verbose=0)) / 2],
        axis=1,
    )
    scores = model.predict([rgb, flow], verbose=0)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, rtol=1e-5)


def test_features_without_top():
    model = TwoStream2D(include_top=False, pooling="avg", input_shape=SHAPE)
    assert model.predict(inputs(snapshots=2), verbose=0).shape == (1, 2048)


def test_imagenet_weights_in_both_streams(imagenet_weights):
    path, source = imagenet_weights
    model = TwoStream2D(weights=path, input_shape=SHAPE)
    kernel = source.get_layer("Conv2d_1a_7x7").get_weights()[0]
    rgb = model.get_layer("rgb_inception_v1_frames").layer
    flow = model.get_layer("flow_inception_v1_frames").layer
    np.testing.assert_array_equal(rgb.get_layer("Conv2d_1a_7x7").get_weights()[0], kernel)
    np.testing.assert_allclose(
        flow.get_layer("Conv2d_1a_7x7").get_weights()[0][:, :, 7],
        kernel.mean(axis=2),
        rtol=1e-6,
    )


def test_keras_round_trip(tmp_path):
    model = TwoStream2D(input_shape=SHAPE, classes=4)
    assert_round_trip(model, inputs(), tmp_path)


@pytest.mark.slow
def test_trains_with_fit():
    model = TwoStream2D(input_shape=SHAPE, classes=4)
    assert_trains(model, inputs(batch=2, seed=1), 4)


def test_argument_errors():
    with pytest.raises(ValueError, match="No ImageNet Inception-v1 weights"):
        TwoStream2D(input_shape=(1, 64, 64, 3), weights="imagenet")
    with pytest.raises(ValueError, match="flow_stack"):
        TwoStream2D(flow_stack=0)
    with pytest.raises(ValueError, match="pooling"):
        TwoStream2D(pooling="max")
