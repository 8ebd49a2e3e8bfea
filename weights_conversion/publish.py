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


def write_repository(record, weights_path, out_dir):
    """Writes the Hub folder for `record` from a weights file.

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
    (out_dir / "README.md").write_text(model_card(record, sha256, comparison))
    return out_dir


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
    args = parser.parse_args(argv)
    if args.push and not args.repo_id:
        parser.error("--push needs --repo-id")
    record = records.get_record(args.record)
    out_dir = write_repository(record, args.weights, args.out)
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
