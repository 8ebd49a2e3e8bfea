import csv

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.data.synthetic_motion import motion_dataset
from keras_i3d.training import TrainingConfig
from keras_i3d.training import compile_model
from keras_i3d.training import fit
from keras_i3d.training import make_optimizer
from keras_i3d.training.recipe import learning_rate_for
from tests.training.small_model import small_i3d


def _config(**overrides):
    values = dict(
        classes=4, epochs=2, steps_per_epoch=2, learning_rate=0.05, clip_length=8, crop_size=32
    )
    values.update(overrides)
    return TrainingConfig(**values)


def test_paper_defaults():
    config = TrainingConfig(classes=400)
    assert (config.momentum, config.dropout_rate, config.weight_decay, config.learning_rate) == (
        0.9,
        0.5,
        1e-7,
        0.1,
    )
    optimizer = make_optimizer(config)
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == 0.9 and optimizer.weight_decay == 1e-7
    with pytest.raises(ValueError, match="schedule"):
        TrainingConfig(classes=2, schedule="linear")
    with pytest.raises(ValueError, match="stream"):
        TrainingConfig(classes=2, stream="depth")


def test_schedules_from_the_config():
    steps = learning_rate_for(_config(schedule="paper_steps", epochs=115, steps_per_epoch=10))
    assert float(steps(971)) == pytest.approx(0.005)
    cosine = learning_rate_for(_config(schedule="cosine", warmup_steps=1))
    assert float(cosine(1)) == pytest.approx(0.05)
    assert learning_rate_for(_config()) == 0.05


def test_fit_writes_logs_checkpoints_curves_and_resumes(tmp_path):
    config = _config()
    keras.utils.set_random_seed(0)
    model = small_i3d()
    compile_model(model, config)
    train = motion_dataset(8, 4, shuffle_seed=0)
    validation = motion_dataset(8, 4, seed=1)
    history = fit(model, train, validation, config, tmp_path, verbose=0)
    assert set(history.history) >= {"loss", "top1", "top5", "val_loss", "val_top1", "val_top5"}
    for name in ("log.csv", "curves.png", "best.weights.h5"):
        assert (tmp_path / name).is_file(), name
    assert any((tmp_path / "tensorboard").rglob("events.out.tfevents.*"))
    assert len(list((tmp_path / "state").glob("state-*.npz"))) == 2

    # A new process would build the same model and call fit again: it
    # resumes after the last finished epoch.
    resumed = small_i3d()
    compile_model(resumed, _config(epochs=3))
    history = fit(resumed, train, validation, _config(epochs=3), tmp_path, verbose=0)
    assert len(history.history["loss"]) == 1
    with open(tmp_path / "log.csv") as file:
        epochs = [int(row["epoch"]) for row in csv.DictReader(file)]
    assert epochs == [0, 1, 2]


def test_short_run_knobs_reach_the_model():
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()]
    )
    assert model.layers[1].momentum == 0.99
    compile_model(model, _config(batch_norm_momentum=0.9, clipnorm=1.0, jit_compile=False))
    assert model.layers[1].momentum == 0.9
    assert model.jit_compile is False
    assert model.optimizer.clipnorm == 1.0
    compile_model(model, _config())
    assert model.optimizer.clipnorm is None
    with pytest.raises(ValueError, match="batch_norm_momentum"):
        _config(batch_norm_momentum=1.0)
    with pytest.raises(ValueError, match="clipnorm"):
        _config(clipnorm=0)


def test_mixed_float16_compile_adds_loss_scaling():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, dtype="mixed_float16")])
    model.dtype_policy = keras.mixed_precision.Policy("mixed_float16")
    compile_model(model, _config(classes=2))
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_two_stream_models_get_a_loss_per_stream(tmp_path):
    rgb = keras.Input((4, 8, 8, 3))
    flow = keras.Input((4, 8, 8, 2))
    rgb_logits = keras.layers.Dense(4, name="rgb_dense")(keras.layers.GlobalAveragePooling3D()(rgb))
    flow_logits = keras.layers.Dense(4, name="flow_dense")(
        keras.layers.GlobalAveragePooling3D()(flow)
    )
    outputs = {
        "rgb_logits": keras.layers.Identity(name="rgb_logits")(rgb_logits),
        "flow_logits": keras.layers.Identity(name="flow_logits")(flow_logits),
        "predictions": keras.layers.Add(name="predictions")([rgb_logits, flow_logits]),
    }
    model = keras.Model([rgb, flow], outputs)
    random = np.random.RandomState(0)
    data = tf.data.Dataset.from_tensor_slices(
        (
            (
                random.rand(8, 4, 8, 8, 3).astype("float32"),
                random.rand(8, 4, 8, 8, 2).astype("float32"),
            ),
            np.arange(8) % 4,
        )
    ).batch(4)
    config = _config(schedule="constant")
    history = fit(model, data, data, config, tmp_path, verbose=0)
    assert {"rgb_logits_loss", "flow_logits_loss", "val_predictions_top1"} <= set(history.history)


def test_build_classifier_gives_two_stream_i3d_its_input_shape():
    from keras_i3d.training import build_classifier

    config = TrainingConfig(classes=3, stream="two_stream", clip_length=16, dropout_rate=0.2)
    # The override used to be ignored for two-stream models.
    model = build_classifier(config, weights=None, input_shape=(9, 193, 193, 3))
    assert [tuple(x.shape) for x in model.inputs] == [
        (None, 9, 193, 193, 3),
        (None, 9, 193, 193, 2),
    ]
    assert model.get_layer("i3d_flow").output_shape == (None, 3)
    assert model.get_layer("i3d_rgb").get_layer("Logits_Dropout").rate == 0.2
    flow = build_classifier(TrainingConfig(classes=3, stream="flow"), weights=None)
    assert flow.name == "i3d_flow"
    assert flow.input_shape == (None, 64, 224, 224, 2)
