import numpy as np
import pytest

from keras_i3d.models.baselines.convnet_lstm import ConvNetLSTM
from tests.models.baselines.conftest import assert_matches_paper
from tests.models.baselines.conftest import assert_round_trip
from tests.models.baselines.conftest import assert_trains

PARAMS = 8_962_208


def clip(frames=2, pixels=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (1, frames, pixels, pixels, 3)).astype("float32")


def test_parameter_count():
    model = ConvNetLSTM(weights=None)
    assert model.count_params() == PARAMS
    assert_matches_paper("ConvNetLSTM", PARAMS)
    names = [layer.name for layer in model.layers]
    assert names[1:] == [
        "inception_v1_frames",
        "lstm",
        "lstm_batch_norm",
        "Logits",
        "last_step",
        "Predictions",
    ]


def test_predictions_last_mean_all():
    shape = (None, 32, 32, 3)
    last = ConvNetLSTM(input_shape=shape, classes=5, prediction="all", classifier_activation=None)
    per_step = last.predict(clip(frames=3), verbose=0)
    assert per_step.shape == (1, 3, 5)
    for prediction, expected in (("last", per_step[:, -1]), ("mean", per_step.mean(axis=1))):
        model = ConvNetLSTM(
            input_shape=shape, classes=5, prediction=prediction, classifier_activation=None
        )
        model.set_weights(last.get_weights())
        np.testing.assert_allclose(
            model.predict(clip(frames=3), verbose=0), expected, rtol=1e-5, atol=1e-6
        )


def test_features_without_top():
    model = ConvNetLSTM(include_top=False, input_shape=(None, 32, 32, 3))
    assert model.output_shape == (None, None, 512)
    pooled = ConvNetLSTM(include_top=False, pooling="max", input_shape=(None, 32, 32, 3))
    assert pooled.predict(clip(), verbose=0).shape == (1, 512)


def test_imagenet_weights_reach_the_frame_network(imagenet_weights):
    path, source = imagenet_weights
    model = ConvNetLSTM(weights=path, input_shape=(None, 32, 32, 3))
    frames = model.get_layer("inception_v1_frames").layer
    np.testing.assert_array_equal(
        frames.get_layer("Mixed_4e").get_weights()[0],
        source.get_layer("Mixed_4e").get_weights()[0],
    )


def test_keras_round_trip(tmp_path):
    model = ConvNetLSTM(input_shape=(2, 32, 32, 3), classes=4)
    assert_round_trip(model, clip(), tmp_path)


@pytest.mark.slow
def test_trains_with_fit():
    model = ConvNetLSTM(input_shape=(2, 32, 32, 3), classes=4)
    assert_trains(model, np.concatenate([clip(seed=1), clip(seed=2)]), 4)


def test_argument_errors():
    with pytest.raises(ValueError, match="prediction"):
        ConvNetLSTM(prediction="first")
    with pytest.raises(ValueError, match="pooling"):
        ConvNetLSTM(pooling="avg")
    with pytest.raises(ValueError, match="3 input channels"):
        ConvNetLSTM(input_shape=(None, 224, 224, 2))
