"""Video decoding: files, GIFs and image folders to uint8 RGB frames.

`read_video` decodes, resamples to a frame rate and (with `short_side`)
resizes; `open_video` does the same as a stream, so memory stays bounded
however long the video. The resize (`keras_i3d.video.resize`) gives the same
numbers as the `tf.data` transforms' and does not import TensorFlow, so
decoding never starts it.
"""

from keras_i3d.video.decode import Video
from keras_i3d.video.decode import VideoReadError
from keras_i3d.video.decode import VideoStream
from keras_i3d.video.decode import count_frames
from keras_i3d.video.decode import list_image_folder
from keras_i3d.video.decode import open_video
from keras_i3d.video.decode import read_video

__all__ = [
    "Video",
    "VideoReadError",
    "VideoStream",
    "count_frames",
    "list_image_folder",
    "open_video",
    "read_video",
]
