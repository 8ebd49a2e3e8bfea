"""Learning-rate schedules of the recipe.

* `paper_step_schedule`: DeepMind's RGB schedule, 0.1 -> 0.01 at 97k ->
  0.001 at 108k of 115k steps, scaled to any run length.
* `step_drop_on_plateau`: the paper's rule, "the learning rate is dropped
  by a factor of 10 when the validation loss saturates".
* `cosine_schedule`: cosine decay with linear warm-up, the usual modern
  alternative.
"""

import keras

# DeepMind's kinetics-i3d README: 115k steps, drops at 97k and 108k.
PAPER_TOTAL_STEPS = 115_000
PAPER_DROP_STEPS = (97_000, 108_000)
PAPER_DROP_FACTOR = 0.1


def paper_step_schedule(initial_learning_rate=0.1, total_steps=None):
    """Step drops by 10x at 97/115 and 108/115 of the run.

    Args:
        initial_learning_rate: the first learning rate (0.1 for RGB).
        total_steps: the run's length in steps; None keeps DeepMind's
            115k steps (drops at 97k and 108k).

    Returns:
        A `keras.optimizers.schedules.PiecewiseConstantDecay`.

    Example:

    >>> schedule = paper_step_schedule(0.1)
    >>> [round(float(schedule(s)), 4) for s in (0, 97_001, 108_001)]
    [0.1, 0.01, 0.001]
    """
    total_steps = PAPER_TOTAL_STEPS if total_steps is None else total_steps
    if not isinstance(total_steps, int) or total_steps < 2:
        raise ValueError(
            f"`total_steps` must be an int >= 2. Received: total_steps={total_steps!r}"
        )
    boundaries = [
        max(1, round(drop * total_steps / PAPER_TOTAL_STEPS)) for drop in PAPER_DROP_STEPS
    ]
    values = [initial_learning_rate * PAPER_DROP_FACTOR**i for i in range(len(boundaries) + 1)]
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values)


def cosine_schedule(initial_learning_rate, total_steps, warmup_steps=0):
    """Cosine decay to 0 over `total_steps`, after a linear warm-up.

    Args:
        initial_learning_rate: the peak learning rate (reached after the
            warm-up).
        total_steps: the run's length in steps, warm-up included.
        warmup_steps: steps of linear warm-up from 0.

    Returns:
        A `keras.optimizers.schedules.CosineDecay`.
    """
    if warmup_steps < 0 or warmup_steps >= total_steps:
        raise ValueError(
            "`warmup_steps` must be in [0, total_steps). Received: "
            f"warmup_steps={warmup_steps}, total_steps={total_steps}"
        )
    if warmup_steps == 0:
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate, decay_steps=total_steps
        )
    return keras.optimizers.schedules.CosineDecay(
        0.0,
        decay_steps=total_steps - warmup_steps,
        warmup_target=initial_learning_rate,
        warmup_steps=warmup_steps,
    )


def step_drop_on_plateau(patience=2, factor=PAPER_DROP_FACTOR, min_lr=1e-5, monitor="val_loss"):
    """The paper's rule: divide the learning rate by 10 when val loss stalls.

    Use it with a constant initial learning rate (not a schedule object),
    in `model.fit` or `CustomLoopTrainer.fit` callbacks.

    Args:
        patience: epochs without improvement before a drop.
        factor: the multiplier of each drop.
        min_lr: the floor.
        monitor: the log key watched.

    Returns:
        A `keras.callbacks.ReduceLROnPlateau`.
    """
    return keras.callbacks.ReduceLROnPlateau(
        monitor=monitor,
        factor=factor,
        patience=patience,
        min_lr=min_lr,
        verbose=0,
    )
