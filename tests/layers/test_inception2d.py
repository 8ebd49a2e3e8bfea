import numpy as np
import pytest

from keras_i3d.layers.inception2d import InceptionBlock2D


def test_output_channels_and_config():
    block = InceptionBlock2D((64, 96, 128, 16, 32, 32), name="Mixed_3b")
    out = block(np.zeros((1, 7, 7, 192), "float32"))
    assert out.shape == (1, 7, 7, 256)
    clone = InceptionBlock2D.from_config(block.get_config())
    assert clone.filters == block.filters
    assert [u.name for u in clone.units] == list(InceptionBlock2D.BRANCH_LAYERS)


def test_rejects_wrong_filter_count():
    with pytest.raises(ValueError, match="6 ints"):
        InceptionBlock2D((64, 96, 128))
