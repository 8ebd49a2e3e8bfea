"""Training input on the tf.data service: decoding and augmentation on remote workers.

```
trainer:  samples -> [decode, skip bad, crop, flip] -> scale -> batch -> prefetch
                     \\______ on tf.data service workers ______/
                     clips cross the network as uint8 RGB / float32 flow
```

`video_dataset(..., data_service=...)` and `tfrecord_dataset(...,
data_service=...)` run their decode and augment stages on the workers of a
tf.data service (`tf.data.experimental.service`); scaling to `[-1, 1]`,
batching and prefetching stay in the trainer, so a clip crosses the network
at a quarter of its float32 size. A dispatcher hands out the work; workers
register with it. Start them with `keras-i3d data-service dispatcher` and
`keras-i3d data-service worker`, or from Python with `start_dispatcher` and
`start_worker` (`local_data_service` starts both in this process, for tests
and single-host runs).

What changes against the local pipeline (docs/data_service.md says more):

* **Order.** Workers send clips as they finish them, so the order of
  examples is not deterministic, whatever `deterministic` says.
* **`processing_mode="dynamic"`** (the default, `ShardingPolicy.DYNAMIC`):
  the dispatcher splits the source (the videos, or the shard files) among
  the workers, so an epoch visits each video at most once (a worker that
  dies loses its unfinished splits). For `video_dataset` with a `seed`, the
  shuffled videos and their per-example seeds of every epoch are drawn in
  the trainer before the split (so `epochs` must be an int), and the
  service serves exactly the clips of the local pipeline's first `epochs`
  epochs. For `tfrecord_dataset` the split is by shard
  file and each worker draws the per-example seeds in its own order: the
  same videos, other clips.
* **`processing_mode="off"`** (`ShardingPolicy.OFF`): every worker runs the
  whole pipeline, so an epoch holds each video once per worker. With a
  `seed`, every worker serves the same clips (for `video_dataset`, the
  local pipeline's epochs); without one, each worker shuffles and
  augments on its own.
* **Epochs.** One service job serves `DataServiceConfig.epochs` epochs
  one after another, each reshuffled and re-augmented as the local
  pipeline's next iteration would be (with a `seed`, the job's epoch `k`
  is the local pipeline's epoch `k`, as far as the mode allows). The
  default, `epochs=None`, repeats without end: pass `steps_per_epoch` to
  `model.fit`, which then keeps one iterator, and one job, for the whole
  run. (A new job per iteration would start the pipeline afresh, so with
  a `seed` every epoch would serve epoch 0's clips again.) Near an
  epoch's end, workers may already send clips of the next one.
* **Python.** A worker in another process cannot run Python functions
  (`tf.numpy_function`). `video_dataset` decodes videos in Python, so
  only workers in the trainer's process (`local_data_service`) can run
  it. `tfrecord_dataset` on the service runs TF ops only, so remote
  workers run it; it draws random temporal windows with a stateless TF op
  (`sample_indices_in_graph`) instead of numpy, so its random windows
  differ from the local pipeline's (uniform and whole-video windows, crops
  and flips do not).
"""

import contextlib
import dataclasses
import socket

import tensorflow as tf

PROCESSING_MODES = ("dynamic", "off")
GRPC_PREFIX = "grpc://"
# How long `check_reachable` waits for a TCP connection to the dispatcher.
CONNECT_TIMEOUT_SECONDS = 5.0


def split_address(address):
    """`"host:port"` or `"grpc://host:port"` -> `("host", port)`.

    Raises:
        ValueError: the address has no host, or no port in 1..65535.
    """
    if not isinstance(address, str):
        raise ValueError(
            f"A tf.data service address must be a string 'host:port'. Received: address={address!r}"
        )
    host_port = address.removeprefix(GRPC_PREFIX)
    host, separator, port = host_port.rpartition(":")
    if not separator or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(
            "A tf.data service address must be 'host:port' or 'grpc://host:port', "
            f"with a port in 1..65535. Received: address={address!r}"
        )
    return host, int(port)


@dataclasses.dataclass(frozen=True)
class DataServiceConfig:
    """Where and how a dataset runs on the tf.data service.

    Args:
        address: the dispatcher, `"host:port"` or `"grpc://host:port"`.
        processing_mode: `"dynamic"` (the dispatcher splits the videos or
            shard files among the workers: each once per epoch) or `"off"`
            (every worker runs the whole dataset).
        job_name: trainers that iterate datasets with the same `job_name`
            share one job: each clip goes to one of them. `None`: each
            iteration is its own job.
        compression: `"AUTO"` (workers compress clips with Snappy when the
            network is the bottleneck) or `None` (never: saves CPU when
            workers and trainer share a host).
        epochs: the epochs one job serves, one after another, each as the
            local pipeline's next iteration: a positive int makes the
            dataset that many epochs long; `None` (default) repeats
            without end, for `model.fit(..., steps_per_epoch=...)`.

    Raises:
        ValueError: a bad address, processing mode, compression or
            number of epochs.

    Example:

    ```python
    config = DataServiceConfig("dispatcher.example.com:5050", processing_mode="off")
    dataset = video_dataset(samples, batch_size=8, seed=0, data_service=config)
    model.fit(dataset, epochs=40, steps_per_epoch=len(samples) // 8)
    ```
    """

    address: str
    processing_mode: str = "dynamic"
    job_name: str | None = None
    compression: str | None = "AUTO"
    epochs: int | None = None

    def __post_init__(self):
        split_address(self.address)
        if self.epochs is not None and (
            isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1
        ):
            raise ValueError(
                "`epochs` must be a positive int, or None to repeat without end. "
                f"Received: epochs={self.epochs!r}"
            )
        if self.compression not in ("AUTO", None):
            raise ValueError(
                f"`compression` must be 'AUTO' or None. Received: compression={self.compression!r}"
            )
        if self.processing_mode not in PROCESSING_MODES:
            raise ValueError(
                f"`processing_mode` must be one of {PROCESSING_MODES} (the static "
                "sharding policies need a fixed worker list, which these pipelines do "
                f"not set up). Received: processing_mode={self.processing_mode!r}"
            )

    @property
    def target(self):
        """The address in the form `tf.data.experimental.service` takes."""
        host, port = split_address(self.address)
        return f"{GRPC_PREFIX}{host}:{port}"

    @property
    def sharding_policy(self):
        service = tf.data.experimental.service
        return {"dynamic": service.ShardingPolicy.DYNAMIC, "off": service.ShardingPolicy.OFF}[
            self.processing_mode
        ]


def resolve_data_service(data_service):
    """`None`, an address string or a `DataServiceConfig` -> a config or `None`."""
    if data_service is None or isinstance(data_service, DataServiceConfig):
        return data_service
    if isinstance(data_service, str):
        return DataServiceConfig(data_service)
    raise ValueError(
        "`data_service` must be a dispatcher address 'host:port' or a "
        f"`keras_i3d.data.DataServiceConfig`. Received: data_service={data_service!r}"
    )


def repeat_epochs(samples_and_seeds, data_service):
    """One epoch of `(sample, seed_pair)`, repeated for the service's `epochs`.

    Repeating the shuffled samples and their per-example seeds inside one
    job reshuffles and redraws them at each repetition, exactly as a new
    iteration of the local pipeline does; a new job per epoch would start
    from epoch 0 again. Without a service, the dataset is returned as it is.
    """
    if data_service is None:
        return samples_and_seeds
    return samples_and_seeds.repeat(data_service.epochs)


def split_seeded_source(samples_and_seeds, seed, data_service):
    """The source the dispatcher splits, with each example's seed attached.

    In `"dynamic"` mode the dispatcher splits only a pipeline's source;
    everything after it (the shuffle, the per-example seeds) would run on
    each worker over its own share, so a video's seed would depend on the
    worker. With a `seed`, every epoch of `(sample, seed_pair)` (from
    `repeat_epochs`) is drawn here instead (cheap: paths, labels and seeds,
    no decoding) and becomes the source: each example keeps the seed the
    local pipeline gives it. Otherwise `samples_and_seeds` is returned as
    it is.

    Raises:
        ValueError: `"dynamic"` mode with a `seed` and no end to the epochs
            (`DataServiceConfig.epochs=None`): they cannot all be drawn.
    """
    if data_service is None or data_service.processing_mode != "dynamic" or seed is None:
        return samples_and_seeds
    if data_service.epochs is None:
        raise ValueError(
            "With a `seed` in 'dynamic' mode, video_dataset draws every epoch's videos and "
            "seeds before the dispatcher splits them, so the epochs need an end: pass "
            "`DataServiceConfig(address, epochs=...)` (the epochs `model.fit` runs), or "
            "processing_mode='off'. Received: epochs=None"
        )
    # `batch` reserves at most 2**16 elements up front, whatever its size.
    every_epoch = samples_and_seeds.batch(2**31 - 1).get_single_element()
    return tf.data.Dataset.from_tensor_slices(every_epoch)


def distribute(dataset, data_service):
    """Moves the stages of `dataset` so far to the workers of `data_service`."""
    return dataset.apply(
        tf.data.experimental.service.distribute(
            processing_mode=data_service.sharding_policy,
            service=data_service.target,
            job_name=data_service.job_name,
            compression=data_service.compression,
        )
    )


def check_reachable(address, timeout=CONNECT_TIMEOUT_SECONDS):
    """Raises `ConnectionError` unless a TCP connection to `address` opens.

    The tf.data service retries an unreachable dispatcher for up to an
    hour without a word; this check fails fast, with the reason.
    """
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        raise ConnectionError(
            f"No tf.data service dispatcher answers at {host}:{port}: "
            f"{error.strerror or error}. Received: address={address!r}"
        ) from None


def start_dispatcher(port=0, work_dir=None):
    """Starts a tf.data service dispatcher in this process.

    Args:
        port: the port to listen on; 0 picks a free one.
        work_dir: a folder where the dispatcher journals its state, so a
            restarted dispatcher resumes its jobs (fault-tolerant mode);
            `None` keeps the state in memory.

    Returns:
        The running `tf.data.experimental.service.DispatchServer`; its
        `target` is `"grpc://localhost:port"`.
    """
    service = tf.data.experimental.service
    config = service.DispatcherConfig(
        port=port,
        work_dir=None if work_dir is None else str(work_dir),
        fault_tolerant_mode=work_dir is not None,
    )
    return service.DispatchServer(config)


def start_worker(dispatcher_address, port=0, worker_address=None):
    """Starts a tf.data service worker in this process.

    Args:
        dispatcher_address: the dispatcher, `"host:port"` or
            `"grpc://host:port"`.
        port: the port the worker listens on; 0 picks a free one.
        worker_address: the `"host"` or `"host:port"` trainers reach this
            worker at; `None`: `localhost` (one machine only). On a cluster,
            pass this machine's name.

    Returns:
        The running `tf.data.experimental.service.WorkerServer`.
    """
    host, dispatcher_port = split_address(dispatcher_address)
    if worker_address is not None and ":" not in worker_address:
        worker_address = f"{worker_address}:%port%"
    service = tf.data.experimental.service
    config = service.WorkerConfig(
        dispatcher_address=f"{host}:{dispatcher_port}",
        port=port,
        **({} if worker_address is None else {"worker_address": worker_address}),
    )
    return service.WorkerServer(config)


@contextlib.contextmanager
def local_data_service(num_workers=2):
    """A dispatcher and `num_workers` workers in this process (loopback).

    Yields:
        The dispatcher's address, `"localhost:port"`, for `data_service=`.

    Example:

    ```python
    with local_data_service(num_workers=2) as address:
        dataset = video_dataset(samples, batch_size=8, data_service=address)
        model.fit(dataset, epochs=10, steps_per_epoch=len(samples) // 8)
    ```
    """
    if num_workers < 1:
        raise ValueError(f"`num_workers` must be >= 1. Received: num_workers={num_workers}")
    dispatcher = start_dispatcher()
    address = dispatcher.target.removeprefix(GRPC_PREFIX)
    workers = [start_worker(address) for _ in range(num_workers)]
    try:
        yield address
    finally:
        for server in (*workers, dispatcher):
            server.stop()
