"""`InceptionBlock2D`: the Inception module of 2D Inception-v1 (`Mixed_*`)."""

from keras_i3d.layers._serialization import register
from keras_i3d.layers.inception_module import InceptionModule
from keras_i3d.layers.unit2d import Unit2D


@register
class InceptionBlock2D(InceptionModule):
    """The Inception module of Inception-v1 with batch norm (TF-slim layout).

    The 2D twin of `InceptionBlock3D`; four branches concatenated on the
    channel axis:

    ```
    Branch_0: 1x1 conv
    Branch_1: 1x1 conv -> 3x3 conv
    Branch_2: 1x1 conv -> 3x3 conv
    Branch_3: 3x3 max-pool (stride 1, SAME) -> 1x1 conv
    ```

    Sub-layer names are TF-slim's scopes with `/` replaced by `_`:
    `Branch_1_Conv2d_0b_3x3` is `Mixed_*/Branch_1/Conv2d_0b_3x3`. (Slim's
    `Mixed_5b` names its branch-2 3x3 conv `Conv2d_0a_3x3`; the Keras name
    stays uniform and the weights converter maps the quirk.) The units are
    kept in `self.units` in the same order as `InceptionBlock3D.units`, which
    inflation relies on.

    Args:
        filters: six ints: branch 0; branch 1 reduce and 3x3; branch 2
            reduce and 3x3; branch 3 after the pool.
        **kwargs: standard layer arguments.
    """

    RANK = 2
    UNIT = Unit2D
    BRANCH_LAYERS = (
        "Branch_0_Conv2d_0a_1x1",
        "Branch_1_Conv2d_0a_1x1",
        "Branch_1_Conv2d_0b_3x3",
        "Branch_2_Conv2d_0a_1x1",
        "Branch_2_Conv2d_0b_3x3",
        "Branch_3_Conv2d_0b_1x1",
    )
    POOL_NAME = "Branch_3_MaxPool_0a_3x3"
