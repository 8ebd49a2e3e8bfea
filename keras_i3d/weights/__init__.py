"""Pretrained weights: the registry, downloading, installing and loading."""

from keras_i3d.weights.files import WeightsFileError
from keras_i3d.weights.records import RECORDS
from keras_i3d.weights.records import WeightsRecord
from keras_i3d.weights.records import get_record
from keras_i3d.weights.records import list_weights

__all__ = [
    "RECORDS",
    "WeightsFileError",
    "WeightsRecord",
    "get_record",
    "list_weights",
]
