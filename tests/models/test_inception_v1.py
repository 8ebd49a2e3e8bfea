import keras
import numpy as np
import pytest

from keras_i3d.models.inception_v1 import INCEPTION_V1_ENDPOINTS
from keras_i3d.models.inception_v1 import InceptionV1
from keras_i3d.models.inception_v1 import average_input_channels
from keras_i3d.models.inception_v1 import load_inception_v1_weights

# TF-slim's inception_v1 with 1001 classes; the body (no Logits) is the
# feature extractor every 2D baseline shares.
PARAMS_1001_CLASSES = 6_633_209
PARAMS_BODY = 5_607_184


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return InceptionV1(weights=None, input_shape=(None, None, 3))


def test_parameter_counts(model):
    assert model.count_params() == PARAMS_1001_CLASSES
    body = InceptionV1(weights=None, include_top=False)
    assert body.count_params() == PARAMS_BODY
    # The head: a 1x1 conv with bias from the 1024 pooled features.
    assert PARAMS_1001_CLASSES - PARAMS_BODY == 1024 * 1001 + 1001


def test_layer_names_are_slim_scopes(model):
    names = [layer.name for layer in model.layers]
    for endpoint in INCEPTION_V1_ENDPOINTS:
        assert endpoint in names
    mixed = model.get_layer("Mixed_5b")
    assert [u.name for u in mixed.units][2] == "Branch_1_Conv2d_0b_3x3"
    first = model.get_layer("Conv2d_1a_7x7")
    assert first.batch_norm.scale is False
    assert first.batch_norm.epsilon == pytest.approx(1e-3)


def test_output_shapes(model):
    assert model.predict(np.zeros((1, 64, 64, 3)), verbose=0).shape == (1, 1001)
    features = InceptionV1(weights=None, include_top=False, pooling="avg", input_shape=(64, 64, 20))
    assert features.output_shape == (None, 1024)
    maps = InceptionV1(weights=None, include_top=False)
    assert maps.output_shape == (None, 7, 7, 1024)
    early = InceptionV1(weights=None, include_top=False, final_endpoint="Mixed_3c")
    assert early.output_shape == (None, 28, 28, 480)


def test_argument_errors():
    with pytest.raises(ValueError, match="include_top=False"):
        InceptionV1(weights=None, final_endpoint="Mixed_4f")
    with pytest.raises(ValueError, match="Unknown endpoint"):
        InceptionV1(weights=None, include_top=False, final_endpoint="Mixed_6")
    with pytest.raises(ValueError, match="pooling"):
        InceptionV1(weights=None, pooling="avg")
    with pytest.raises(ValueError, match="height, width, channels"):
        InceptionV1(weights=None, input_shape=(16, 224, 224, 3))
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        InceptionV1(weights="imagenet")
    with pytest.raises(ValueError, match="no such weights file"):
        InceptionV1(weights="missing/inception_v1.weights.h5")


def test_weights_file_loads_by_name_with_new_head_and_channels(model, tmp_path):
    path = tmp_path / "inception_v1.weights.h5"
    model.save_weights(path)
    image = np.random.default_rng(0).uniform(-1, 1, (1, 64, 64, 3))
    same = InceptionV1(weights=path, input_shape=(64, 64, 3), classifier_activation=None)
    np.testing.assert_allclose(
        same.predict(image, verbose=0),
        keras.Model(model.inputs, model.get_layer("Logits").output).predict(image, verbose=0),
        rtol=1e-5,
        atol=1e-5,
    )
    flow = InceptionV1(weights=None, input_shape=(64, 64, 20), classes=5)
    skipped = load_inception_v1_weights(flow, path)
    assert skipped == ["Logits_Conv2d_0c_1x1"]
    kernel = model.get_layer("Conv2d_1a_7x7").get_weights()[0]
    np.testing.assert_allclose(
        flow.get_layer("Conv2d_1a_7x7").get_weights()[0],
        average_input_channels(kernel, 20),
    )
    np.testing.assert_array_equal(
        flow.get_layer("Mixed_4c").get_weights()[3],
        model.get_layer("Mixed_4c").get_weights()[3],
    )


def test_weights_file_that_is_not_inception_v1(tmp_path):
    path = tmp_path / "other.weights.h5"
    inputs = keras.Input((8, 8, 3))
    keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs)).save_weights(path)
    with pytest.raises(ValueError, match="not a weights file of InceptionV1"):
        InceptionV1(weights=path)


def test_imagenet_says_how_to_make_the_weights():
    with pytest.raises(ValueError, match="convert_tfslim_inception_v1.py"):
        InceptionV1(weights="imagenet")


def test_average_input_channels():
    kernel = np.arange(2 * 2 * 3 * 4, dtype="float32").reshape(2, 2, 3, 4)
    adapted = average_input_channels(kernel, 2)
    assert adapted.shape == (2, 2, 2, 4)
    np.testing.assert_allclose(adapted[:, :, 1], kernel.mean(axis=2))


def test_keras_round_trip(model, tmp_path):
    path = tmp_path / "inception_v1.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    image = np.random.default_rng(1).uniform(-1, 1, (1, 48, 48, 3))
    np.testing.assert_allclose(
        restored.predict(image, verbose=0),
        model.predict(image, verbose=0),
        rtol=1e-6,
        atol=1e-7,
    )
