"""Reads that start past the beginning seek, and give the frames of a read from the start.

`open_video(..., start_time > 0)` decodes with PyAV from the keyframe before
the window, skipping the frames no other frame refers to; every window must
hold exactly the frames of the same span of a whole-video read.
"""

import av
import numpy as np
import pytest

from keras_i3d.video import decode
from keras_i3d.video import read_video
from tests.video import corpus


def write_sparse_keyframes(path, num_frames, fps, keyframe_interval):
    """A lossy counting video with B-frames and a keyframe every `keyframe_interval` frames."""
    frames = corpus.counting_frames(num_frames, 48, 64)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = 48, 64
        stream.pix_fmt = "yuv420p"
        interval = str(keyframe_interval)
        stream.options = {"g": interval, "keyint_min": interval, "bf": "3", "sc_threshold": "0"}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def sparse_30fps(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "sparse30.mp4"
    return write_sparse_keyframes(path, num_frames=150, fps=30, keyframe_interval=60)


@pytest.fixture
def opencv_reads(monkeypatch):
    """Counts the reads that fall back to OpenCV."""
    calls = []
    read_capture = decode._read_capture

    def counting_read(capture, start_time):
        calls.append(start_time)
        return read_capture(capture, start_time)

    monkeypatch.setattr(decode, "_read_capture", counting_read)
    return calls


def assert_windows_match_whole_read(path, fps, source_fps, step=5, length=24):
    whole = read_video(path, fps=fps).frames
    rate = fps or source_fps
    for first in range(1, len(whole) - 1, step):
        window = read_video(path, fps=fps, start_time=first / rate, num_frames=length).frames
        np.testing.assert_array_equal(
            window, whole[first : first + length], err_msg=f"window from frame {first}"
        )


@pytest.mark.parametrize("fps", [25, None, 12.5])
def test_windows_of_sparse_keyframes_match_the_whole_read(sparse_30fps, opencv_reads, fps):
    assert_windows_match_whole_read(sparse_30fps, fps, source_fps=30)
    # Read from the start only: every window was PyAV's.
    assert set(opencv_reads) == {0.0}


@pytest.mark.parametrize("fps", [25, None])
def test_windows_of_the_sample_video_match_the_whole_read(arm_wrestling_mp4, opencv_reads, fps):
    # 28 fps H.264 with B-frames and keyframes 187 frames apart. OpenCV's
    # seek put the frame after `start_time` first in half of these windows.
    assert_windows_match_whole_read(arm_wrestling_mp4, fps, source_fps=28, step=9, length=64)
    assert set(opencv_reads) == {0.0}


def test_counting_frames_of_a_window(sparse_30fps):
    # 25 fps from 30: output frame k is source frame floor(k * 30 / 25).
    frames = read_video(sparse_30fps, fps=25, start_time=90 / 25, num_frames=10).frames
    expected = np.floor(np.arange(90, 100) * 30 / 25)
    np.testing.assert_array_equal(corpus.frame_index(frames), expected % 32)


def test_opencv_takes_over_when_pyav_cannot_vouch(sparse_30fps, monkeypatch, opencv_reads):
    decode_from_keyframe = decode._decode_from_keyframe

    def gives_up_after_three(path, keep_from, first_by, thread_count):
        last_timestamp = None
        frames = decode_from_keyframe(path, keep_from, first_by, thread_count)
        for count, (timestamp, frame) in enumerate(frames):
            if count == 3:
                raise decode._NotExact(last_timestamp)
            yield timestamp, frame
            last_timestamp = timestamp

    whole = read_video(sparse_30fps, fps=25).frames
    monkeypatch.setattr(decode, "_decode_from_keyframe", gives_up_after_three)
    window = read_video(sparse_30fps, fps=25, start_time=70 / 25, num_frames=20).frames
    np.testing.assert_array_equal(window, whole[70:90])
    assert opencv_reads == [0.0, 0.0]


def test_opencv_takes_over_before_the_first_frame(sparse_30fps, monkeypatch, opencv_reads):
    def cannot_seek(path, keep_from, first_by, thread_count):
        raise decode._NotExact(None)
        yield  # a generator, like the real one

    whole = read_video(sparse_30fps, fps=None).frames
    monkeypatch.setattr(decode, "_decode_from_keyframe", cannot_seek)
    window = read_video(sparse_30fps, fps=None, start_time=100 / 30, num_frames=8).frames
    np.testing.assert_array_equal(window, whole[100:108])


@pytest.mark.parametrize(
    "codec, extension", [("libvpx-vp9", "webm"), ("mpeg4", "avi"), ("libx264", "mkv")]
)
def test_windows_of_other_containers_match_the_whole_read(tmp_path, opencv_reads, codec, extension):
    # OpenCV's seek got about one window in four wrong on each of these.
    path = tmp_path / f"moving.{extension}"
    corpus.write_video(path, corpus.moving_frames(60), fps=30, codec=codec, lossless=False)
    assert_windows_match_whole_read(path, 25, source_fps=30, step=3, length=16)
    assert set(opencv_reads) == {0.0}
