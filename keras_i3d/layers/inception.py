"""`InceptionBlock3D`: I3D's inflated Inception module (the `Mixed_*` layers)."""

from keras_i3d.layers._serialization import register
from keras_i3d.layers.inception_module import InceptionModule
from keras_i3d.layers.unit3d import Unit3D


@register
class InceptionBlock3D(InceptionModule):
    """The Inception module of I3D (paper Fig. 3, right).

    Four branches whose outputs are concatenated on the channel axis:

    ```
    Branch_0: 1x1x1 conv
    Branch_1: 1x1x1 conv -> 3x3x3 conv
    Branch_2: 1x1x1 conv -> 3x3x3 conv
    Branch_3: 3x3x3 max-pool (stride 1, SAME) -> 1x1x1 conv
    ```

    Sub-layer names follow DeepMind's checkpoints with `/` replaced by `_`
    (Keras 3 layer names cannot hold `/`): `Branch_1_Conv3d_0b_3x3` is
    `Mixed_*/Branch_1/Conv3d_0b_3x3`.

    Args:
        filters: six ints, in DeepMind's order: branch 0; branch 1 reduce
            and 3x3x3; branch 2 reduce and 3x3x3; branch 3 after the pool.
        **kwargs: standard layer arguments.
    """

    RANK = 3
    UNIT = Unit3D
    BRANCH_LAYERS = (
        "Branch_0_Conv3d_0a_1x1",
        "Branch_1_Conv3d_0a_1x1",
        "Branch_1_Conv3d_0b_3x3",
        "Branch_2_Conv3d_0a_1x1",
        "Branch_2_Conv3d_0b_3x3",
        "Branch_3_Conv3d_0b_1x1",
    )
    POOL_NAME = "Branch_3_MaxPool3d_0a_3x3"
