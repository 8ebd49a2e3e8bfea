"""The dead-letter output: one JSON row per video a job could not process.

A per-video step yields its failures on the `FAILURES` tagged output as
`{"path": ..., "reason": ...}`; `WriteFailures` writes them to
`<out>/failures.jsonl` (empty when every video worked), through Beam's file
sink, which renames the file into place only when the job succeeds.
"""

import json

import apache_beam as beam

FAILURES = "failures"
FAILURES_FILE = "failures.jsonl"


def failure_row(path, error):
    """The failures row of `path`: its reason is the error's message."""
    reason = getattr(error, "reason", None) or str(error) or type(error).__name__
    return {"path": str(path), "reason": str(reason)}


def read_failures(path):
    """The rows of a failures file written by `WriteFailures`, sorted by path."""
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(path) as file:
        lines = file.read().decode().splitlines()
    return sorted((json.loads(line) for line in lines if line), key=lambda row: row["path"])


class WriteFailures(beam.PTransform):
    """Writes failure rows as JSON lines to `path` (one file).

    Args:
        path: the failures file, usually `<out>/failures.jsonl`.
    """

    def __init__(self, path):
        super().__init__()
        self.path = str(path)

    def expand(self, rows):
        return (
            rows
            | "ToJson" >> beam.Map(lambda row: json.dumps(row, sort_keys=True))
            | "Write" >> beam.io.WriteToText(self.path, num_shards=1, shard_name_template="")
        )
