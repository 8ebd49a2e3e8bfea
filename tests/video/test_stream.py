import numpy as np
import pytest

from keras_i3d.video import VideoReadError
from keras_i3d.video import open_video
from keras_i3d.video import read_video
from tests.video import corpus


@pytest.fixture(scope="module")
def counting_30fps(tmp_path_factory):
    path = tmp_path_factory.mktemp("videos") / "count30.mp4"
    return corpus.write_video(path, corpus.counting_frames(30), fps=30)


@pytest.mark.parametrize("size", [1, 7, 25, 64])
def test_chunks_concatenate_to_read_video(counting_30fps, size):
    whole = read_video(counting_30fps, fps=25, short_side=32).frames
    with open_video(counting_30fps, fps=25, short_side=32) as stream:
        chunks = list(stream.chunks(size))
        assert (stream.fps, stream.source_fps) == (25.0, 30.0)
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert 1 <= len(chunks[-1]) <= size
    np.testing.assert_array_equal(np.concatenate(chunks), whole)


def test_iterating_yields_single_frames_in_order(counting_30fps):
    frames = list(open_video(counting_30fps, fps=None))
    assert frames[0].shape == (64, 64, 3)
    np.testing.assert_array_equal(corpus.frame_index(np.stack(frames)), np.arange(30))


def test_window_of_a_stream(counting_30fps):
    with open_video(counting_30fps, fps=None, start_time=0.5, num_frames=4) as stream:
        frames = stream.read_all()
    np.testing.assert_array_equal(corpus.frame_index(frames), [15, 16, 17, 18])


def test_closed_stream_yields_nothing_more(counting_30fps):
    stream = open_video(counting_30fps, fps=None)
    first = next(stream.chunks(4))
    assert len(first) == 4
    stream.close()
    with pytest.raises(StopIteration):
        next(iter(stream))


def test_no_frame_after_start_is_an_error_while_reading(counting_30fps):
    stream = open_video(counting_30fps, start_time=5.0)
    with pytest.raises(VideoReadError, match=r"count30\.mp4.*no frame at or after 5\.000 s"):
        stream.read_all()


def test_missing_file_is_an_error_when_opening(tmp_path):
    with pytest.raises(VideoReadError, match="no such file"):
        open_video(tmp_path / "missing.mp4")


def test_chunk_size_is_checked(counting_30fps):
    with open_video(counting_30fps) as stream:
        with pytest.raises(ValueError, match="size"):
            next(stream.chunks(0))
