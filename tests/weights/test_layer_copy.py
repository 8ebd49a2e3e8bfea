"""`copy_weights_by_layer_name` and `load_weights_file`: the by-name loader
of Inception-v1 and the baselines."""

import keras
import numpy as np
import pytest

from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.files import read_info
from keras_i3d.weights.loading import copy_weights_by_layer_name
from keras_i3d.weights.loading import load_weights_file
from keras_i3d.weights.porting import WeightsMismatchError


def small_model(classes=4, channels=3, with_head=True, name="small"):
    inputs = keras.Input((8, 8, channels))
    x = keras.layers.Conv2D(6, 3, name="stem")(inputs)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    if with_head:
        x = keras.layers.Dense(classes, name="head")(x)
    return keras.Model(inputs, x, name=name)


def test_every_weight_is_accounted_for():
    source = small_model()
    source.get_layer("stem").set_weights(
        [np.full(w.shape, 0.5) for w in source.get_layer("stem").weights]
    )
    body = small_model(with_head=False)
    report = copy_weights_by_layer_name(source, body, "source")
    assert report.copied == ("stem", "stem_bn")
    assert report.reinitialised == ()
    assert report.unused == ("head",)
    np.testing.assert_array_equal(
        body.get_layer("stem").get_weights()[0], source.get_layer("stem").get_weights()[0]
    )


def test_a_mismatched_head_is_reinitialised_only_when_allowed():
    source, target = small_model(classes=4), small_model(classes=7)
    before = target.get_layer("head").get_weights()[0]
    report = copy_weights_by_layer_name(
        source, target, "source", reinitialise_if_mismatched=("head",)
    )
    assert report.reinitialised == ("head",)
    np.testing.assert_array_equal(target.get_layer("head").get_weights()[0], before)
    with pytest.raises(WeightsMismatchError, match="layer 'head' has"):
        copy_weights_by_layer_name(source, target, "source")


def test_a_target_layer_without_namesake_is_an_error():
    source = small_model(with_head=False)
    with pytest.raises(WeightsMismatchError, match="no layer 'head'"):
        copy_weights_by_layer_name(source, small_model(), "the source")


def test_adapt_transforms_a_layer_on_the_way():
    source, target = small_model(channels=3), small_model(channels=2)

    def first_two_channels(values, shapes):
        return [values[0][:, :, :2]] + values[1:]

    report = copy_weights_by_layer_name(
        source, target, "source", adapt={"stem": first_two_channels}
    )
    assert "stem" in report.copied
    np.testing.assert_array_equal(
        target.get_layer("stem").get_weights()[0],
        source.get_layer("stem").get_weights()[0][:, :, :2],
    )


def test_load_weights_file_uses_the_reference_graph(tmp_path):
    source = small_model(classes=4)
    path = tmp_path / "small.weights.h5"
    source.save_weights(path)
    built = []

    def build_reference(classes):
        built.append(classes)
        return small_model(classes=classes, name="reference")

    body = small_model(with_head=False)
    report = load_weights_file(body, path, build_reference, "Small", classes=4)
    assert built == [4] and report.unused == ("head",)
    with pytest.raises(WeightsFileError, match="not a weights file of Small with 9 classes"):
        load_weights_file(body, path, build_reference, "Small", classes=9)
    with pytest.raises(WeightsFileError, match="Small `.weights.h5` file"):
        load_weights_file(body, tmp_path / "small.h5", build_reference, "Small", classes=4)
    with pytest.raises(WeightsFileError, match="no such weights file"):
        load_weights_file(body, tmp_path / "absent.weights.h5", build_reference, "Small", classes=4)


def test_class_count_is_read_from_a_2d_classifier(tmp_path):
    from keras_i3d.models.inception_v1 import InceptionV1

    path = tmp_path / "inception_v1.weights.h5"
    InceptionV1(weights=None, classes=7, input_shape=(64, 64, 3)).save_weights(path)
    assert read_info(path).classes == 7
