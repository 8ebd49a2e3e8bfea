"""Choosing a `tf.distribute` strategy, and who is the chief worker.

* one machine, one device: the default strategy;
* one machine, several GPUs: `MirroredStrategy` (works with `model.fit`
  and with `CustomLoopTrainer`);
* several machines: `MultiWorkerMirroredStrategy`, configured by the
  `TF_CONFIG` environment variable. Keras 3's `model.fit` fails under it
  (keras-team/keras#20585, "Attempt to convert a value (PerReplica...)");
  use `CustomLoopTrainer`, whose step runs under `strategy.run`.

Running on real machines: start the same command on every machine with
`TF_CONFIG` naming all workers and this machine's index, e.g. on the first
of two machines

```
TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]},
            "task": {"type": "worker", "index": 0}}'
```

and `"index": 1` on the second. The global batch is split evenly between
all replicas (GPUs of all workers); worker 0 is the chief and writes the
checkpoints and logs, into a folder every worker can read (shared storage)
so that all workers resume from the same state.
"""

import json
import os

STRATEGIES = ("auto", "default", "mirrored", "multi_worker")


def make_strategy(name="auto"):
    """Returns a `tf.distribute.Strategy`.

    Args:
        name: `"default"` (one device), `"mirrored"` (all local GPUs),
            `"multi_worker"` (`MultiWorkerMirroredStrategy` from
            `TF_CONFIG`), or `"auto"`: multi-worker when `TF_CONFIG` names
            more than one task, mirrored with more than one GPU, else the
            default strategy.

    Returns:
        The strategy. Build the model and optimizer inside its `scope()`.
    """
    import tensorflow as tf

    if name not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}. Received: {name!r}")
    if name == "auto":
        if cluster_size() > 1:
            name = "multi_worker"
        elif len(tf.config.list_physical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "default"
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _tf_config():
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"The TF_CONFIG environment variable is not valid JSON: {error}") from None


def cluster_size():
    """Returns the number of tasks `TF_CONFIG` names (1 without it)."""
    cluster = _tf_config().get("cluster", {})
    return max(1, sum(len(tasks) for tasks in cluster.values()))


def is_chief(strategy=None):
    """Returns whether this process writes checkpoints and logs.

    The chief is the `"chief"` task if the cluster has one, else worker 0;
    a single process is always its own chief.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return not has_chief and resolver.task_type == "worker" and resolver.task_id == 0
