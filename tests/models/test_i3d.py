import pathlib

import keras
import numpy as np
import pytest

from keras_i3d import ENDPOINTS
from keras_i3d import I3D
from keras_i3d import endpoint_model
from keras_i3d.models.endpoints import ENDPOINT_CHANNELS
from keras_i3d.weights.porting import canonical_variables

# The ordered layer names of the full RGB model: weights files match by
# layer order, so a change here breaks every published checkpoint.
FULL_MODEL_LAYERS = [
    "rgb_clip",
    "clip_size",
    "Conv3d_1a_7x7",
    "MaxPool3d_2a_3x3",
    "Conv3d_2b_1x1",
    "Conv3d_2c_3x3",
    "MaxPool3d_3a_3x3",
    "Mixed_3b",
    "Mixed_3c",
    "MaxPool3d_4a_3x3",
    "Mixed_4b",
    "Mixed_4c",
    "Mixed_4d",
    "Mixed_4e",
    "Mixed_4f",
    "MaxPool3d_5a_2x2",
    "Mixed_5b",
    "Mixed_5c",
    "Logits_AvgPool3d",
    "Logits_Dropout",
    "Logits_Conv3d_0c_1x1",
    "Logits",
    "Predictions",
]


@pytest.fixture(scope="module")
def rgb_model():
    return I3D(weights=None, input_shape=(None, None, None, 3))


def test_layer_names_are_deepmind_endpoints(rgb_model):
    assert [layer.name for layer in rgb_model.layers] == FULL_MODEL_LAYERS
    for endpoint in ENDPOINTS[:-1]:
        assert rgb_model.get_layer(endpoint) is not None


def test_endpoints_module_imports_no_keras():
    # The CLI lists the endpoints while building its parser, in a process
    # where keras_i3d binds no public names (tests/cli/test_main.py runs
    # that process); here the module's own imports are checked.
    import ast

    import keras_i3d.models.endpoints as endpoints

    tree = ast.parse(pathlib.Path(endpoints.__file__).read_text())
    module_level = tree.body  # Functions may import Keras when called.
    imported = {
        alias.name.split(".")[0]
        for node in module_level
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in module_level
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"keras", "tensorflow", "jax"}
    assert len(endpoints.ENDPOINTS) == 17


def test_parameter_counts(rgb_model):
    # 57 conv + batch-norm units and the 1x1x1 logits conv with bias.
    assert rgb_model.count_params() == 12_704_544
    assert len(canonical_variables(rgb_model)) == 57 * 4 + 2
    flow = I3D(stream="flow", weights=None)
    assert flow.count_params() == 12_704_544 - 7 * 7 * 7 * 64
    assert flow.input_shape == (None, None, 224, 224, 2)


def test_endpoint_shapes_for_a_64_frame_clip():
    model = I3D(weights=None, include_top=False, input_shape=(64, 224, 224, 3))
    features = endpoint_model(model, ENDPOINTS[:-1])
    shapes = {name: tuple(t.shape) for name, t in features.output.items()}
    assert sorted(shapes) == sorted(ENDPOINT_CHANNELS)
    assert shapes["Conv3d_1a_7x7"] == (None, 32, 112, 112, 64)
    assert shapes["Mixed_3c"] == (None, 32, 28, 28, 480)
    assert shapes["Mixed_4f"] == (None, 16, 14, 14, 832)
    assert shapes["Mixed_5c"] == (None, 8, 7, 7, 1024)
    for name, shape in shapes.items():
        assert shape[-1] == ENDPOINT_CHANNELS[name]


def test_head_averages_the_logits_conv_over_time(rgb_model):
    x = np.random.default_rng(1).uniform(-1, 1, (1, 24, 224, 224, 3)).astype("float32")
    conv = keras.Model(rgb_model.inputs, rgb_model.get_layer("Logits_Conv3d_0c_1x1").output)
    logits = keras.Model(rgb_model.inputs, rgb_model.get_layer("Logits").output)
    per_step = np.asarray(conv(x))
    assert per_step.shape == (1, 2, 1, 1, 400)  # 24 frames -> 3 -> 2 windows
    np.testing.assert_allclose(np.asarray(logits(x)), per_step.mean(axis=(1, 2, 3)), atol=1e-5)
    probabilities = np.asarray(rgb_model(x))
    np.testing.assert_allclose(probabilities.sum(), 1.0, atol=1e-5)


def test_no_top_pooling_gives_one_vector_per_clip():
    for pooling, name in (("avg", "avg_pool"), ("max", "max_pool")):
        model = I3D(weights=None, include_top=False, pooling=pooling, input_shape=(8, 64, 64, 3))
        assert model.output_shape == (None, 1024)
        assert model.layers[-1].name == name
    small = I3D(weights=None, include_top=False, input_shape=(8, 32, 32, 3))
    assert np.asarray(small(np.zeros((1, 8, 32, 32, 3)))).shape == (1, 1, 1, 1, 1024)


def test_final_endpoint_truncates_the_network():
    model = I3D(
        weights=None,
        include_top=False,
        final_endpoint="Mixed_4c",
        input_shape=(None, None, None, 3),
    )
    assert model.layers[-1].name == "Mixed_4c"
    assert "Mixed_4d" not in [layer.name for layer in model.layers]
    with pytest.raises(ValueError, match="no endpoint 'Mixed_5c'"):
        endpoint_model(model, ["Mixed_5c"])


def test_variable_length_clips(rgb_model):
    for frames in (9, 17, 40):
        out = rgb_model.predict(np.zeros((1, frames, 224, 224, 3)), verbose=0)
        assert out.shape == (1, 400)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stream": "depth"}, "stream"),
        ({"final_endpoint": "Mixed_9z"}, "Unknown endpoint"),
        ({"final_endpoint": "Mixed_4c"}, "include_top=False"),
        ({"pooling": "avg"}, "only with `include_top=False`"),
        ({"include_top": False, "pooling": "mean"}, "pooling"),
        ({"classes": 0}, "classes"),
        ({"input_shape": (16, 224, 224, 2)}, "3 input channels"),
        ({"input_shape": (16, 224, 224)}, "frames, height, width"),
        ({"input_shape": (8, 224, 224, 3)}, "at least 9 frames"),
        ({"input_shape": (16, 160, 224, 3)}, "193x193 pixels"),
        ({"weights": 3}, "weights"),
        ({"weights": "imagenet"}, "Unknown weights"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, message):
    kwargs = {"weights": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        I3D(**kwargs)


def test_too_small_clips_at_run_time_get_a_clear_error(rgb_model):
    # Clips of several lengths first: Keras then traces `predict` with
    # unknown sizes, where only a Python-side check can give a ValueError.
    for frames in (16, 12):
        rgb_model.predict(np.zeros((1, frames, 224, 224, 3)), verbose=0)
    for clip, message in (
        (np.zeros((1, 8, 224, 224, 3)), "at least 9 frames"),
        (np.zeros((1, 16, 120, 120, 3)), "193x193"),
    ):
        with pytest.raises(ValueError, match=message) as caught:
            rgb_model.predict(clip, verbose=0)
        assert len(str(caught.value).splitlines()) <= 8
        with pytest.raises(ValueError, match=message) as caught:
            rgb_model(clip)
        assert len(str(caught.value).splitlines()) <= 8


def test_fresh_model_predict_names_the_9_frame_minimum():
    model = I3D(weights=None)
    with pytest.raises(ValueError, match="at least 9 frames") as caught:
        model.predict(np.zeros((1, 8, 224, 224, 3)), verbose=0)
    assert len(str(caught.value).splitlines()) <= 8


def test_input_tensor_is_adopted():
    clip = keras.Input((16, 224, 224, 3), name="my_clip")
    model = I3D(weights=None, input_tensor=clip, include_top=False, pooling="avg")
    assert model.inputs[0] is clip or model.inputs[0].name == "my_clip"
    assert model.output_shape == (None, 1024)


def test_classifier_activation_none_returns_logits():
    model = I3D(weights=None, classifier_activation=None, classes=7, input_shape=(9, 193, 193, 3))
    assert model.layers[-1].name == "Logits"
    assert model.output_shape == (None, 7)


def test_full_model_round_trips_through_dot_keras(tmp_path):
    model = I3D(weights=None, classes=5, input_shape=(9, 193, 193, 3))
    x = np.random.default_rng(2).uniform(-1, 1, (1, 9, 193, 193, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "i3d.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), expected, atol=1e-6)


def test_training_mode_updates_batch_norm_statistics():
    model = I3D(
        weights=None, include_top=False, final_endpoint="Conv3d_1a_7x7", input_shape=(4, 16, 16, 3)
    )
    bn = model.get_layer("Conv3d_1a_7x7").batch_norm
    before = np.asarray(bn.moving_mean).copy()
    model(np.ones((2, 4, 16, 16, 3), "float32"), training=True)
    assert not np.allclose(np.asarray(bn.moving_mean), before)
