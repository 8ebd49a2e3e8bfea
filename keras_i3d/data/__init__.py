"""Clip sampling, transforms, dataset formats and `tf.data` input pipelines."""

from keras_i3d import IS_CLI_PROCESS

# In the `keras-i3d` command line, no public names: see keras_i3d/__init__.py.
if not IS_CLI_PROCESS:
    from keras_i3d.data.clips import load_clips
    from keras_i3d.data.formats import AnnotationError
    from keras_i3d.data.formats import VideoSample
    from keras_i3d.data.formats import kinetics_filename
    from keras_i3d.data.formats import read_class_folders
    from keras_i3d.data.formats import read_hmdb51_split
    from keras_i3d.data.formats import read_kinetics_csv
    from keras_i3d.data.formats import read_ucf101_split
    from keras_i3d.data.formats import with_flow_folders
    from keras_i3d.data.pipeline import scale_clip
    from keras_i3d.data.pipeline import video_dataset
    from keras_i3d.data.sampling import random_clip_indices
    from keras_i3d.data.sampling import sample_clip_indices
    from keras_i3d.data.sampling import uniform_clip_indices
    from keras_i3d.data.sampling import whole_video_indices
    from keras_i3d.data.service import DataServiceConfig
    from keras_i3d.data.service import local_data_service
    from keras_i3d.data.service import start_dispatcher
    from keras_i3d.data.service import start_worker
    from keras_i3d.data.skipped import SkippedVideos
    from keras_i3d.data.tfrecords import tfrecord_dataset
    from keras_i3d.data.tfrecords import write_tfrecords
    from keras_i3d.data.transforms import center_crop
    from keras_i3d.data.transforms import eval_transform
    from keras_i3d.data.transforms import flip_left_right
    from keras_i3d.data.transforms import random_crop
    from keras_i3d.data.transforms import random_flip_left_right
    from keras_i3d.data.transforms import resize_flow_short_side
    from keras_i3d.data.transforms import resize_short_side
    from keras_i3d.data.transforms import train_transform
    from keras_i3d.data.video_clips import VideoClips
    from keras_i3d.data.video_clips import load_video_clips
    from keras_i3d.data.views import PAPER_INPUTS
    from keras_i3d.data.views import InputView
    from keras_i3d.data.views import PaperInput
    from keras_i3d.data.views import paper_input
    from keras_i3d.flow.errors import FlowReadError
    from keras_i3d.flow.storage import read_flow_folder

__all__ = [
    "AnnotationError",
    "center_crop",
    "DataServiceConfig",
    "eval_transform",
    "flip_left_right",
    "FlowReadError",
    "InputView",
    "kinetics_filename",
    "load_clips",
    "local_data_service",
    "load_video_clips",
    "paper_input",
    "PAPER_INPUTS",
    "PaperInput",
    "random_clip_indices",
    "random_crop",
    "random_flip_left_right",
    "read_class_folders",
    "read_flow_folder",
    "read_hmdb51_split",
    "read_kinetics_csv",
    "read_ucf101_split",
    "resize_flow_short_side",
    "resize_short_side",
    "sample_clip_indices",
    "scale_clip",
    "SkippedVideos",
    "start_dispatcher",
    "start_worker",
    "tfrecord_dataset",
    "train_transform",
    "uniform_clip_indices",
    "video_dataset",
    "VideoClips",
    "VideoSample",
    "whole_video_indices",
    "with_flow_folders",
    "write_tfrecords",
]
