"""A copy of a model whose 3D pools are 2D pools, for a builtins-only LiteRT.

LiteRT has no builtin 3D pools; `keras_i3d.layers.pool_as_2d` computes them
exactly as two 2D pools. `rewrite_3d_pools` swaps them into a model: the
model's own `MaxPooling3D`/`AveragePooling3D` layers, and the pools that a
layer holds as an attribute (the `Branch_3` pool of every `Mixed_*` block).
"""

import keras

from keras_i3d.layers.pool_as_2d import POOLS_AS_2D
from keras_i3d.layers.pool_as_2d import as_2d_pool


class PoolRewriteError(ValueError):
    """A 3D pool of the model could not be rewritten as 2D pools."""


def _held_pools(layer):
    """`{attribute: pool}` of the 3D pools `layer` holds as attributes."""
    return {name: value for name, value in vars(layer).items() if type(value) in POOLS_AS_2D}


def remaining_3d_pools(model):
    """The names of the 3D pool layers anywhere in `model`."""
    return [
        layer.name
        for layer in model._flatten_layers(include_self=False)
        if type(layer) in POOLS_AS_2D
    ]


def rewrite_3d_pools(model):
    """Returns a copy of `model` computing its 3D pools with 2D pools.

    The copy shares every layer without a 3D pool with `model` (and so its
    weights); layers that hold a pool are rebuilt from their config with the
    pool replaced, and their weights copied. Outputs are equal to `model`'s
    (max pools exactly, average pools up to float rounding).

    Args:
        model: a functional `keras.Model` (such as `keras_i3d.I3D`).

    Returns:
        A functional `keras.Model` with the same inputs, outputs and layer
        names, holding `MaxPooling3DAs2D`/`AveragePooling3DAs2D` instead of
        `MaxPooling3D`/`AveragePooling3D`.

    Raises:
        PoolRewriteError: a 3D pool is held deeper than one layer down (in a
            list, or in a nested layer's own layer), where this rewrite does
            not reach.

    Example:

    >>> model = rewrite_3d_pools(I3D(weights=None))  # doctest: +SKIP
    >>> type(model.get_layer("MaxPool3d_2a_3x3")).__name__  # doctest: +SKIP
    'MaxPooling3DAs2D'
    """
    rebuilt = []

    def clone_layer(layer):
        if type(layer) in POOLS_AS_2D:
            return as_2d_pool(layer)
        held = _held_pools(layer)
        if not held:
            return layer
        copy = layer.__class__.from_config(layer.get_config())
        for attribute, pool in held.items():
            copy._tracker.untrack(vars(copy)[attribute])
            setattr(copy, attribute, as_2d_pool(pool))
        rebuilt.append((layer, copy))
        return copy

    rewritten = keras.models.clone_model(model, clone_function=clone_layer, recursive=True)
    for original, copy in rebuilt:
        copy.set_weights(original.get_weights())
    left = remaining_3d_pools(rewritten)
    if left:
        raise PoolRewriteError(
            f"{model.name}: the 3D pools {left} are nested where the 2D-pool "
            "rewrite does not reach (it replaces the model's pool layers "
            "and the pools its layers hold as attributes). Received: a "
            f"model with {len(left)} such pools"
        )
    return rewritten
