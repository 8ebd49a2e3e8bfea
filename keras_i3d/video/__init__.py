"""Video decoding: files, GIFs and image folders to uint8 RGB frames."""

from keras_i3d.video.decode import Video
from keras_i3d.video.decode import VideoReadError
from keras_i3d.video.decode import count_frames
from keras_i3d.video.decode import list_image_folder
from keras_i3d.video.decode import read_video

__all__ = [
    "Video",
    "VideoReadError",
    "count_frames",
    "list_image_folder",
    "read_video",
]
