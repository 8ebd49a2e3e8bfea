import numpy as np
import pytest

from keras_i3d.models.baselines.fused_two_stream import FusedTwoStream3D
from tests.models.baselines.conftest import assert_matches_paper
from tests.models.baselines.conftest import assert_round_trip
from tests.models.baselines.conftest import assert_trains

PARAMS = 39_785_968
SHAPE = (5, 32, 32, 3)


def inputs(batch=1, seed=0):
    rng = np.random.default_rng(seed)
    rgb = rng.uniform(-1, 1, (batch, 5, 32, 32, 3))
    flow = rng.uniform(-1, 1, (batch, 5, 32, 32, 20))
    return [rgb.astype("float32"), flow.astype("float32")]


def test_parameter_count_and_fusion_shapes():
    model = FusedTwoStream3D(weights=None)
    assert model.count_params() == PARAMS
    assert_matches_paper("FusedTwoStream3D", PARAMS)
    assert model.get_layer("stream_concat").output.shape == (None, 5, 7, 7, 2048)
    assert model.get_layer("fusion_MaxPool3d_3x3x3").output.shape == (None, 3, 4, 4, 512)
    fusion = model.get_layer("fusion_Conv3d_3x3x3")
    assert fusion.get_weights()[0].shape == (3, 3, 3, 2048, 512)


def test_features_without_top():
    model = FusedTwoStream3D(include_top=False, input_shape=SHAPE)
    assert model.output_shape == (None, 3, 1, 1, 512)
    pooled = FusedTwoStream3D(include_top=False, pooling="avg", input_shape=SHAPE)
    assert pooled.predict(inputs(), verbose=0).shape == (1, 512)


def test_imagenet_weights_in_both_streams(imagenet_weights):
    path, source = imagenet_weights
    model = FusedTwoStream3D(weights=path, input_shape=SHAPE)
    for stream in ("rgb", "flow"):
        network = model.get_layer(f"{stream}_inception_v1_frames").layer
        np.testing.assert_array_equal(
            network.get_layer("Mixed_5c").get_weights()[-1],
            source.get_layer("Mixed_5c").get_weights()[-1],
        )


@pytest.mark.slow
def test_keras_round_trip(tmp_path):
    model = FusedTwoStream3D(input_shape=SHAPE, classes=4)
    assert_round_trip(model, inputs(), tmp_path)


@pytest.mark.slow
def test_trains_with_fit():
    model = FusedTwoStream3D(input_shape=SHAPE, classes=4)
    assert_trains(model, inputs(batch=2, seed=1), 4)


def test_argument_errors():
    with pytest.raises(ValueError, match="pooling"):
        FusedTwoStream3D(pooling="avg")
    with pytest.raises(ValueError, match="3 input channels"):
        FusedTwoStream3D(input_shape=(5, 224, 224, 20))
