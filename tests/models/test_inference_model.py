"""`inference_model`: the graph every inference path runs, fused by default."""

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.cli.options import INFERENCE_PRECISIONS as CLI_PRECISIONS
from keras_i3d.models.fused import INFERENCE_PRECISIONS
from keras_i3d.models.fused import NotAnI3DError
from keras_i3d.models.fused import inference_model
from keras_i3d.models.fused import is_i3d
from keras_i3d.models.fused import pretrained_inference_model
from keras_i3d.preprocessing import preprocess_input

# What "exact" means for the fused default (issue 12): float32 logits
# within this of the reference graph's, on a real clip.
EXACT_LOGITS = 1e-4


def test_the_fused_float32_default_is_exact_on_a_real_clip(installed_kinetics400):
    from keras_i3d.export.check_clip import load_check_clip

    clip = preprocess_input(load_check_clip("rgb", clip_length=32)[None], stream="rgb")
    reference = I3D(weights="kinetics400", classifier_activation=None)
    fused = inference_model(reference)
    assert fused is not reference and fused.name.endswith("_fused")
    expected = np.asarray(reference(clip, training=False))
    logits = np.asarray(fused(clip, training=False))
    assert logits.dtype == np.float32
    assert np.abs(logits - expected).max() < EXACT_LOGITS
    assert int(logits.argmax()) == 6  # arm wrestling
    # Built once from the checkpoint's reference graph: the same numbers.
    built_once = pretrained_inference_model("kinetics400")
    np.testing.assert_array_equal(np.asarray(built_once(clip, training=False)), logits)
    reference_once = pretrained_inference_model("kinetics400", fused=False)
    np.testing.assert_array_equal(np.asarray(reference_once(clip, training=False)), expected)


def test_the_reference_and_bfloat16_on_request():
    reference = I3D(weights=None, input_shape=(16, 224, 224, 3))
    assert inference_model(reference, fused=False) is reference
    bfloat16 = inference_model(reference, precision="mixed_bfloat16")
    assert bfloat16.get_layer("Mixed_3b").dtype_policy.compute_dtype == "bfloat16"
    with pytest.raises(ValueError, match="float32 only.*fused=False"):
        inference_model(reference, fused=False, precision="mixed_bfloat16")
    with pytest.raises(ValueError, match="Received: precision='float16'"):
        inference_model(reference, precision="float16")


def test_only_an_i3d_is_fused():
    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert not is_i3d(other)
    assert is_i3d(I3D(weights=None))
    with pytest.raises(NotAnI3DError):
        inference_model(other)
    assert inference_model(other, fused=False) is other


def test_the_command_line_offers_the_same_precisions():
    assert CLI_PRECISIONS == INFERENCE_PRECISIONS


def test_a_model_with_a_head_of_its_own_is_not_fused():
    from tests.training.small_model import small_i3d

    model = small_i3d(classes=2)
    assert not is_i3d(model)
    with pytest.raises(NotAnI3DError, match=r"drop the layers \['Logits'\]"):
        inference_model(model)
