"""Clips from video files, sampled as the presets say."""

import os
import sys
import threading

import keras
import numpy as np
import pytest

from keras_i3d.tasks.fvd.sources import ShortVideoError
from keras_i3d.tasks.fvd.sources import read_clip
from keras_i3d.tasks.fvd.sources import video_file_statistics
from tests.video.corpus import counting_frames
from tests.video.corpus import frame_index
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video


@pytest.fixture(scope="module")
def video_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fvd_videos")
    paths = [
        write_video(folder / f"{length}.mp4", counting_frames(length)) for length in (40, 30, 10)
    ]
    return [str(path) for path in paths]


def mean_colour_model():
    """A stand-in embedding: each clip's mean colour (3-d), fast on a CPU."""
    inputs = keras.Input((None, 224, 224, 3))
    return keras.Model(inputs, keras.layers.GlobalAveragePooling3D()(inputs))


def test_read_clip_takes_every_frame_step_from_the_offset(video_files):
    clip = read_clip(video_files[0], clip_length=4, frame_step=8, offset=3)

    assert frame_index(clip).tolist() == [3, 11, 19, 27]


def test_a_short_video_is_refused_with_its_name(video_files):
    with pytest.raises(ShortVideoError, match="10.mp4: .*16 frames.*10"):
        read_clip(video_files[2], clip_length=16)


def test_reference_refuses_and_stylegan_v_discards_short_videos(video_files):
    model = mean_colour_model()
    with pytest.raises(ShortVideoError, match="10.mp4"):
        video_file_statistics(video_files, "reference", model=model)

    statistics = video_file_statistics(video_files, "stylegan_v", num_videos=2, model=model)

    assert statistics.count == 2
    assert statistics.options == {
        "resize": "bilinear",
        "features": "logits",
        "clip_length": 16,
    }


def test_too_few_usable_videos_is_an_error_naming_the_count(video_files):
    with pytest.raises(ValueError, match="takes 3 videos.*2 gave a clip.*1 too short"):
        video_file_statistics(
            video_files, "stylegan_v", num_videos=3, model=mean_colour_model(), name="real/"
        )


def test_random_real_offsets_are_seeded(video_files):
    model = mean_colour_model()

    def real_sums(seed, real=True):
        return video_file_statistics(
            video_files[:2],
            "stylegan_v",
            num_videos=2,
            model=model,
            seed=seed,
            real=real,
            clip_length=9,
        ).sum

    np.testing.assert_array_equal(real_sums(seed=1), real_sums(seed=1))
    assert not np.array_equal(real_sums(seed=1), real_sums(seed=2))
    # Generated clips always start at frame 0.
    np.testing.assert_array_equal(real_sums(1, real=False), real_sums(2, real=False))


def test_file_statistics_are_the_host_path_on_the_read_clips(video_files, tmp_path):
    """Uint8 clips go to the compiled embedding as decoded: the same bits
    as preprocessing on the host, also for videos of different sizes."""
    from keras_i3d.tasks.fvd.embed import embed_model_inputs
    from keras_i3d.tasks.fvd.embed import preprocess_videos
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    other_size = str(write_video(tmp_path / "wide.mp4", moving_frames(20, height=48, width=80)))
    model = mean_colour_model()
    for paths in (video_files[:2], [video_files[0], other_size]):
        statistics = video_file_statistics(paths, model=model, clip_length=9)

        clips = [read_clip(path, clip_length=9) for path in paths]
        expected = VideoStatistics.from_embeddings(
            np.concatenate([embed_model_inputs(model, preprocess_videos(c[None])) for c in clips])
        )
        assert statistics.count == 2
        np.testing.assert_array_equal(statistics.sum, expected.sum)
        np.testing.assert_array_equal(statistics.sum_outer, expected.sum_outer)


def test_stylegan_v_discards_videos_shorter_than_clip_length_times_step(video_files, tmp_path):
    """StyleGAN-V keeps videos of clip_length * frame_step frames (here 36),
    though a clip of 9 frames every 4 spans 33: a 34-frame video goes."""
    model = mean_colour_model()
    paths = [str(write_video(tmp_path / "34.mp4", counting_frames(34))), video_files[0]]
    clip = {"clip_length": 9, "frame_step": 4, "model": model}

    statistics = video_file_statistics(paths, "stylegan_v", num_videos=1, **clip)
    assert statistics.count == 1  # The 40-frame video.
    assert video_file_statistics(paths, "reference", num_videos=2, **clip).count == 2

    with pytest.raises(ValueError, match="takes 2 videos with 36 frames.*1 too short"):
        video_file_statistics(paths, "stylegan_v", num_videos=2, **clip)
    with pytest.raises(ShortVideoError, match="at least 36 frames.*34 frames"):
        read_clip(paths[0], clip_length=9, frame_step=4, min_frames=36)


def test_parallel_reads_keep_the_order_offsets_and_discards_of_one_by_one(video_files):
    """Files are read a batch at a time on several threads; the clips, their
    random offsets and the discarded files are those of reading one file
    after another."""
    from keras_i3d.tasks.fvd.embed import embed_model_inputs
    from keras_i3d.tasks.fvd.embed import preprocess_videos
    from keras_i3d.tasks.fvd.sources import clip_span
    from keras_i3d.tasks.fvd.sources import random_offset
    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    long, medium, short = video_files
    paths = [long, short, medium, long, medium]
    model = mean_colour_model()
    statistics = video_file_statistics(
        paths, "stylegan_v", num_videos=3, model=model, seed=3, clip_length=16, batch_size=2
    )

    rng = np.random.default_rng(3)
    offsets = [random_offset(path, clip_span(16, 1), rng) for path in paths[:4]]
    used = [0, 2, 3]  # The 10-frame file is discarded; the fifth is not needed.
    clips = [read_clip(paths[i], clip_length=16, offset=offsets[i]) for i in used]
    expected = VideoStatistics.from_embeddings(
        np.concatenate([embed_model_inputs(model, preprocess_videos(c[None])) for c in clips])
    )
    assert statistics.count == 3
    np.testing.assert_array_equal(statistics.sum, expected.sum)
    np.testing.assert_array_equal(statistics.sum_outer, expected.sum_outer)
    assert len(set(offsets)) > 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")
def test_decoding_threads_yield_to_the_model():
    """Reads of the next batch run at the least priority, so that they take
    only the cycles the model leaves idle."""
    from keras_i3d.tasks.fvd import sources

    priorities = []
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def decoder():
        sources._yield_to_the_model()
        priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=decoder)
    thread.start()
    thread.join()
    assert priorities == [19]
    # Only the decoding thread is lowered, not the process.
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
