"""Converts a TF-slim `inception_v1` checkpoint into a keras-i3d weights file.

The source is a checkpoint of TF-slim's `nets/inception_v1.py` (for example
`inception_v1_2016_08_28/inception_v1.ckpt`, 1001 classes), whose variables
are named after slim's scopes:

```
InceptionV1/Conv2d_1a_7x7/weights
InceptionV1/Conv2d_1a_7x7/BatchNorm/beta|moving_mean|moving_variance
InceptionV1/Mixed_3b/Branch_1/Conv2d_0b_3x3/weights
InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/weights    (slim's naming quirk)
InceptionV1/Logits/Conv2d_0c_1x1/weights|biases
```

The script maps every variable onto `keras_i3d.models.inception_v1.
InceptionV1` (class count read from the checkpoint), fails if a variable is
missing, unused or of the wrong shape, runs the converted model and an
independent forward pass written in raw TensorFlow ops on the checkpoint's
arrays on the same random images, fails if they differ by more than the
tolerance, and writes a `.weights.h5` file that `InceptionV1(weights=...)`,
the 2D baselines and `keras_i3d.training.inflation.inflated_i3d` load.

Usage:

```
python weights_conversion/convert_tfslim_inception_v1.py \
    inception_v1.ckpt --out inception_v1_imagenet.weights.h5
```

Exit status 0 on success, 1 on any mismatch (the reason on stderr).
"""

import argparse
import os
import sys

import numpy as np

SCOPE = "InceptionV1"
# Bookkeeping variables slim's training scripts save beside the network.
IGNORED_VARIABLES = ("global_step",)
BATCH_NORM_EPSILON = 1e-3  # slim's inception_arg_scope.
BATCH_NORM_VARIABLES = ("beta", "moving_mean", "moving_variance")


class ConversionError(ValueError):
    """The checkpoint does not match Inception-v1 or the outputs differ."""


def slim_unit_scope(block_name, unit_name):
    """Returns slim's scope of a `Unit2D`, e.g. `InceptionV1/Mixed_3b/...`.

    Args:
        block_name: the Keras layer name (`Conv2d_1a_7x7`, `Mixed_5b`,
            `Logits_Conv2d_0c_1x1`).
        unit_name: the unit's name inside an Inception block
            (`Branch_2_Conv2d_0b_3x3`), or None for a stem or head unit.
    """
    if unit_name is None:
        if block_name.startswith("Logits_"):
            return f"{SCOPE}/Logits/{block_name[len('Logits_') :]}"
        return f"{SCOPE}/{block_name}"
    branch, conv = unit_name[: len("Branch_0")], unit_name[len("Branch_0_") :]
    if block_name == "Mixed_5b" and unit_name == "Branch_2_Conv2d_0b_3x3":
        # slim's inception_v1.py names this one conv `Conv2d_0a_3x3`.
        conv = "Conv2d_0a_3x3"
    return f"{SCOPE}/{block_name}/{branch}/{conv}"


def variable_map(model):
    """Maps each slim variable name onto the Keras variable it fills.

    Args:
        model: an `InceptionV1` model.

    Returns:
        A dict `{slim variable name: keras.Variable}`.
    """
    from keras_i3d.layers.inception2d import InceptionBlock2D
    from keras_i3d.layers.unit2d import Unit2D

    units = []
    for layer in model.layers:
        if isinstance(layer, InceptionBlock2D):
            units += [(slim_unit_scope(layer.name, u.name), u) for u in layer.units]
        elif isinstance(layer, Unit2D):
            units.append((slim_unit_scope(layer.name, None), layer))
    mapping = {}
    for scope, unit in units:
        mapping[f"{scope}/weights"] = unit.conv_2d.kernel
        if unit.use_bias:
            mapping[f"{scope}/biases"] = unit.conv_2d.bias
        if unit.batch_norm is not None:
            for name in BATCH_NORM_VARIABLES:
                mapping[f"{scope}/BatchNorm/{name}"] = getattr(unit.batch_norm, name)
    return mapping


def read_checkpoint(checkpoint):
    """Returns `{name: array}` for every variable of a TF checkpoint."""
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(checkpoint)
    except (ValueError, tf.errors.OpError) as error:
        raise ConversionError(f"Cannot read checkpoint {checkpoint!r}: {error}") from None
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def convert(variables):
    """Builds an `InceptionV1` and fills it from slim's variables.

    Args:
        variables: `{slim name: array}` from `read_checkpoint`.

    Returns:
        The Keras model (logits output, any image size).

    Raises:
        ConversionError: on a missing, unused or misshapen variable.
    """
    from keras_i3d.models.inception_v1 import InceptionV1

    bias_name = f"{SCOPE}/Logits/Conv2d_0c_1x1/biases"
    if bias_name not in variables:
        raise ConversionError(
            f"The checkpoint has no {bias_name!r}: it is not a TF-slim "
            "inception_v1 checkpoint with its classifier."
        )
    classes = int(variables[bias_name].shape[0])
    model = InceptionV1(
        weights=None,
        classes=classes,
        input_shape=(None, None, 3),
        classifier_activation=None,
    )
    mapping = variable_map(model)
    source = set(variables) - set(IGNORED_VARIABLES)
    missing = sorted(set(mapping) - source)
    unused = sorted(source - set(mapping))
    if missing or unused:
        raise ConversionError(
            f"The checkpoint does not match Inception-v1: {len(missing)} "
            f"variables missing {missing[:10]}, {len(unused)} unused "
            f"{unused[:10]}."
        )
    for name, variable in mapping.items():
        value = variables[name]
        if tuple(value.shape) != tuple(variable.shape):
            raise ConversionError(
                f"{name} has shape {value.shape}, the Keras model needs {tuple(variable.shape)}."
            )
        variable.assign(value.astype("float32"))
    return model


def reference_logits(variables, images):
    """Slim's inception_v1 forward pass in raw TensorFlow ops.

    Independent of the Keras layers: it reads the checkpoint's arrays by
    slim name and applies `tf.nn` convs ("SAME"), inference batch norm with
    slim's epsilon, ReLU, max pools, the average pool and the classifier.
    The network order and pool sizes follow `INCEPTION_V1_BODY`.
    """
    import tensorflow as tf

    from keras_i3d.models.inception_v1 import INCEPTION_V1_BODY

    def unit(x, scope, stride=1):
        kernel = variables[f"{scope}/weights"]
        x = tf.nn.conv2d(x, kernel, stride, "SAME")
        bn = f"{scope}/BatchNorm"
        x = tf.nn.batch_normalization(
            x,
            variables[f"{bn}/moving_mean"],
            variables[f"{bn}/moving_variance"],
            offset=variables[f"{bn}/beta"],
            scale=None,
            variance_epsilon=BATCH_NORM_EPSILON,
        )
        return tf.nn.relu(x)

    def mixed(x, name):
        def scope(branch, conv):
            return f"{SCOPE}/{name}/{branch}/{conv}"

        conv_2b = "Conv2d_0a_3x3" if name == "Mixed_5b" else "Conv2d_0b_3x3"
        branches = [
            unit(x, scope("Branch_0", "Conv2d_0a_1x1")),
            unit(unit(x, scope("Branch_1", "Conv2d_0a_1x1")), scope("Branch_1", "Conv2d_0b_3x3")),
            unit(unit(x, scope("Branch_2", "Conv2d_0a_1x1")), scope("Branch_2", conv_2b)),
            unit(tf.nn.max_pool2d(x, 3, 1, "SAME"), scope("Branch_3", "Conv2d_0b_1x1")),
        ]
        return tf.concat(branches, axis=-1)

    x = tf.constant(images, dtype=tf.float32)
    for endpoint, kind, arguments in INCEPTION_V1_BODY:
        if kind == "unit":
            x = unit(x, f"{SCOPE}/{endpoint}", stride=arguments[2][0])
        elif kind == "pool":
            x = tf.nn.max_pool2d(x, arguments[0], arguments[1], "SAME")
        else:
            x = mixed(x, endpoint)
    x = tf.reduce_mean(x, axis=(1, 2), keepdims=True)
    logits_scope = f"{SCOPE}/Logits/Conv2d_0c_1x1"
    x = tf.nn.conv2d(x, variables[f"{logits_scope}/weights"], 1, "SAME")
    x = x + variables[f"{logits_scope}/biases"]
    return tf.squeeze(x, axis=(1, 2)).numpy()


def compare(model, variables, image_size, seed=0):
    """Max absolute logit difference, Keras model vs. the reference."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (2, image_size, image_size, 3))
    images = images.astype("float32")
    converted = np.asarray(model.predict(images, verbose=0))
    reference = reference_logits(variables, images)
    return float(np.abs(converted - reference).max())


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert a TF-slim inception_v1 checkpoint into an "
        "InceptionV1 .weights.h5 file, checking every variable and the "
        "outputs."
    )
    parser.add_argument(
        "checkpoint",
        help="checkpoint prefix (e.g. inception_v1.ckpt, without .index)",
    )
    parser.add_argument(
        "--out",
        required=True,
        help="the .weights.h5 file to write",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1e-4,
        help="largest allowed absolute logit difference to the reference "
        "forward pass (default 1e-4)",
    )
    parser.add_argument(
        "--image-size",
        type=int,
        default=224,
        help="side of the random test images (default 224)",
    )
    args = parser.parse_args(argv)
    if not args.out.endswith(".weights.h5"):
        print(f"error: --out must end in .weights.h5: {args.out}", file=sys.stderr)
        return 1
    try:
        variables = read_checkpoint(args.checkpoint)
        model = convert(variables)
        difference = compare(model, variables, args.image_size)
        if not difference <= args.tolerance:
            raise ConversionError(
                f"Converted logits differ from the reference by "
                f"{difference:.3g} > tolerance {args.tolerance:.3g}."
            )
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    output_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(output_dir, exist_ok=True)
    model.save_weights(args.out)
    used = len(variable_map(model))
    ignored = sorted(set(variables) & set(IGNORED_VARIABLES))
    print(
        f"converted {used} of {len(variables)} variables "
        f"(ignored: {ignored or 'none'}), "
        f"{model.output_shape[-1]} classes, max |logit difference| "
        f"{difference:.3g} at {args.image_size}x{args.image_size}; "
        f"wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
