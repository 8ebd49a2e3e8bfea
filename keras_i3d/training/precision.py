"""The mixed-precision policy for the device that trains.

On a GPU, `mixed_float16` (float16 compute, float32 variables) with dynamic
loss scaling is fastest. On CPU (and TPU) the policy is `mixed_bfloat16`:
TensorFlow has no float16 kernels for 3D pooling on CPU, and bfloat16 has
float32's exponent range, so it needs no loss scaling.
"""

import keras

PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")


def has_gpu():
    """Returns whether TensorFlow sees at least one GPU."""
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def precision_for_device(device=None):
    """Returns the mixed-precision policy name for a device kind.

    Args:
        device: `"gpu"`, `"cpu"`, `"tpu"`, or None to look at the devices
            TensorFlow sees.

    Returns:
        `"mixed_float16"` for a GPU, `"mixed_bfloat16"` otherwise.
    """
    if device is None:
        device = "gpu" if has_gpu() else "cpu"
    device = device.lower()
    if device not in ("gpu", "cpu", "tpu"):
        raise ValueError(
            f"`device` must be 'gpu', 'cpu', 'tpu' or None. Received: device={device!r}"
        )
    return "mixed_float16" if device == "gpu" else "mixed_bfloat16"


def set_precision(precision="auto"):
    """Sets Keras' global dtype policy for the models built after it.

    Args:
        precision: `"auto"` (mixed precision chosen for the device, see
            `precision_for_device`), `"float32"`, `"mixed_float16"` or
            `"mixed_bfloat16"`.

    Returns:
        The name of the policy now in force.

    Example:

    >>> set_precision("float32")
    'float32'
    """
    if precision not in PRECISIONS:
        raise ValueError(
            f"`precision` must be one of {PRECISIONS}. Received: precision={precision!r}"
        )
    if precision == "auto":
        precision = precision_for_device()
    keras.mixed_precision.set_dtype_policy(precision)
    return precision


def needs_loss_scaling(policy=None):
    """Returns whether `policy` (default: the global one) computes in float16."""
    policy = policy or keras.mixed_precision.dtype_policy()
    if isinstance(policy, str):
        policy = keras.mixed_precision.Policy(policy)
    return policy.compute_dtype == "float16"


def with_loss_scaling(optimizer, policy=None):
    """Wraps `optimizer` in a `LossScaleOptimizer` when float16 needs it.

    Args:
        optimizer: a Keras optimizer.
        policy: the dtype policy (name or `Policy`); defaults to the global
            policy.

    Returns:
        `optimizer` itself for float32 and bfloat16, else a dynamic
        `keras.optimizers.LossScaleOptimizer` around it.
    """
    if not needs_loss_scaling(policy):
        return optimizer
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
