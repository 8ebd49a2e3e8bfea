"""`get_model` and `list_models`: every paper architecture by name."""

import pytest

import keras_i3d
from keras_i3d.data import PAPER_INPUTS
from keras_i3d.models import get_model
from keras_i3d.models import list_models


def test_the_registry_names_are_the_paper_input_names():
    assert list_models() == sorted(PAPER_INPUTS)
    assert keras_i3d.get_model is get_model
    assert keras_i3d.list_models is list_models


def test_list_models_filters_like_torchvision():
    assert list_models(include="i3d_*") == ["i3d_flow", "i3d_rgb"]
    assert list_models(include=["c3d", "convnet_*"]) == ["c3d", "convnet_lstm"]
    assert list_models(include="*two_stream*", exclude="*i3d") == [
        "fused_two_stream_3d",
        "two_stream_2d",
    ]
    assert list_models(include="resnet*") == []


def test_an_unknown_name_lists_the_available_ones():
    with pytest.raises(ValueError) as error:
        get_model("i3d")
    assert str(error.value) == (f"Unknown model 'i3d'. Available: {list_models()}")


def test_the_name_fixes_the_i3d_stream():
    model = get_model(
        "i3d_flow", weights=None, include_top=False, pooling="avg", input_shape=(8, 32, 32, 2)
    )
    assert model.name == "i3d_flow"
    assert model.input_shape == (None, 8, 32, 32, 2)
    assert model.output_shape == (None, 1024)
    same = get_model(
        "i3d_rgb", stream="rgb", weights=None, include_top=False, input_shape=(8, 32, 32, 3)
    )
    assert same.input_shape == (None, 8, 32, 32, 3)
    with pytest.raises(
        ValueError,
        match=r"Model 'i3d_rgb' has "
        r"`stream='rgb'`. Received: stream='flow'",
    ):
        get_model("i3d_rgb", stream="flow", weights=None)


def test_keras_applications_arguments_reach_the_builder():
    model = get_model(
        "c3d", input_shape=(4, 32, 32, 3), classes=7, classifier_activation=None, name="small_c3d"
    )
    assert model.name == "small_c3d"
    assert model.output_shape == (None, 7)


def test_a_two_stream_view_gives_the_rgb_shape_and_flow_stack():
    from keras_i3d.data import InputView

    view = InputView(steps=2, spacing=3, flow_stack=3)
    model = get_model("fused_two_stream_3d", input_shape=view.input_shapes(32), classes=4)
    assert [tuple(x.shape) for x in model.inputs] == [(None, 2, 32, 32, 3), (None, 2, 32, 32, 6)]
    model = get_model("two_stream_2d", input_shape=(1, 32, 32, 3), flow_stack=2, classes=4)
    assert tuple(model.inputs[1].shape) == (None, 1, 32, 32, 4)


def test_two_stream_i3d_takes_its_clip_length_from_the_shapes():
    model = get_model(
        "two_stream_i3d", weights=None, input_shape=((9, 193, 193, 3), (9, 193, 193, 2)), classes=3
    )
    assert [tuple(x.shape) for x in model.inputs] == [
        (None, 9, 193, 193, 3),
        (None, 9, 193, 193, 2),
    ]
    assert model.get_layer("i3d_rgb").output_shape == (None, 3)


@pytest.mark.parametrize(
    "name, input_shape, message",
    [
        ("c3d", ((4, 32, 32, 3), (4, 32, 32, 2)), "takes one input shape"),
        ("two_stream_2d", ((1, 32, 32, 3), (1, 16, 16, 20)), "same steps"),
        ("two_stream_2d", ((1, 32, 32, 3), (1, 32, 32, 5)), "multiple of 2"),
        (
            "two_stream_i3d",
            ((9, 193, 193, 3), (9, 193, 193, 20)),
            r"3 \(RGB\) and 2 \(flow\) channels",
        ),
        ("i3d_rgb", (32, 32, 3), r"\(steps, height, width, channels\)"),
    ],
)
def test_input_shapes_a_model_cannot_take_are_refused(name, input_shape, message):
    with pytest.raises(ValueError, match=message):
        get_model(name, weights=None, input_shape=input_shape)


def test_a_flow_stack_that_contradicts_the_flow_shape_are_refused():
    with pytest.raises(ValueError, match="says 10 flow frames"):
        get_model("two_stream_2d", flow_stack=5, input_shape=((1, 32, 32, 3), (1, 32, 32, 20)))
