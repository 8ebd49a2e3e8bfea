"""Running the corpus jobs for the CLI (`--beam`): options, pipeline, summary.

`pipeline_options(workers, pipeline_args)` is the embedded default, the
DirectRunner with `workers` processes (`--direct_running_mode
multi_processing`), unless `pipeline_args` name a `--runner`
(DataflowRunner, FlinkRunner, SparkRunner, ...), which then get them as
they are. Each `run_*_job` builds one pipeline, runs it to the end, writes
the failures to `<out>/failures.jsonl` and returns a `JobSummary`.
"""

import dataclasses

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.failures import FAILURES_FILE
from keras_i3d.beam.failures import WriteFailures
from keras_i3d.beam.failures import read_failures
from keras_i3d.beam.files import join
from keras_i3d.beam.per_video import METRICS_NAMESPACE


@dataclasses.dataclass(frozen=True)
class JobSummary:
    """What a job did.

    Attributes:
        counters: the job's counters (`done`, `skipped`, `failed`,
            `frames`, ...: whichever its steps count), by name.
        failures: `[(path, reason)]`, from the failures file, by path.
        failures_path: the failures file.
    """

    counters: dict
    failures: list
    failures_path: str

    def count(self, name):
        """The counter `name`, 0 when no step counted it."""
        return self.counters.get(name, 0)


def pipeline_options(workers=1, pipeline_args=()):
    """The job's `PipelineOptions`.

    Args:
        workers: worker processes of the embedded DirectRunner.
        pipeline_args: Beam options (`--runner=DataflowRunner --project=...`);
            without `--runner`, they are added to the DirectRunner's.

    Returns:
        `PipelineOptions`.
    """
    pipeline_args = list(pipeline_args)
    if not any(argument.startswith("--runner") for argument in pipeline_args):
        pipeline_args = [
            "--runner=DirectRunner",
            f"--direct_num_workers={workers}",
            "--direct_running_mode=multi_processing",
        ] + pipeline_args
    return PipelineOptions(pipeline_args)


def run_job(build, out_dir, workers=1, pipeline_args=()):
    """Builds a pipeline with `build(pipeline)`, runs it and sums it up.

    Args:
        build: a function that adds the job to a pipeline and returns its
            failure rows (a PCollection).
        out_dir: the job's output folder; the failures go to
            `out_dir/failures.jsonl`.
        workers, pipeline_args: see `pipeline_options`.

    Returns:
        A `JobSummary`.
    """
    failures_path = join(str(out_dir), FAILURES_FILE)
    pipeline = beam.Pipeline(options=pipeline_options(workers, pipeline_args))
    build(pipeline) | "WriteFailures" >> WriteFailures(failures_path)
    result = pipeline.run()
    result.wait_until_finish()
    counters = {}
    for counter in result.metrics().query(MetricsFilter().with_namespace(METRICS_NAMESPACE))[
        "counters"
    ]:
        value = counter.committed if counter.committed is not None else counter.attempted
        name = counter.key.metric.name
        counters[name] = counters.get(name, 0) + (value or 0)
    failures = [(row["path"], row["reason"]) for row in read_failures(failures_path)]
    return JobSummary(counters, failures, failures_path)


def run_flow_job(paths, out_dir, settings, workers=1, pipeline_args=()):
    """`keras-i3d flow --beam`: `ComputeFlow` over `paths` (see `run_job`)."""
    from keras_i3d.beam.flow import ComputeFlow

    def build(pipeline):
        paths_collection = pipeline | "Videos" >> beam.Create([str(path) for path in paths])
        return (paths_collection | "ComputeFlow" >> ComputeFlow(str(out_dir), settings))[FAILURES]

    return run_job(build, out_dir, workers, pipeline_args)


def run_tfrecords_job(samples, out_dir, workers=1, pipeline_args=(), **options):
    """`keras-i3d make-tfrecords --beam`: `WriteTFRecords` of `samples`.

    `options` are `WriteTFRecords`' (`num_shards`, `prefix`, `fps`,
    `short_side`, `jpeg_quality`, `overwrite`); see `run_job`.
    """
    from keras_i3d.beam.tfrecords import WriteTFRecords

    def build(pipeline):
        indexed = pipeline | "Samples" >> beam.Create(list(enumerate(samples)))
        written = indexed | "WriteTFRecords" >> WriteTFRecords(str(out_dir), **options)
        return written[FAILURES] | "DropIndex" >> beam.Map(
            lambda row: {"path": row["path"], "reason": row["reason"]}
        )

    return run_job(build, out_dir, workers, pipeline_args)


def run_features_job(paths, out_dir, workers=1, pipeline_args=(), **options):
    """`keras-i3d extract-features --beam`: `ExtractFeatures` over `paths`.

    `options` are `ExtractFeatures`' (`settings`, `weights`, `fused`,
    `precision`, `batch_size`, `overwrite`); see `run_job`.
    """
    from keras_i3d.beam.features import ExtractFeatures

    def build(pipeline):
        paths_collection = pipeline | "Videos" >> beam.Create([str(path) for path in paths])
        extracted = paths_collection | "ExtractFeatures" >> ExtractFeatures(str(out_dir), **options)
        return extracted[FAILURES]

    return run_job(build, out_dir, workers, pipeline_args)
