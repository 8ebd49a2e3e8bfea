"""Fixtures and checks shared by the baseline tests."""

import keras
import numpy as np
import pytest

from keras_i3d.models.inception_v1 import InceptionV1

# Table 1 of Quo Vadis (Carreira & Zisserman, 2017), millions of parameters.
PAPER_PARAMS = {
    "ConvNetLSTM": 9e6,
    "C3D": 79e6,
    "TwoStream2D": 12e6,
    "FusedTwoStream3D": 39e6,
}
# The paper rounds to whole millions; 3% covers that and nothing more.
PAPER_TOLERANCE = 0.03


def assert_matches_paper(builder_name, count):
    paper = PAPER_PARAMS[builder_name]
    assert abs(count / paper - 1) < PAPER_TOLERANCE, (builder_name, count)


def assert_round_trip(model, inputs, tmp_path):
    """Saves to `.keras`, loads, and checks the outputs are the same."""
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    np.testing.assert_allclose(
        restored.predict(inputs, verbose=0),
        model.predict(inputs, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def assert_trains(model, inputs, classes):
    """One `model.fit` step on integer labels changes the weights."""
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    before = [np.array(w) for w in model.trainable_weights]
    batch = len(inputs[0]) if isinstance(inputs, list) else len(inputs)
    labels = np.arange(batch) % classes
    history = model.fit(inputs, labels, batch_size=batch, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = model.trainable_weights
    assert any(not np.allclose(b, np.array(a)) for b, a in zip(before, after))


@pytest.fixture(scope="session")
def imagenet_weights(tmp_path_factory):
    """An Inception-v1 `.weights.h5` file in the converter's layout."""
    keras.utils.set_random_seed(7)
    model = InceptionV1(weights=None, input_shape=(None, None, 3))
    path = tmp_path_factory.mktemp("imagenet") / "inception_v1.weights.h5"
    model.save_weights(path)
    return path, model
