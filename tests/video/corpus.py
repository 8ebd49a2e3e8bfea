"""Writes the small test videos (good and bad) that the video/data tests use.

Good clips are H.264 (PyAV/libx264). Frame `i` of `counting_frames` is a flat
grey of value `COUNT_STEP * i`, so a test can tell which source frame a
decoder returned even after lossy coding.
"""

import os

import av
import numpy as np

COUNT_STEP = 8


def counting_frames(num_frames, height=64, width=64):
    """uint8 RGB frames whose grey level counts the frame index."""
    levels = (np.arange(num_frames) * COUNT_STEP) % 256
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    frames[:] = levels[:, None, None, None]
    return frames


def moving_frames(num_frames, height=64, width=80, seed=0):
    """uint8 RGB frames with texture and a bright square moving right."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 120, (height, width, 3), dtype=np.uint8)
    frames = np.repeat(background[None], num_frames, axis=0)
    for index in range(num_frames):
        left = (2 * index) % max(width - 8, 1)
        frames[index, height // 3 : height // 3 + 8, left : left + 8] = (255, 40, 40)
    return frames


def frame_index(frames):
    """Recovers the source index of `counting_frames` after decoding."""
    return np.rint(frames.reshape(frames.shape[0], -1).mean(axis=1) / COUNT_STEP)


def write_video(path, frames, fps=25, codec="libx264", lossless=True):
    """Writes uint8 RGB (or 2-D grey) frames with PyAV; returns `path`."""
    path = os.fspath(path)
    frames = np.asarray(frames)
    grey = frames.ndim == 3
    with av.open(path, "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = "gray" if grey else "yuv420p"
        if lossless and codec == "libx264":
            stream.options = {"crf": "0"}
        for frame in frames:
            video_frame = av.VideoFrame.from_ndarray(frame, format="gray" if grey else "rgb24")
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_audio_only(path):
    """An AAC file with no video stream."""
    path = os.fspath(path)
    with av.open(path, "w") as container:
        stream = container.add_stream("aac", rate=16000)
        samples = np.zeros((1, 1024), np.float32)
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_zero_frame(path):
    """An AVI with a video stream that holds no frame."""
    path = os.fspath(path)
    container = av.open(path, "w")
    stream = container.add_stream("mpeg4", rate=25)
    stream.width = stream.height = 64
    stream.pix_fmt = "yuv420p"
    container.start_encoding()
    container.close()
    return path


def write_garbage(path, size=4096, seed=0):
    """Random bytes with a video extension."""
    path = os.fspath(path)
    data = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8)
    with open(path, "wb") as file:
        file.write(data.tobytes())
    return path


def write_truncated(path, source, keep_fraction=0.3):
    """The first `keep_fraction` of `source`'s bytes."""
    path = os.fspath(path)
    with open(source, "rb") as file:
        data = file.read()
    with open(path, "wb") as file:
        file.write(data[: max(1, int(len(data) * keep_fraction))])
    return path


def write_bad_corpus(folder):
    """Writes one file of each kind of bad input; returns {kind: path}."""
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    good = write_video(os.path.join(folder, "source.mp4"), moving_frames(12))
    corpus = {
        "missing": os.path.join(folder, "missing.mp4"),
        "empty": os.path.join(folder, "empty.mp4"),
        "garbage": write_garbage(os.path.join(folder, "garbage.mp4")),
        "truncated": write_truncated(os.path.join(folder, "truncated.mp4"), good),
        "zero_frames": write_zero_frame(os.path.join(folder, "zero_frames.avi")),
        "audio_only": write_audio_only(os.path.join(folder, "audio_only.m4a")),
    }
    open(corpus["empty"], "wb").close()
    os.remove(good)
    return corpus
