import os

import cv2
import numpy as np
import pytest

from keras_i3d.video import Video
from keras_i3d.video import VideoReadError
from keras_i3d.video import list_image_folder
from keras_i3d.video import read_video
from tests.video import corpus


@pytest.fixture(scope="module")
def counting_30fps(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "count30.mp4"
    return corpus.write_video(path, corpus.counting_frames(30), fps=30)


def test_30fps_is_resampled_by_timestamp_not_slowed_down(counting_30fps):
    video = read_video(counting_30fps, fps=25)
    assert isinstance(video, Video)
    assert video.frames.shape == (25, 64, 64, 3)
    assert video.frames.dtype == np.uint8
    assert (video.fps, video.source_fps) == (25.0, 30.0)
    assert video.duration == pytest.approx(1.0)
    expected = np.floor(np.arange(25) * 30 / 25)
    np.testing.assert_array_equal(corpus.frame_index(video.frames), expected)


def test_fps_none_keeps_every_source_frame(counting_30fps):
    video = read_video(counting_30fps, fps=None)
    assert video.fps == 30.0
    np.testing.assert_array_equal(corpus.frame_index(video.frames), np.arange(30))


def test_upsampling_repeats_frames(tmp_path):
    path = corpus.write_video(tmp_path / "ten.mp4", corpus.counting_frames(10), fps=10)
    video = read_video(path, fps=25)
    assert video.num_frames == 25
    expected = np.floor(np.arange(25) * 10 / 25)
    np.testing.assert_array_equal(corpus.frame_index(video.frames), expected)


def test_num_frames_and_start_time_read_a_window(counting_30fps):
    full = read_video(counting_30fps, fps=25).frames
    head = read_video(counting_30fps, fps=25, num_frames=7).frames
    np.testing.assert_array_equal(head, full[:7])
    window = read_video(counting_30fps, fps=25, start_time=0.4, num_frames=5)
    # 0.4 s is frame 10 at 25 fps and source frame 12 at 30 fps.
    np.testing.assert_array_equal(window.frames, full[10:15])
    np.testing.assert_array_equal(corpus.frame_index(window.frames), [12, 13, 14, 15, 16])


def test_num_frames_past_the_end_returns_what_there_is(counting_30fps):
    video = read_video(counting_30fps, fps=25, start_time=0.8, num_frames=100)
    assert video.num_frames == 5


def test_start_after_the_end_is_an_error(counting_30fps):
    with pytest.raises(VideoReadError, match="no frame at or after 5.000 s"):
        read_video(counting_30fps, start_time=5.0)


def test_grayscale_video_becomes_rgb(tmp_path):
    grey = corpus.moving_frames(6)[..., 0]
    video = read_video(corpus.write_video(tmp_path / "grey.mp4", grey))
    assert video.frames.shape == (6, 64, 80, 3)
    np.testing.assert_array_equal(video.frames[..., 0], video.frames[..., 2])


def test_tiny_video_reads(tmp_path):
    path = corpus.write_video(tmp_path / "tiny.mp4", corpus.moving_frames(2, 8, 8)[:, :, :, :])
    assert read_video(path).frames.shape == (2, 8, 8, 3)


def test_image_folder_in_numeric_order(tmp_path):
    frames = corpus.counting_frames(12, 16, 16)
    for index, frame in enumerate(frames, start=1):
        cv2.imwrite(str(tmp_path / f"frame_{index}.png"), frame[..., ::-1])
    (tmp_path / "notes.txt").write_text("not a frame")
    assert os.path.basename(list_image_folder(tmp_path)[9]) == "frame_10.png"
    video = read_video(tmp_path, fps=None, folder_fps=12)
    np.testing.assert_array_equal(video.frames, frames)
    assert read_video(tmp_path, fps=6, folder_fps=12).num_frames == 6


def test_empty_image_folder_is_an_error(tmp_path):
    with pytest.raises(VideoReadError, match="no readable frame images"):
        read_video(tmp_path)


@pytest.mark.parametrize(
    "kind, reason",
    [
        ("missing", "no such file"),
        ("empty", "empty"),
        ("garbage", "not a video file, or it is corrupt"),
        ("truncated", "not a video file, or it is corrupt"),
        ("zero_frames", "no frames"),
        ("audio_only", "no video stream .found: audio"),
    ],
)
def test_bad_files_raise_with_file_and_reason(tmp_path, kind, reason):
    path = corpus.write_bad_corpus(tmp_path)[kind]
    with pytest.raises(VideoReadError, match=reason) as error:
        read_video(path)
    assert os.path.basename(path) in str(error.value)
    assert isinstance(error.value, ValueError)
    assert error.value.path == path


def test_argument_checks(counting_30fps):
    with pytest.raises(ValueError, match="fps"):
        read_video(counting_30fps, fps=0)
    with pytest.raises(ValueError, match="num_frames"):
        read_video(counting_30fps, num_frames=0)
    with pytest.raises(ValueError, match="start_time"):
        read_video(counting_30fps, start_time=-1)
    for bad in (0, 1.5, "2"):
        with pytest.raises(ValueError, match="decoder_threads"):
            read_video(counting_30fps, decoder_threads=bad)


@pytest.mark.parametrize("start_time", [0.0, 3.0])
def test_one_decoder_thread_gives_the_same_frames(arm_wrestling_mp4, start_time, monkeypatch):
    from keras_i3d.video import decode

    threads = []
    open_capture, decode_from_keyframe = decode._open_capture, decode._decode_from_keyframe

    def counting_open(path, decoder_threads=None):
        threads.append(("opencv", decoder_threads))
        return open_capture(path, decoder_threads)

    def counting_seek(path, keep_from, first_by, thread_count):
        threads.append(("pyav", thread_count))
        return decode_from_keyframe(path, keep_from, first_by, thread_count)

    monkeypatch.setattr(decode, "_open_capture", counting_open)
    monkeypatch.setattr(decode, "_decode_from_keyframe", counting_seek)
    reader = "pyav" if start_time > 0 else "opencv"
    default = read_video(arm_wrestling_mp4, start_time=start_time, num_frames=40).frames
    assert threads[-1] == (reader, 2 if reader == "pyav" else None)
    single = read_video(
        arm_wrestling_mp4, start_time=start_time, num_frames=40, decoder_threads=1
    ).frames
    assert threads[-1] == (reader, 1)
    np.testing.assert_array_equal(single, default)


def test_demo_mp4_28fps_to_25fps(arm_wrestling_mp4):
    path = arm_wrestling_mp4
    video = read_video(path)
    assert video.frames.shape == (250, 256, 340, 3)
    assert video.source_fps == pytest.approx(28.0)
    source = read_video(path, fps=None).frames
    assert source.shape[0] == 280
    picked = np.floor(np.arange(250) * 28 / 25 + 1e-6).astype(int)
    np.testing.assert_array_equal(video.frames[::25], source[picked[::25]])
    window = read_video(path, start_time=3.0, num_frames=16).frames
    np.testing.assert_array_equal(window, video.frames[75:91])


def test_gif(tmp_path):
    import av

    path = str(tmp_path / "count.gif")
    with av.open(path, "w") as container:  # 40 ms per frame, as DeepMind's
        stream = container.add_stream("gif", rate=25)
        stream.height = stream.width = 64
        stream.pix_fmt = "rgb8"
        for frame in corpus.counting_frames(20):
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    video = read_video(path)
    assert video.frames.shape == (20, 64, 64, 3)
    assert video.source_fps == 25.0
    np.testing.assert_array_equal(corpus.frame_index(video.frames), np.arange(20))
