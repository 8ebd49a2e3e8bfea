import pytest

from keras_i3d.training.plots import plot_confusion_matrix
from keras_i3d.training.plots import plot_training_curves

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    with open(path, "rb") as file:
        return file.read(8) == PNG_SIGNATURE


def test_training_curves_with_values_before_training(tmp_path):
    history = {
        "loss": [1.4, 1.1],
        "val_loss": [1.3, 1.0],
        "top1": [0.3, 0.5],
        "val_top1": [0.4, 0.6],
    }
    path = plot_training_curves(
        history, tmp_path / "curves.png", initial={"val_top1": 0.25, "val_loss": 1.5}
    )
    assert _is_png(path)
    with pytest.raises(ValueError, match="no epochs"):
        plot_training_curves({"loss": []}, tmp_path / "empty.png")


def test_confusion_matrix_png(tmp_path):
    path = plot_confusion_matrix([[2, 0], [1, 1]], ["a", "b"], tmp_path / "deep" / "confusion.png")
    assert _is_png(path)
