"""`input_tensor`: every baseline builds on the caller's Keras tensors."""

import keras
import pytest

from keras_i3d.models.baselines.c3d import C3D
from keras_i3d.models.baselines.convnet_lstm import ConvNetLSTM
from keras_i3d.models.baselines.fused_two_stream import FusedTwoStream3D
from keras_i3d.models.baselines.two_stream_2d import TwoStream2D


@pytest.mark.parametrize(
    "builder, shape",
    [(C3D, (8, 32, 32, 3)), (ConvNetLSTM, (4, 32, 32, 3))],
    ids=["C3D", "ConvNetLSTM"],
)
def test_single_stream_baselines_adopt_input_tensor(builder, shape):
    clip = keras.Input(shape, name="my_clip")
    model = builder(input_tensor=clip, include_top=False, pooling="avg")
    assert model.inputs[0] is clip
    assert model.input_shape == (None,) + shape


@pytest.mark.parametrize(
    "builder", [TwoStream2D, FusedTwoStream3D], ids=["TwoStream2D", "FusedTwoStream3D"]
)
def test_two_stream_baselines_adopt_an_input_tensor_pair(builder):
    rgb = keras.Input((5, 32, 32, 3), name="my_rgb")
    flow = keras.Input((5, 32, 32, 20), name="my_flow")
    model = builder(input_tensor=(rgb, flow), classes=7)
    assert model.inputs[0] is rgb and model.inputs[1] is flow
    assert model.output_shape == (None, 7)


def test_two_stream_input_tensor_must_be_a_pair_with_stacked_flow():
    rgb = keras.Input((5, 32, 32, 3))
    with pytest.raises(ValueError, match="pair"):
        TwoStream2D(input_tensor=rgb)
    with pytest.raises(ValueError, match="20 input channels"):
        TwoStream2D(input_tensor=(rgb, keras.Input((5, 32, 32, 2))))
