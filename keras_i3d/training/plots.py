"""PNG plots of training curves and evaluation results (matplotlib, Agg)."""

import os

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure, path):
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(figure)
    return path


def plot_training_curves(history, path, title="Training curves", initial=None):
    """Plots losses (left) and accuracies (right) per epoch to a PNG.

    Args:
        history: a dict of per-epoch lists, as `model.fit(...).history` or
            `CustomLoopTrainer.fit` return (keys such as `loss`, `val_loss`,
            `top1`, `val_top1`).
        path: the PNG file to write.
        title: the figure's title.
        initial: optional values measured before training (e.g.
            `{"val_top1": 0.25, "val_loss": 1.4}` from `model.evaluate`),
            drawn at epoch 0 at the start of the curve of the same key.

    Returns:
        The path written.
    """
    if not history or not any(len(v) for v in history.values()):
        raise ValueError("`history` holds no epochs to plot.")
    plt = _pyplot()
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(11, 4))
    initial = initial or {}
    for key, values in sorted(history.items()):
        epochs = np.arange(1, len(values) + 1)
        if key in initial:
            epochs = np.arange(len(values) + 1)
            values = [initial[key], *values]
        if key.endswith("loss"):
            loss_axis.plot(epochs, values, marker="o", label=key)
        elif "top" in key or "accuracy" in key:
            accuracy_axis.plot(epochs, values, marker="o", label=key)
    loss_axis.set(xlabel="epoch", ylabel="loss", title="loss")
    accuracy_axis.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    from matplotlib.ticker import MaxNLocator

    for axis in (loss_axis, accuracy_axis):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        if axis.get_legend_handles_labels()[0]:
            axis.legend()
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    return _save(figure, path)


def plot_confusion_matrix(confusion, class_names, path):
    """Plots a confusion matrix (rows: true class, columns: predicted).

    Args:
        confusion: a `(classes, classes)` array of counts.
        class_names: the class names, in label order.
        path: the PNG file to write.

    Returns:
        The path written.
    """
    confusion = np.asarray(confusion)
    classes = len(class_names)
    plt = _pyplot()
    size = min(4 + 0.3 * classes, 40)
    figure, axis = plt.subplots(figsize=(size, size))
    row_totals = np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fractions = confusion / row_totals
    image = axis.imshow(fractions, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(image, ax=axis, fraction=0.046, label="fraction of row")
    if classes <= 50:
        axis.set_xticks(range(classes), class_names, rotation=90)
        axis.set_yticks(range(classes), class_names)
    if classes <= 20:
        for row in range(classes):
            for column in range(classes):
                dark = fractions[row, column] > 0.5
                axis.text(
                    column,
                    row,
                    int(confusion[row, column]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
    axis.set(xlabel="predicted class", ylabel="true class", title="Confusion matrix")
    return _save(figure, path)


def plot_per_class_accuracy(per_class_accuracy, class_names, path):
    """Plots each class's top-1 accuracy as a horizontal bar, worst first.

    Args:
        per_class_accuracy: a `(classes,)` array; NaN for classes without
            examples (drawn as absent).
        class_names: the class names, in label order.
        path: the PNG file to write.

    Returns:
        The path written.
    """
    accuracy = np.asarray(per_class_accuracy, dtype=float)
    order = np.argsort(np.nan_to_num(accuracy, nan=-1.0))
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(7, max(3, 0.22 * len(order) + 1)))
    axis.barh(range(len(order)), np.nan_to_num(accuracy[order]))
    axis.set_yticks(
        range(len(order)), [class_names[i] for i in order], fontsize=7 if len(order) > 40 else 9
    )
    axis.set(xlim=(0, 1), xlabel="top-1 accuracy", title="Per-class accuracy")
    axis.grid(axis="x", alpha=0.3)
    return _save(figure, path)
