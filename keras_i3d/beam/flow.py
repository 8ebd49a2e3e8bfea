"""`ComputeFlow`: video paths to flow folders or `.npz` files, on Beam.

Example:

```python
import apache_beam as beam
from keras_i3d.beam.failures import WriteFailures
from keras_i3d.beam.flow import ComputeFlow

with beam.Pipeline() as pipeline:
    written, failures = (
        pipeline
        | beam.Create(["videos/a.mp4", "videos/b.mp4"])
        | ComputeFlow("flow/", {"flow_method": "farneback", "flow_format": "npz"})
    )
    failures | WriteFailures("flow/failures.jsonl")
```
"""

import dataclasses

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.files import is_local
from keras_i3d.beam.files import join
from keras_i3d.beam.files import local_input
from keras_i3d.beam.files import video_id
from keras_i3d.beam.files import write_output
from keras_i3d.beam.per_video import ProcessVideos
from keras_i3d.flow.corpus import resolve_flow_settings


def flow_target(out_dir, path, flow_format):
    """Where `keras-i3d flow` puts the flow of `path` (`flow_output_path`'s
    layout, also for gs:// and s3:// folders)."""
    from keras_i3d.flow.storage import flow_output_path

    name = flow_output_path("", video_id(path), flow_format).name
    return join(out_dir, name)


@dataclasses.dataclass(frozen=True)
class _FlowTarget:
    out_dir: str
    flow_format: str

    def __call__(self, path):
        return flow_target(self.out_dir, path, self.flow_format)


@dataclasses.dataclass(frozen=True)
class _StoreFlow:
    settings: dict

    def __call__(self, path, target):
        from keras_i3d.flow.corpus import compute_and_store_flow

        with local_input(path) as local_path:
            write_output(
                target,
                lambda local_target: compute_and_store_flow(
                    local_path, local_target, self.settings, source=path
                ),
            )


class ComputeFlow(beam.PTransform):
    """Computes and stores the flow of every video, as `keras-i3d flow` does.

    Each video goes through `keras_i3d.flow.corpus.compute_and_store_flow`,
    the local command's function, so the files are byte-identical.

    Args:
        out_dir: the output folder (local, gs:// or s3://; remote outputs
            need `flow_format="npz"`, one file per video).
        settings: the flow settings (`DEFAULT_FLOW_SETTINGS`' keys).

    Returns (of `expand`):
        A `DoOutputsTuple`: the targets written, and the failure rows
        (`failures`).

    Raises:
        ValueError: an unknown setting, or image folders on a remote `out_dir`.
    """

    def __init__(self, out_dir, settings=None):
        super().__init__()
        self.settings = resolve_flow_settings(settings)
        self.out_dir = str(out_dir)
        if not is_local(self.out_dir) and self.settings["flow_format"] != "npz":
            raise ValueError(
                "Flow on a remote filesystem must be stored as npz (one file per "
                "video, which appears at once); a folder of images cannot. "
                f"Received: out_dir={self.out_dir!r}, "
                f"flow_format={self.settings['flow_format']!r}"
            )

    def expand(self, paths):
        process = ProcessVideos(
            _StoreFlow(self.settings),
            _FlowTarget(self.out_dir, self.settings["flow_format"]),
            overwrite=self.settings["overwrite"],
        )
        return paths | "Flow" >> beam.ParDo(process).with_outputs(FAILURES, main="written")
