"""keras_i3d.hub on a small random-weights I3D: configs, presets, errors.

The backbone ends at `Mixed_3c` on 56-pixel clips, so its feature maps are
7 x 7 (what the "i3d" pooling needs) and every test takes seconds.
"""

import json

import keras
import numpy as np
import pytest

keras_hub = pytest.importorskip("keras_hub", reason='the [hub] extra: pip install "keras-i3d[hub]"')

import keras_i3d  # noqa: E402
from keras_i3d import hub  # noqa: E402
from tests.hub.test_without_keras_hub import run_python  # noqa: E402

CLIP_SHAPE = (8, 56, 56, 3)
SMALL = dict(final_endpoint="Mixed_3c", input_shape=CLIP_SHAPE)


@pytest.fixture(scope="module")
def small_classifier():
    backbone = hub.I3DBackbone(**SMALL)
    preprocessor = hub.I3DVideoClassifierPreprocessor(hub.I3DVideoConverter())
    return hub.I3DVideoClassifier(backbone, num_classes=3, preprocessor=preprocessor)


@pytest.fixture(scope="module")
def uint8_clip():
    return np.random.default_rng(0).integers(0, 256, (1, *CLIP_SHAPE), dtype=np.uint8)


def test_backbone_config_round_trips():
    backbone = hub.I3DBackbone(stream="flow", final_endpoint="Mixed_3b", input_shape=(8, 56, 56, 2))
    config = backbone.get_config()

    assert {key: config[key] for key in ("stream", "final_endpoint", "input_shape")} == {
        "stream": "flow",
        "final_endpoint": "Mixed_3b",
        "input_shape": [8, 56, 56, 2],
    }
    rebuilt = hub.I3DBackbone.from_config(json.loads(json.dumps(config)))
    assert rebuilt.get_config() == config
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in backbone.layers]


def test_backbone_layers_are_those_of_the_builder():
    backbone = hub.I3DBackbone(**SMALL)
    builder = keras_i3d.I3D(include_top=False, weights=None, **SMALL)

    assert [layer.name for layer in backbone.layers] == [layer.name for layer in builder.layers]
    assert backbone.output.shape == (None, 4, 7, 7, 480)


def test_backbone_from_preset_returns_the_subclass_with_its_weights(tmp_path, uint8_clip):
    backbone = hub.I3DBackbone(**SMALL)
    backbone.save_to_preset(str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())

    loaded = keras_hub.models.Backbone.from_preset(str(tmp_path))

    assert config["registered_name"] == "keras_i3d>I3DBackbone"
    assert type(loaded) is hub.I3DBackbone
    clip = keras_i3d.preprocess_input(uint8_clip)
    np.testing.assert_array_equal(
        loaded.predict(clip, verbose=0), backbone.predict(clip, verbose=0)
    )


def test_from_preset_with_a_dtype_builds_every_layer_in_it(tmp_path, uint8_clip):
    backbone = hub.I3DBackbone(**SMALL)
    backbone.save_to_preset(str(tmp_path))
    clip = keras_i3d.preprocess_input(uint8_clip)

    loaded = keras_hub.models.Backbone.from_preset(str(tmp_path), dtype="bfloat16")

    assert keras.config.dtype_policy().name == "float32"  # restored
    assert {variable.dtype for variable in loaded.weights} == {"bfloat16"}
    features = loaded.predict(clip, verbose=0)
    expected = backbone.predict(clip, verbose=0)
    assert features.dtype == "bfloat16"
    scale = np.abs(expected).max()
    assert np.abs(features.astype("float32") - expected).max() < 0.05 * scale


def test_classifier_preset_round_trips(small_classifier, uint8_clip, tmp_path):
    small_classifier.save_to_preset(str(tmp_path))
    metadata = json.loads((tmp_path / "metadata.json").read_text())

    loaded = hub.VideoClassifier.from_preset(str(tmp_path))

    assert metadata["tasks"] == ["VideoClassifier"]
    assert type(loaded) is hub.I3DVideoClassifier
    assert type(loaded.preprocessor) is hub.I3DVideoClassifierPreprocessor
    assert type(loaded.preprocessor.video_converter) is hub.I3DVideoConverter
    assert loaded.pooling == "i3d"
    np.testing.assert_array_equal(
        loaded.predict(uint8_clip, verbose=0), small_classifier.predict(uint8_clip, verbose=0)
    )


def test_classifier_with_num_classes_gets_a_new_head(small_classifier, tmp_path, uint8_clip):
    small_classifier.save_to_preset(str(tmp_path))

    loaded = hub.VideoClassifier.from_preset(str(tmp_path), num_classes=5)

    assert loaded.predict(uint8_clip, verbose=0).shape == (1, 5)
    np.testing.assert_array_equal(
        loaded.backbone.get_layer("Mixed_3c").get_weights()[0],
        small_classifier.backbone.get_layer("Mixed_3c").get_weights()[0],
    )


def test_preprocessor_applies_preprocess_input(uint8_clip):
    converter = hub.I3DVideoConverter()
    flow = hub.I3DVideoConverter(stream="flow")
    flow_clip = np.linspace(-30, 30, 2 * 4 * 4 * 2).reshape(1, 2, 4, 4, 2)

    np.testing.assert_array_equal(
        np.asarray(converter(uint8_clip)), keras_i3d.preprocess_input(uint8_clip)
    )
    np.testing.assert_array_equal(
        np.asarray(flow(flow_clip)), keras_i3d.preprocess_input(flow_clip, stream="flow")
    )


def test_i3d_pooling_equals_the_builders_head_on_long_clips():
    """On 32 frames (4 time steps at Mixed_5c-like depth) "i3d" pooling then
    Dense gives the builder's conv-then-mean logits; "avg" does not."""
    builder = keras_i3d.I3D(
        weights=None, classes=3, classifier_activation=None, input_shape=(None, 224, 224, 3)
    )
    backbone = hub.I3DBackbone()
    hub.backbone.copy_reference_weights(builder, backbone, "the builder")
    kernel, bias = builder.get_layer("Logits_Conv3d_0c_1x1").get_weights()
    classifiers = {
        pooling: hub.I3DVideoClassifier(backbone, num_classes=3, pooling=pooling)
        for pooling in ("i3d", "avg")
    }
    clip = np.random.default_rng(1).uniform(-1, 1, (1, 32, 224, 224, 3)).astype("float32")
    expected = builder.predict(clip, verbose=0)

    differences = {}
    for pooling, classifier in classifiers.items():
        classifier.output_dense.set_weights([kernel.reshape(kernel.shape[-2:]), bias])
        differences[pooling] = np.abs(classifier.predict(clip, verbose=0) - expected).max()

    assert differences["i3d"] < 1e-5 * max(1.0, np.abs(expected).max())
    assert differences["avg"] > 10 * differences["i3d"]


def test_unknown_pooling_and_converter_arguments_are_refused():
    backbone = hub.I3DBackbone(**SMALL)

    with pytest.raises(ValueError, match=r"Received: pooling='mean'"):
        hub.I3DVideoClassifier(backbone, num_classes=3, pooling="mean")
    with pytest.raises(ValueError, match=r"does not resize.*Received: image_size=\(224, 224\)"):
        hub.I3DVideoConverter(image_size=(224, 224))


def test_import_keras_i3d_does_not_import_keras_hub_and_registers_after_it(tmp_path):
    backbone = hub.I3DBackbone(**SMALL)
    backbone.save_to_preset(str(tmp_path))
    script = (
        "import sys\n"
        "import keras_i3d\n"
        "assert 'keras_hub' not in sys.modules, 'import keras_i3d imported keras_hub'\n"
        "import keras_hub\n"
        f"backbone = keras_hub.models.Backbone.from_preset(r'{tmp_path}')\n"
        "print(type(backbone).__module__, type(backbone).__name__)\n"
    )

    result = run_python(script)

    assert result.returncode == 0, result.stderr
    assert "keras_i3d.hub.backbone I3DBackbone" in result.stdout


def test_a_failed_registration_warns_and_leaves_keras_hub_importable():
    # A broken keras_i3d.hub module must not break the user's `import keras_hub`.
    script = (
        "import sys, warnings\n"
        "sys.modules['keras_i3d.hub.backbone'] = None\n"
        "import keras_i3d\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import keras_hub\n"
        "print([str(w.message) for w in caught if 'keras_i3d' in str(w.message)])\n"
    )

    result = run_python(script)

    assert result.returncode == 0, result.stderr
    assert "could not register its keras-hub classes" in result.stdout
