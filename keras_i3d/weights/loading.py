"""The one place that loads weights into a keras-i3d model.

Keras 3 `.weights.h5` files match variables by layer order, not by name, so
a checkpoint is loaded into the reference graph it was saved from (the full
model of its class count, built by a function the builder passes in: this
package never imports a builder) and then copied by name into the requested
model, whatever its head, input channels or `final_endpoint`. Every weight
is accounted for:

* `load_pretrained` (I3D): `weights=` aliases, records, files and `hf://`
  repositories, copied by DeepMind's variable names
  (`keras_i3d.weights.porting`) and checked against the record's hash;
* `load_weights_file` (Inception-v1, the baselines): a `.weights.h5` file
  copied by Keras layer name with `copy_weights_by_layer_name`.
"""

import dataclasses
import logging
import os

from keras_i3d.weights import records
from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.files import read_info
from keras_i3d.weights.hashing import tensors_sha256
from keras_i3d.weights.porting import WeightsMismatchError
from keras_i3d.weights.porting import assign_canonical_weights
from keras_i3d.weights.porting import canonical_from_model
from keras_i3d.weights.resolving import resolve_weights

logger = logging.getLogger("keras_i3d")

HEAD_PREFIX = "Logits/"


def load_pretrained(model, weights, stream, build_reference, include_top, classes):
    """Loads `weights` into an I3D model built by `keras_i3d.I3D`.

    Args:
        model: the model to fill.
        weights: the `weights=` argument (see `resolve_weights`).
        stream: the model's stream.
        build_reference: `(stream, classes) -> full model`, the graph the
            checkpoint was saved from (e.g.
            `keras_i3d.models.i3d.i3d_reference_model`).
        include_top: whether `model` has the Logits head.
        classes: the class count of `model`'s head.

    Returns:
        The `ResolvedWeights` that were loaded.
    """
    resolved = resolve_weights(weights, stream, classes)
    reference = build_reference(stream, resolved.classes)
    try:
        reference.load_weights(resolved.path)
    except Exception as error:  # Keras raises several types here.
        raise WeightsFileError(
            f"{resolved.description} does not hold the weights of a full "
            f"{stream} I3D with {resolved.classes} classes: {error}"
        ) from None
    arrays = canonical_from_model(reference)
    expected = resolved.expected_tensors_sha256
    if expected is not None:
        actual = tensors_sha256(arrays)
        if actual != expected:
            raise WeightsFileError(
                f"{resolved.description}: its tensors hash to {actual}, "
                f"expected {expected}. The file is corrupt or was altered; "
                "delete it and install it again."
            )
    skip = ()
    if include_top and classes != resolved.classes:
        skip = (HEAD_PREFIX,)
        logger.warning(
            "Loaded the backbone of %s; its head has %d classes, the model "
            "%d, so the Logits layer is newly initialised (fine-tuning).",
            resolved.description,
            resolved.classes,
            classes,
        )
    present = {layer.name for layer in model.layers}
    allow_unused = tuple(
        sorted(
            {
                name.split("/")[0] + "/"
                for name in arrays
                if name.split("/")[0] not in present and not name.startswith(HEAD_PREFIX)
            }
        )
    )
    if "Logits_Conv3d_0c_1x1" not in present:
        allow_unused += (HEAD_PREFIX,)
    assign_canonical_weights(
        model,
        arrays,
        resolved.description,
        skip=skip,
        allow_unused=allow_unused,
    )
    return resolved


@dataclasses.dataclass(frozen=True)
class LayerCopyReport:
    """Where every weight of a by-name copy went.

    Attributes:
        copied: the target layers that received the source's weights.
        reinitialised: the target layers left as initialised (a head whose
            class count differs from the checkpoint's).
        unused: the source layers with weights that the target does not
            have (layers past a truncated model's end, or a head it lacks).
    """

    copied: tuple
    reinitialised: tuple
    unused: tuple


def copy_weights_by_layer_name(
    source, target, description, reinitialise_if_mismatched=(), adapt=None
):
    """Copies weights by Keras layer name from `source` into `target`.

    Args:
        source: the model holding the weights (the reference graph).
        target: the model to fill; every layer of it that has weights must
            have a namesake in `source`.
        description: what `source` holds, for error messages.
        reinitialise_if_mismatched: names of target layers (the head) left
            as initialised when their shapes differ from the source's.
        adapt: optional `{layer name: fn(values, target_shapes) -> values}`
            for layers whose weights are transformed on the way (e.g. a
            first conv adapted to another number of input channels).

    Returns:
        A `LayerCopyReport`.

    Raises:
        WeightsMismatchError: a target layer has no namesake in `source`, or
            its shapes differ and it may not be re-initialised.
    """
    adapt = adapt or {}
    copied, reinitialised = [], []
    for layer in target.layers:
        shapes = [tuple(weight.shape) for weight in layer.weights]
        if not shapes:
            continue
        try:
            source_layer = source.get_layer(layer.name)
        except ValueError:
            raise WeightsMismatchError(
                f"{description} has no layer {layer.name!r} for the model {target.name!r}."
            ) from None
        values = source_layer.get_weights()
        if layer.name in adapt:
            values = adapt[layer.name](values, shapes)
        value_shapes = [tuple(value.shape) for value in values]
        if value_shapes != shapes:
            if layer.name in reinitialise_if_mismatched:
                reinitialised.append(layer.name)
                continue
            raise WeightsMismatchError(
                f"{description} does not fit the model {target.name!r}: "
                f"layer {layer.name!r} has weights of shapes {value_shapes}, "
                f"the model needs {shapes}."
            )
        layer.set_weights(values)
        copied.append(layer.name)
    target_names = {layer.name for layer in target.layers}
    unused = tuple(
        layer.name for layer in source.layers if layer.weights and layer.name not in target_names
    )
    return LayerCopyReport(tuple(copied), tuple(reinitialised), unused)


def load_weights_file(
    model,
    weights,
    build_reference,
    architecture,
    classes,
    reinitialise_if_mismatched=(),
    adapt=None,
):
    """Loads a `.weights.h5` file into `model` by layer name.

    The file is loaded into `build_reference(file_classes)`, the graph it
    was saved from, then copied into `model` with
    `copy_weights_by_layer_name`. The file's class count is read from its
    keras-i3d attributes or its classifier kernel; `classes` is used when
    it says neither.

    Args:
        model: the model to fill.
        weights: the path of a `.weights.h5` file (str or path-like).
        build_reference: `classes -> model`, the full architecture the file
            was saved from, without weights.
        architecture: the builder's name (`"InceptionV1"`, `"C3D"`), for
            error messages and the names of weights that do not exist yet.
        classes: the class count to assume when the file does not say.
        reinitialise_if_mismatched: see `copy_weights_by_layer_name`.
        adapt: see `copy_weights_by_layer_name`.

    Returns:
        A `LayerCopyReport`.

    Raises:
        WeightsFileError: the file is missing, not a `.weights.h5` file, or
            does not hold weights of `architecture`.
        WeightsMismatchError: the file's weights do not fit `model`.
    """
    missing = records.missing_weights_message(weights, architecture)
    if missing:
        raise WeightsFileError(missing)
    if isinstance(weights, os.PathLike):
        weights = os.fspath(weights)
    if not isinstance(weights, str) or not weights.endswith(".weights.h5"):
        raise WeightsFileError(
            f"`weights` must be None or the path of a {architecture} "
            f"`.weights.h5` file. Received: weights={weights!r}"
        )
    info = read_info(weights)
    file_classes = info.classes if info.classes is not None else classes
    reference = build_reference(file_classes)
    try:
        reference.load_weights(weights)
    except Exception as error:  # Keras raises several types here.
        raise WeightsFileError(
            f"{weights} is not a weights file of {architecture} with "
            f"{file_classes} classes (it does not fit {reference.name!r}): "
            f"{error}"
        ) from None
    report = copy_weights_by_layer_name(
        reference,
        model,
        f"{architecture} weights file {weights}",
        reinitialise_if_mismatched=reinitialise_if_mismatched,
        adapt=adapt,
    )
    if report.reinitialised:
        logger.warning(
            "Loaded %s into %r; the layers %s have other shapes in the file "
            "and are newly initialised (fine-tuning).",
            weights,
            model.name,
            list(report.reinitialised),
        )
    return report
