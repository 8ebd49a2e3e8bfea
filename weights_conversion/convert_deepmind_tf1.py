"""Convert a DeepMind kinetics-i3d TF1 checkpoint to a keras-i3d weights file.

Usage:

    python weights_conversion/convert_deepmind_tf1.py \
        --checkpoint data/checkpoints/rgb_imagenet/model.ckpt --stream rgb \
        --out i3d_rgb_imagenet.weights.h5
    python weights_conversion/convert_deepmind_tf1.py \
        --checkpoint data/checkpoints/rgb_scratch_kin600/model.ckpt \
        --stream rgb --classes 600 --out i3d_rgb_kinetics600.weights.h5

DeepMind's checkpoints (`rgb_imagenet`, `flow_imagenet`, `rgb_scratch`,
`flow_scratch`, `rgb_scratch_kin600`) hold Sonnet v1 variables such as
`RGB/inception_i3d/Conv3d_1a_7x7/conv_3d/w`,
`.../batch_norm/beta|moving_mean|moving_variance` (batch-norm variables
shaped `(1, 1, 1, 1, C)`) and `.../Logits/Conv3d_0c_1x1/conv_3d/w|b`, under
`Flow/inception_i3d/` for flow. They are read with
`tf.train.load_checkpoint`; every model variable must get a value and every
checkpoint variable of the stream must be used (optimizer slots and the
global step are ignored). With --input and --expected-logits (DeepMind's
sample `.npy` and the logits of `evaluate_sample.py`), the converted model's
logits are compared too. Exits 1 on any mismatch.
"""

import argparse
import sys

import numpy as np

from keras_i3d.conventions import STREAM_CHANNELS
from keras_i3d.labels import label_set_for_classes
from keras_i3d.weights import porting
from keras_i3d.weights.files import WeightsFileInfo
from keras_i3d.weights.files import save_weights_file
from keras_i3d.weights.verify import compare_logits


class CheckpointError(ValueError):
    """The checkpoint cannot be read or is not a DeepMind I3D checkpoint."""


def read_checkpoint(prefix):
    """Reads every variable of a TF checkpoint into `{name: array}`."""
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as error:
        raise CheckpointError(
            f"{prefix}: not a readable TensorFlow checkpoint ({type(error).__name__}: {error})"
        ) from None
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def write_checkpoint_in_deepmind_layout(arrays, stream, prefix, extra_variables=None):
    """Writes canonical arrays as a TF1 checkpoint with DeepMind's names.

    The inverse of the conversion, for tests and round trips: batch-norm
    variables are reshaped to Sonnet's `(1, 1, 1, 1, C)`, names get the
    stream's `RGB/inception_i3d/` or `Flow/inception_i3d/` scope.
    """
    import tensorflow as tf

    scope = porting.DEEPMIND_SCOPES[stream]
    variables = {}
    for name, value in arrays.items():
        value = np.asarray(value)
        if "/batch_norm/" in name:
            value = value.reshape(1, 1, 1, 1, -1)
        variables[f"{scope}/{name}"] = value
    variables.update(extra_variables or {})
    with tf.Graph().as_default():
        graph_variables = [
            tf.compat.v1.Variable(value, name=name) for name, value in variables.items()
        ]
        saver = tf.compat.v1.train.Saver(graph_variables)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return saver.save(session, str(prefix), write_meta_graph=False)


def convert(prefix, stream, classes):
    """Builds the I3D of `stream` and fills it from the checkpoint.

    Returns:
        `(model, number of variables assigned)`; the model returns logits.
    """
    from keras_i3d.models.i3d import I3D

    arrays = porting.deepmind_to_canonical(read_checkpoint(prefix), stream)
    logits_kernel = arrays.get("Logits/Conv3d_0c_1x1/conv_3d/w")
    if logits_kernel is not None and logits_kernel.shape[-1] != classes:
        raise CheckpointError(
            f"{prefix}: the checkpoint's head has {logits_kernel.shape[-1]} "
            f"classes, not {classes}; pass --classes "
            f"{logits_kernel.shape[-1]}."
        )
    model = I3D(
        stream=stream,
        weights=None,
        classes=classes,
        input_shape=(None, None, None, STREAM_CHANNELS[stream]),
        classifier_activation=None,
    )
    count = porting.assign_canonical_weights(model, arrays, str(prefix))
    return model, count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="checkpoint prefix (…/model.ckpt)")
    parser.add_argument("--stream", required=True, choices=("rgb", "flow"))
    parser.add_argument("--classes", type=int, default=400)
    parser.add_argument("--out", required=True, help=".weights.h5 to write")
    parser.add_argument("--input", help=".npy clip (1, T, 224, 224, C)")
    parser.add_argument("--expected-logits", help=".npy logits of the source model on --input")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args(argv)
    try:
        model, count = convert(args.checkpoint, args.stream, args.classes)
    except (CheckpointError, porting.WeightsMismatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"assigned {count} variables from {args.checkpoint}")
    if args.input and args.expected_logits:
        logits = model.predict(np.load(args.input), verbose=0)
        comparison = compare_logits(logits, np.load(args.expected_logits), args.tolerance)
        print(f"logits vs the source model: {comparison}")
        if not comparison.ok:
            return 1
    save_weights_file(
        model,
        args.out,
        WeightsFileInfo(
            stream=args.stream, classes=args.classes, label_set=label_set_for_classes(args.classes)
        ),
    )
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
