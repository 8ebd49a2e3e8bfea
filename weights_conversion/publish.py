"""Write (and optionally upload) a Hugging Face Hub repository for a record.

Usage:

    python weights_conversion/publish.py --record i3d_rgb_kinetics400_tfhub \
        --weights ~/.cache/keras_i3d/weights/i3d_rgb_kinetics400_tfhub.weights.h5 \
        --out hub/i3d_rgb_kinetics400_tfhub
    python weights_conversion/publish.py ... --push --repo-id OWNER/NAME

The folder holds the weights file, `keras_i3d.json` (the manifest that
`weights="hf://OWNER/NAME"` reads: file name, sha256, stream, classes),
`golden.json` (the model's logits on the golden clip, recomputed here and
checked against the source model's golden logits) and a model card
generated from the weights record. Nothing is uploaded without --push;
after an upload, put the repository id, the commit it printed and the
file's sha256 into the record.

Beside them it writes the keras-hub preset of the same weights (the [hub]
extra; `--no-keras-hub-preset` skips it): `config.json` (the serialized
`keras_i3d.hub.I3DBackbone`), `model.weights.h5`, `metadata.json`,
`task.json` and `task.weights.h5` (`I3DVideoClassifier`),
`preprocessor.json`, `video_converter.json` and the `image_converter.json`
that keras-hub's `VideoConverter` nests. The preset is loaded back with
keras-hub and must give the golden logits, or the script exits non-zero.
keras-hub's `hf://` loader pins no revision and checks no sha256; keras-i3d's
own `weights="hf://OWNER/NAME@REVISION"` does both, from the same repository.
The card is ours: keras-hub's `upload_preset` would replace it, so --push
uploads with `HfApi` instead.
"""

import argparse
import json
import pathlib
import shutil
import sys

import numpy as np

from keras_i3d.weights import hub
from keras_i3d.weights import records
from keras_i3d.weights.hashing import file_sha256
from keras_i3d.weights.verify import golden_clip
from keras_i3d.weights.verify import verify_against_golden

CITATION = """@inproceedings{carreira2017quo,
  title={Quo Vadis, Action Recognition? A New Model and the Kinetics Dataset},
  author={Carreira, Jo{\\~a}o and Zisserman, Andrew},
  booktitle={CVPR},
  year={2017}
}"""


def model_card(record, sha256, comparison):
    """The Hub README of a record, generated from its fields."""
    metrics = "\n".join(
        f"| {m.dataset} | {m.top1} | {m.top5} | {m.protocol} | {m.source} |" for m in record.metrics
    )
    return f"""---
license: apache-2.0
library_name: keras
pipeline_tag: video-classification
tags:
- keras-i3d
- i3d
- video-classification
- {record.label_set}
---

# {record.name}

{record.architecture} ({record.stream} stream, {record.classes} classes,
{record.label_set} labels) for [keras-i3d](https://pypi.org/project/keras-i3d/),
Keras 3.

{record.source_description}

## Use

```python
from keras_i3d import I3D, preprocess_input, decode_predictions

model = I3D(stream="{record.stream}", weights="{record.name}")
```

## Input

{record.preprocessing}

## With keras-hub

The repository is also a keras-hub preset (`pip install "keras-i3d[hub]"`).
Import `keras_i3d` first: it registers the classes that `config.json` and
`task.json` name.

```python
import keras_hub
import keras_i3d

backbone = keras_hub.models.Backbone.from_preset("hf://OWNER/NAME")  # I3DBackbone
classifier = keras_i3d.hub.VideoClassifier.from_preset("hf://OWNER/NAME")
logits = classifier.predict(uint8_clips)  # (batch, frames, 224, 224, 3), 0-255
```

keras-hub's `hf://` downloads the latest revision and checks no hash;
`I3D(weights="hf://OWNER/NAME@REVISION")` pins the revision and checks the
sha256 above.

## Accuracy

| dataset | top-1 | top-5 | protocol | source |
|---|---|---|---|---|
{metrics}

## Provenance and checks

- Source: `{record.source.requirement}` (sha256 `{record.source.sha256}`),
  member `{record.source.member}` (sha256 `{record.source.member_sha256}`),
  licence {record.source.licence}.
- Converted with `{record.conversion_command}`.
- Largest logit difference to the source model (float32):
  {record.max_abs_logit_difference:g}.
- Golden-logits check of this file: {comparison}.
- Parameters: {record.parameter_count:,} ({record.trainable_parameter_count:,}
  trainable).
- `{record.filename}` sha256: `{sha256}`; tensors sha256:
  `{record.tensors_sha256}`.
- Licence of the weights: {record.licence}.

## Citation

```bibtex
{CITATION}
```
"""


def write_repository(record, weights_path, out_dir, keras_hub_preset=True):
    """Writes the Hub folder for `record` from a weights file.

    Args:
        record: the `WeightsRecord` of the weights.
        weights_path: its `.weights.h5` file.
        out_dir: the folder to write.
        keras_hub_preset: whether to write the keras-hub preset files too
            (needs the [hub] extra).

    Returns:
        The folder's path.
    """
    from keras_i3d.models.i3d import I3D

    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = I3D(
        stream=record.stream,
        weights=str(weights_path),
        classes=record.classes,
        classifier_activation=None,
        input_shape=(None, None, None, 3 if record.stream == "rgb" else 2),
    )
    comparison = verify_against_golden(model, record)
    if not comparison.ok:
        raise SystemExit(f"{weights_path}: {comparison}")
    target = out_dir / record.filename
    shutil.copyfile(weights_path, target)
    sha256 = file_sha256(target)
    hub.Manifest(
        filename=record.filename,
        sha256=sha256,
        stream=record.stream,
        classes=record.classes,
        label_set=record.label_set,
        tensors_sha256=record.tensors_sha256,
        record=record.name,
    ).write(out_dir / hub.MANIFEST)
    logits = model.predict(golden_clip(record.golden.clip_shape), verbose=0)
    (out_dir / "golden.json").write_text(
        json.dumps(
            {
                "clip": "keras_i3d.weights.verify.golden_clip(clip_shape)",
                "clip_shape": list(record.golden.clip_shape),
                "logits": np.asarray(logits).tolist(),
            }
        )
        + "\n"
    )
    if keras_hub_preset:
        write_keras_hub_preset(model, record, out_dir)
    (out_dir / "README.md").write_text(model_card(record, sha256, comparison))
    return out_dir


def write_keras_hub_preset(model, record, out_dir):
    """Writes the keras-hub preset of `model` into `out_dir` and checks it.

    The preset is an `I3DVideoClassifier` (backbone, head, preprocessor)
    saved with keras-hub's `save_to_preset`, then loaded back through
    `keras_i3d.hub.VideoClassifier.from_preset` and run on the golden clip.

    Raises:
        SystemExit: keras-hub is not installed, or the loaded preset's
            logits differ from the golden ones.
    """
    from keras_i3d import hub as keras_i3d_hub

    try:
        keras_i3d_hub.import_keras_hub()
    except keras_i3d_hub.MissingKerasHubError as error:
        raise SystemExit(f"{error} (or pass --no-keras-hub-preset)") from None
    from keras_i3d.hub.video_classifier import VideoClassifier
    from keras_i3d.hub.video_classifier import video_classifier_from_model

    classifier = video_classifier_from_model(model, record.stream, f"record {record.name!r}")
    classifier.save_to_preset(str(out_dir))
    loaded = VideoClassifier.from_preset(str(out_dir))
    # The golden clip is already scaled to [-1, 1]: run the network alone.
    loaded.preprocessor = None
    comparison = verify_against_golden(loaded, record)
    if not comparison.ok:
        raise SystemExit(f"{out_dir}: the keras-hub preset: {comparison}")
    return comparison


def push(out_dir, repo_id):
    """Uploads the folder with `HfApi` and returns the new commit's id."""
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo(repo_id, exist_ok=True)
    info = api.upload_folder(
        repo_id=repo_id, folder_path=str(out_dir), commit_message="keras-i3d weights"
    )
    return info.oid


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--record", required=True, choices=records.list_weights())
    parser.add_argument("--weights", required=True, help=".weights.h5 file")
    parser.add_argument("--out", required=True, help="folder to write")
    parser.add_argument("--push", action="store_true", help="upload the folder to the Hub")
    parser.add_argument("--repo-id", help="OWNER/NAME, with --push")
    parser.add_argument(
        "--no-keras-hub-preset",
        action="store_true",
        help="do not write the keras-hub preset files (config.json, model.weights.h5, ...)",
    )
    args = parser.parse_args(argv)
    if args.push and not args.repo_id:
        parser.error("--push needs --repo-id")
    record = records.get_record(args.record)
    out_dir = write_repository(
        record, args.weights, args.out, keras_hub_preset=not args.no_keras_hub_preset
    )
    print(f"wrote {out_dir}: " + ", ".join(sorted(p.name for p in out_dir.iterdir())))
    if args.push:
        commit = push(out_dir, args.repo_id)
        print(
            f"uploaded to {args.repo_id} at commit {commit}; set "
            f"hub_repo={args.repo_id!r}, hub_revision={commit!r} and "
            "file_sha256 in the record"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
