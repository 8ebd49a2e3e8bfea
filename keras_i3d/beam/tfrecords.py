"""`WriteTFRecords`: videos to JPEG-frame TFRecord shards, on Beam.

The shards hold the same records in the same order as
`keras_i3d.data.tfrecords.write_tfrecords` writes from the same samples:
each video is encoded by `encode_video_sample`, the local writer's function,
and the `k`-th video that could be read (in the samples' order) goes to
shard `k % num_shards`. Finding `k` needs to know which videos failed, so
the failed indices reach the shards as a side input (they are few).

A shard is written atomically once all its videos are encoded; a shard that
exists is not rewritten (unless `overwrite`), so a retried bundle does not
duplicate records. Which video goes to which shard depends on which videos
failed, so a rerun encodes the videos again and writes the missing shards.
"""

import bisect
import os

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.failures import failure_row
from keras_i3d.beam.files import exists
from keras_i3d.beam.files import is_local
from keras_i3d.beam.files import join
from keras_i3d.beam.files import write_output
from keras_i3d.beam.per_video import METRICS_NAMESPACE
from keras_i3d.beam.per_video import one_thread_per_worker
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS


def shard_paths(out_dir, num_shards, prefix="videos"):
    """The shard files `write_tfrecords` writes, in shard order."""
    from keras_i3d.data.tfrecords import shard_name

    return [join(out_dir, shard_name(prefix, index, num_shards)) for index in range(num_shards)]


class EncodeVideos(beam.DoFn):
    """`(index, VideoSample)` to `(index, (serialized Example, frames))`;
    a video that cannot be read goes to `FAILURES` with its index."""

    def __init__(self, fps, short_side, jpeg_quality):
        super().__init__()
        self.fps = fps
        self.short_side = short_side
        self.jpeg_quality = jpeg_quality

    def setup(self):
        one_thread_per_worker()

    def process(self, indexed_sample):
        import cv2

        from keras_i3d.data.tfrecords import encode_video_sample

        index, sample = indexed_sample
        try:
            if not is_local(sample.path):
                raise ValueError(
                    f"{sample.path}: a TFRecord records the path of its video, so the "
                    "videos must be local files (or a mounted filesystem). Received: a URL"
                )
            record, count = encode_video_sample(
                sample, self.fps, self.short_side, self.jpeg_quality
            )
        except (ValueError, OSError, cv2.error) as error:
            row = failure_row(sample.path, error)
            yield beam.pvalue.TaggedOutput(FAILURES, {**row, "index": index})
            return
        yield index, (record, count)


def assign_shard(indexed_record, failed_indices, num_shards):
    """`(index, record)` to `(shard, (index, record))`: the `k`-th video
    read goes to shard `k % num_shards`, as in `write_tfrecords`."""
    index, record = indexed_record
    rank = index - bisect.bisect_left(failed_indices, index)
    return rank % num_shards, (index, record)


class WriteShard(beam.DoFn):
    """`(shard, [(index, record)])` to the shard file, records in index order."""

    def __init__(self, paths, overwrite):
        super().__init__()
        self.paths = paths
        self.overwrite = overwrite
        self.videos = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "done")
        self.frames = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "frames")
        self.shards = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "written_shards")
        self.skipped = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "skipped_shards")

    def process(self, shard_records):
        import tensorflow as tf

        from keras_i3d.atomic_files import atomic_output

        shard, records = shard_records
        records = sorted(record for record in records if record is not None)
        path = self.paths[shard]
        if not self.overwrite and exists(path):
            self.skipped.inc()
            return

        def write(local_path):
            with atomic_output(local_path) as temporary:
                with tf.io.TFRecordWriter(os.fspath(temporary)) as writer:
                    for _, (record, _) in records:
                        writer.write(record)

        write_output(path, write)
        self.videos.inc(len(records))
        self.frames.inc(sum(count for _, (_, count) in records))
        self.shards.inc()
        yield path


class WriteTFRecords(beam.PTransform):
    """Writes `(index, VideoSample)` pairs as `write_tfrecords` does.

    Args:
        out_dir: the output folder (local, gs:// or s3://).
        num_shards: number of shard files.
        prefix: shard names are `{prefix}-00000-of-00004.tfrecord`.
        fps, short_side, jpeg_quality: as for `write_tfrecords`.
        overwrite: rewrite shards that exist.

    Returns (of `expand`):
        A dict: `shards`, the shard paths written, and `failures`, the
        failure rows (with the video's `index`).

    Example:

    ```python
    samples = keras_i3d.data.formats.read_class_folders("videos/")
    with beam.Pipeline() as pipeline:
        written = (
            pipeline
            | beam.Create(list(enumerate(samples)))
            | WriteTFRecords("shards/", num_shards=8)
        )
    ```
    """

    def __init__(
        self,
        out_dir,
        num_shards=1,
        prefix="videos",
        fps=TARGET_FPS,
        short_side=RESIZE_SHORT_SIDE,
        jpeg_quality=90,
        overwrite=False,
    ):
        super().__init__()
        if num_shards < 1:
            raise ValueError(f"`num_shards` must be >= 1. Received: num_shards={num_shards}")
        if not 1 <= jpeg_quality <= 100:
            raise ValueError(f"`jpeg_quality` must be in [1, 100]. Received: {jpeg_quality}")
        self.paths = shard_paths(str(out_dir), num_shards, prefix)
        self.num_shards = num_shards
        self.encode = EncodeVideos(fps, short_side, jpeg_quality)
        self.overwrite = overwrite

    def expand(self, indexed_samples):
        encoded = indexed_samples | "Encode" >> beam.ParDo(self.encode).with_outputs(
            FAILURES, main="records"
        )
        failed_indices = (
            encoded[FAILURES]
            | "FailedIndex" >> beam.Map(lambda row: row["index"])
            | "AllFailed" >> beam.combiners.ToList()
            | "Sort" >> beam.Map(sorted)
        )
        every_shard = indexed_samples.pipeline | "EveryShard" >> beam.Create(
            [(shard, None) for shard in range(self.num_shards)]
        )
        shards = (
            (
                encoded.records
                | "AssignShard"
                >> beam.Map(
                    assign_shard,
                    failed_indices=beam.pvalue.AsSingleton(failed_indices),
                    num_shards=self.num_shards,
                ),
                every_shard,
            )
            | "WithEmptyShards" >> beam.Flatten()
            | "ByShard" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(WriteShard(self.paths, self.overwrite))
        )
        return {"shards": shards, FAILURES: encoded[FAILURES]}
