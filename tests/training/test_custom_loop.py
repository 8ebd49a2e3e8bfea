import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.data.synthetic_motion import motion_dataset
from keras_i3d.training import CustomLoopTrainer
from keras_i3d.training.checkpoint import list_states
from tests.training.small_model import small_i3d


def _data(epoch):
    return motion_dataset(16, 4, clip_length=8, size=32, seed=3, shuffle_seed=epoch)


def _trainer(checkpoint_dir=None, checkpoint_every=None):
    keras.utils.set_random_seed(5)
    model = small_i3d(clip_length=8, size=32, dropout_rate=0.5)
    optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
    return CustomLoopTrainer(
        model, optimizer, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every
    )


def test_loss_decreases_on_the_motion_dataset():
    keras.utils.set_random_seed(0)
    model = small_i3d(clip_length=8, size=32)
    trainer = CustomLoopTrainer(model, keras.optimizers.SGD(0.05, momentum=0.9))
    data = motion_dataset(32, 8, clip_length=8, size=32, shuffle_seed=0)
    history = trainer.fit(data, epochs=6, steps_per_epoch=4)
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    assert history["top1"][-1] > history["top1"][0]
    assert set(history) == {"loss", "top1", "top5", "learning_rate"}


def test_resuming_from_a_mid_epoch_state_reaches_the_same_weights(tmp_path):
    reference = _trainer()
    reference.fit(_data, epochs=2, steps_per_epoch=4)

    first = _trainer(tmp_path, checkpoint_every=3)
    first.fit(_data, epochs=1, steps_per_epoch=4)
    # As if the process died after step 6: keep only the state of step 6.
    first.fit(_data, epochs=2, steps_per_epoch=4)
    for step, path in list_states(tmp_path):
        if step != 6:
            os.remove(path)
    resumed = _trainer(tmp_path, checkpoint_every=3)
    assert resumed.restore() == 6
    history = resumed.fit(_data, epochs=2, steps_per_epoch=4)
    assert resumed.global_step == 8
    assert len(history["loss"]) == 1
    for expected, actual in zip(reference.model.variables, resumed.model.variables):
        np.testing.assert_allclose(
            actual.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7, err_msg=actual.path
        )


def test_two_stream_outputs_sum_the_stream_losses():
    rgb = keras.Input((4, 8, 8, 3))
    flow = keras.Input((4, 8, 8, 2))
    logits = {
        "rgb_logits": keras.layers.Dense(3)(keras.layers.GlobalAveragePooling3D()(rgb)),
        "flow_logits": keras.layers.Dense(3)(keras.layers.GlobalAveragePooling3D()(flow)),
    }
    logits["predictions"] = keras.layers.Add()([logits["rgb_logits"], logits["flow_logits"]])
    model = keras.Model([rgb, flow], logits)
    random = np.random.RandomState(0)
    data = tf.data.Dataset.from_tensor_slices(
        (
            (
                random.rand(8, 4, 8, 8, 3).astype("float32"),
                random.rand(8, 4, 8, 8, 2).astype("float32"),
            ),
            np.arange(8) % 3,
        )
    ).batch(4)
    trainer = CustomLoopTrainer(model, keras.optimizers.SGD(0.1))
    statistics = trainer.evaluate(data)
    outputs = model((random.rand(1, 4, 8, 8, 3), random.rand(1, 4, 8, 8, 2)))
    assert set(outputs) == {"rgb_logits", "flow_logits", "predictions"}
    # Two untrained 3-class softmax losses: about 2 * log(3).
    assert statistics["loss"] == pytest.approx(2 * np.log(3), rel=0.3)
    history = trainer.fit(data, epochs=2, steps_per_epoch=2)
    assert np.isfinite(history["loss"]).all()


def test_bad_arguments():
    trainer = _trainer()
    with pytest.raises(ValueError, match="steps_per_epoch"):
        trainer.fit(_data, epochs=1, steps_per_epoch=0)
    with pytest.raises(ValueError, match="checkpoint_every"):
        CustomLoopTrainer(trainer.model, trainer.optimizer, checkpoint_every=0)
    with pytest.raises(ValueError, match="no batches"):
        trainer.evaluate(_data(0).take(0))
