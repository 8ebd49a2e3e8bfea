import numpy as np
import pytest

from keras_i3d.training.schedules import cosine_schedule
from keras_i3d.training.schedules import paper_step_schedule
from keras_i3d.training.schedules import step_drop_on_plateau


def _at(schedule, step):
    return float(schedule(step))


def test_paper_schedule_drops_at_97k_and_108k():
    schedule = paper_step_schedule(0.1)
    assert _at(schedule, 0) == pytest.approx(0.1)
    assert _at(schedule, 97_000) == pytest.approx(0.1)
    assert _at(schedule, 97_001) == pytest.approx(0.01)
    assert _at(schedule, 108_001) == pytest.approx(0.001)


def test_paper_schedule_scales_to_the_run_length():
    schedule = paper_step_schedule(0.01, total_steps=1150)
    assert _at(schedule, 970) == pytest.approx(0.01)
    assert _at(schedule, 971) == pytest.approx(0.001)
    assert _at(schedule, 1081) == pytest.approx(0.0001)
    with pytest.raises(ValueError, match="total_steps"):
        paper_step_schedule(0.1, total_steps=1)


def test_cosine_with_warmup():
    schedule = cosine_schedule(0.1, total_steps=100, warmup_steps=10)
    assert _at(schedule, 0) == pytest.approx(0.0)
    assert _at(schedule, 10) == pytest.approx(0.1)
    assert _at(schedule, 55) == pytest.approx(0.05, rel=1e-3)
    assert _at(schedule, 100) == pytest.approx(0.0, abs=1e-7)
    assert _at(cosine_schedule(0.1, 100), 0) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="warmup_steps"):
        cosine_schedule(0.1, 10, warmup_steps=10)


def test_plateau_drop_divides_by_ten_in_the_custom_loop():
    import keras
    import tensorflow as tf

    from keras_i3d.training import CustomLoopTrainer

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    # Labels that no model can fit: validation loss cannot keep improving.
    data = tf.data.Dataset.from_tensor_slices(
        (np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]))
    ).batch(4)
    trainer = CustomLoopTrainer(model, keras.optimizers.SGD(0.1))
    history = trainer.fit(
        data,
        epochs=4,
        steps_per_epoch=1,
        validation_data=data,
        callbacks=[step_drop_on_plateau(patience=1, min_lr=1e-6)],
    )
    rates = history["learning_rate"]
    assert rates[0] == pytest.approx(0.1)
    assert min(rates) <= 0.01 * (1 + 1e-6)
