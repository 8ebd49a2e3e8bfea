"""`keras_i3d.layers.fused`: the inference-only Inception block."""

import keras
import numpy as np

from keras_i3d.layers import FusedInceptionBlock3D
from keras_i3d.layers import InceptionBlock3D

FILTERS = (4, 3, 5, 2, 6, 7)


def test_merged_reduce_equals_three_separate_units():
    clip = np.random.default_rng(0).uniform(-1, 1, (1, 4, 6, 6, 8)).astype("float32")
    separate = FusedInceptionBlock3D(FILTERS, merge_reduce=False)
    merged = FusedInceptionBlock3D(FILTERS, merge_reduce=True)
    separate.build(clip.shape)
    merged.build(clip.shape)
    rng = np.random.default_rng(1)
    merged.set_weights([rng.normal(size=w.shape) for w in separate.weights])
    separate.set_weights(merged.get_weights())
    np.testing.assert_allclose(np.asarray(merged(clip)), np.asarray(separate(clip)), atol=1e-5)
    assert merged.compute_output_shape(clip.shape)[-1] == 4 + 5 + 6 + 7


def test_units_are_the_inception_block_units_without_batch_norm():
    block = FusedInceptionBlock3D(FILTERS)
    assert [unit.name for unit in block.units] == list(InceptionBlock3D.BRANCH_LAYERS)
    assert all(unit.batch_norm is None and unit.use_bias for unit in block.units)
    config = block.get_config()
    assert config["merge_reduce"] is True
    assert keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(block)
    ).merge_reduce
