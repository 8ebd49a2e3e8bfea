import keras
import numpy as np
import pytest

from keras_i3d.training.precision import needs_loss_scaling
from keras_i3d.training.precision import precision_for_device
from keras_i3d.training.precision import set_precision
from keras_i3d.training.precision import with_loss_scaling


@pytest.fixture
def restore_policy():
    policy = keras.mixed_precision.dtype_policy()
    yield
    keras.mixed_precision.set_dtype_policy(policy)


def test_policy_per_device():
    assert precision_for_device("gpu") == "mixed_float16"
    assert precision_for_device("cpu") == "mixed_bfloat16"
    assert precision_for_device("tpu") == "mixed_bfloat16"
    with pytest.raises(ValueError, match="device"):
        precision_for_device("npu")


def test_auto_on_this_cpu_machine_is_bfloat16(restore_policy):
    from keras_i3d.training.precision import has_gpu

    expected = "mixed_float16" if has_gpu() else "mixed_bfloat16"
    assert set_precision("auto") == expected
    assert keras.mixed_precision.dtype_policy().name == expected
    with pytest.raises(ValueError, match="precision"):
        set_precision("float8")


def test_loss_scaling_only_for_float16():
    assert needs_loss_scaling("mixed_float16")
    assert not needs_loss_scaling("mixed_bfloat16")
    sgd = keras.optimizers.SGD(0.1)
    assert with_loss_scaling(sgd, "float32") is sgd
    assert with_loss_scaling(sgd, "mixed_bfloat16") is sgd
    wrapped = with_loss_scaling(sgd, "mixed_float16")
    assert isinstance(wrapped, keras.optimizers.LossScaleOptimizer)
    assert with_loss_scaling(wrapped, "mixed_float16") is wrapped


def test_small_i3d_trains_in_bfloat16_on_cpu(restore_policy):
    from keras_i3d.data.synthetic_motion import motion_dataset
    from keras_i3d.training import CustomLoopTrainer
    from tests.training.small_model import small_i3d

    set_precision("mixed_bfloat16")
    model = small_i3d(clip_length=4, size=16)
    assert model.get_layer("Conv3d_1a_7x7").compute_dtype == "bfloat16"
    assert model.get_layer("Conv3d_1a_7x7").variable_dtype == "float32"
    trainer = CustomLoopTrainer(model, keras.optimizers.SGD(0.05, momentum=0.9))
    history = trainer.fit(motion_dataset(8, 4, clip_length=4, size=16), 1, 2)
    assert np.isfinite(history["loss"][0])


def test_float16_step_uses_a_loss_scale_optimizer(restore_policy):
    from keras_i3d.training import CustomLoopTrainer

    set_precision("mixed_float16")
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(8), keras.layers.Dense(3, dtype="float32")]
    )
    trainer = CustomLoopTrainer(model, keras.optimizers.SGD(0.1))
    assert isinstance(trainer.optimizer, keras.optimizers.LossScaleOptimizer)
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices(
        (np.random.RandomState(0).randn(8, 6).astype("float32"), np.arange(8) % 3)
    ).batch(4)
    before = model.layers[0].kernel.numpy().copy()
    trainer.fit(data, 1, 2)
    assert not np.array_equal(before, model.layers[0].kernel.numpy())
