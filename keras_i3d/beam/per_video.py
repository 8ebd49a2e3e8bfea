"""The step every per-video job shares: skip if done, else work, else dead-letter."""

import apache_beam as beam

from keras_i3d.beam.failures import FAILURES
from keras_i3d.beam.failures import failure_row
from keras_i3d.beam.files import exists

# The namespace of the jobs' Beam counters (`keras_i3d.beam.jobs` reads them).
METRICS_NAMESPACE = "keras_i3d"


def one_thread_per_worker():
    """Limits OpenCV and TensorFlow to one thread: Beam runs one worker
    process per core, as the local pool does."""
    import os

    import cv2

    os.environ["OMP_NUM_THREADS"] = "1"
    cv2.setNumThreads(1)
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # TensorFlow already ran in this process: its pools are set.


class ProcessVideos(beam.DoFn):
    """Runs `work(path, target)` for every video whose output is missing.

    The presence of the output is the marker that a video is finished: a
    video whose `target_of(path)` exists is skipped (unless `overwrite`),
    so a rerun does only what is missing, and a retried bundle at worst
    rewrites the same complete file (`work` must write atomically, as the
    package's per-video functions do). An exception becomes a failures row.

    Args:
        work: a picklable function `work(path, target)` that writes `target`;
            its `setup()`, if it has one, runs once per worker (to load a
            model).
        target_of: a picklable function, a path to its output (or to a
            tuple of outputs: the video is finished when they all exist).
        overwrite: redo videos whose output exists.

    Yields:
        The targets written; failure rows on the `FAILURES` tagged output.
        Counters `done`, `skipped` and `failed` count the videos.
    """

    def __init__(self, work, target_of, overwrite=False):
        super().__init__()
        self.work = work
        self.target_of = target_of
        self.overwrite = overwrite
        self.done = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "done")
        self.skipped = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "skipped")
        self.failed = beam.metrics.Metrics.counter(METRICS_NAMESPACE, "failed")

    def setup(self):
        one_thread_per_worker()
        if hasattr(self.work, "setup"):
            self.work.setup()

    def process(self, path):
        target = self.target_of(path)
        targets = target if isinstance(target, tuple) else (target,)
        if not self.overwrite and all(exists(each) for each in targets):
            self.skipped.inc()
            return
        try:
            self.work(path, target)
        except Exception as error:  # noqa: BLE001 - a bad video must not stop the job
            self.failed.inc()
            yield beam.pvalue.TaggedOutput(FAILURES, failure_row(path, error))
            return
        self.done.inc()
        yield target
