"""Corpus jobs on Apache Beam (the `[beam]` extra): flow, TFRecords, features, FVD.

Each job is a `PTransform` that starts from video paths and runs the same
per-video function as the local command, so the outputs are identical:

- `keras_i3d.beam.flow.ComputeFlow`: flow folders or `.npz` files, through
  `keras_i3d.flow.corpus.compute_and_store_flow`;
- `keras_i3d.beam.tfrecords.WriteTFRecords`: JPEG-frame TFRecord shards,
  through `keras_i3d.data.tfrecords.encode_video_sample`;
- `keras_i3d.beam.features.ExtractFeatures`: window features and their
  sidecars, through `keras_i3d.tasks.features.outputs`;
- `keras_i3d.beam.fvd.ComputeVideoStatistics`: FVD statistics, merged
  exactly in float64 by `VideoStatisticsCombineFn`.

A video that cannot be processed becomes a row `{"path", "reason"}` of the
failures output (`keras_i3d.beam.failures`); the job goes on. Outputs are
written atomically and a finished output is skipped, so a rerun does only
what is missing and a retried bundle rewrites the same files.
`keras_i3d.beam.jobs` runs these jobs for the CLI (`--beam`).

This package imports nothing at import time; its modules import
`apache_beam`, so import them after `keras_i3d.beam.dependencies.import_beam()`
to get a clear error when the extra is missing.
"""
