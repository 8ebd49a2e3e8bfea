"""Clip sampling, transforms, dataset formats and `tf.data` input pipelines."""

from keras_i3d.data.transforms import center_crop
from keras_i3d.data.transforms import eval_transform
from keras_i3d.data.transforms import flip_left_right
from keras_i3d.data.transforms import random_crop
from keras_i3d.data.transforms import random_flip_left_right
from keras_i3d.data.transforms import resize_flow_short_side
from keras_i3d.data.transforms import resize_short_side
from keras_i3d.data.transforms import train_transform
