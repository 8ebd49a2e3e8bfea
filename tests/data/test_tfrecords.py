import os

import numpy as np
import pytest

from keras_i3d.data import SkippedVideos
from keras_i3d.data import VideoSample
from keras_i3d.data import tfrecord_dataset
from keras_i3d.data import write_tfrecords
from keras_i3d.video import read_video
from tests.video import corpus


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    good = [
        str(corpus.write_video(folder / f"v{i}.mp4", corpus.moving_frames(5 + 5 * i, seed=i)))
        for i in range(3)
    ]
    bad = corpus.write_bad_corpus(folder / "bad")
    return good, bad


def test_write_skips_bad_videos_and_shards_atomically(tmp_path, videos):
    good, bad = videos
    samples = [VideoSample(path, i) for i, path in enumerate(good)]
    samples += [VideoSample(path, 9) for path in bad.values()]
    skipped = SkippedVideos()
    done = []
    result = write_tfrecords(
        samples,
        tmp_path,
        num_shards=2,
        short_side=None,
        workers=2,
        skipped=skipped,
        on_video_done=lambda sample, ok: done.append(ok),
    )
    assert result["videos"] == 3 and result["frames"] == 5 + 10 + 15
    assert sorted(os.listdir(tmp_path)) == [
        "videos-00000-of-00002.tfrecord",
        "videos-00001-of-00002.tfrecord",
    ]
    assert sorted(skipped.paths) == sorted(bad.values())
    assert done.count(True) == 3 and len(done) == len(samples)

    dataset = tfrecord_dataset(
        str(tmp_path / "*.tfrecord"),
        clip_length=16,
        sampling="whole",
        short_side=None,
        crop_size=64,
        scale=False,
    )
    clips = {int(label): clip.numpy() for clip, label in dataset}
    assert sorted(clips) == [0, 1, 2]
    source = read_video(good[2]).frames
    assert clips[2].shape == (16, 64, 64, 3)

    # The 15-frame video is looped to the 16-frame minimum and centre-cropped.
    # JPEG (quality 90) blurs the noise texture, yet the right crop is far
    # closer than a crop shifted by one pixel.
    def error(left):
        expected = source[np.arange(16) % 15, :, left : left + 64]
        return np.abs(clips[2].astype(int) - expected.astype(int)).mean()

    assert error(8) < 8
    assert error(8) < 0.5 * min(error(7), error(9))


def test_interrupted_write_leaves_no_shard(tmp_path, videos):
    samples = [VideoSample(path, 0) for path in videos[0]]

    def interrupt(sample, ok):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_tfrecords(samples, tmp_path, short_side=None, on_video_done=interrupt)
    assert os.listdir(tmp_path) == []


def test_training_clips_are_reproducible(tmp_path, videos):
    samples = [VideoSample(path, i) for i, path in enumerate(videos[0])]
    write_tfrecords(samples, tmp_path, num_shards=3, short_side=None)

    def run(seed):
        dataset = tfrecord_dataset(
            str(tmp_path / "*.tfrecord"),
            clip_length=8,
            seed=seed,
            deterministic=True,
            short_side=None,
            crop_size=32,
            batch_size=3,
        )
        clips, labels = next(iter(dataset))
        return clips.numpy(), labels.numpy()

    first, again = run(5), run(5)
    assert first[0].shape == (3, 8, 32, 32, 3)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert first[0].min() >= -1 and first[0].max() <= 1


@pytest.mark.parametrize("sampling", ["random", "uniform"])
def test_decoding_only_the_crop_window_gives_the_same_clips(tmp_path, videos, sampling):
    samples = [VideoSample(path, i) for i, path in enumerate(videos[0])]
    write_tfrecords(samples, tmp_path, short_side=None)

    def run(decode_crop):
        dataset = tfrecord_dataset(
            str(tmp_path / "*.tfrecord"),
            clip_length=8,
            sampling=sampling,
            seed=2,
            deterministic=True,
            short_side=None,
            crop_size=40,
            scale=False,
            decode_crop=decode_crop,
        )
        return [clip.numpy().astype(int) for clip, _ in dataset]

    for fused, whole in zip(run(True), run(False)):
        assert fused.shape == whole.shape == (8, 40, 40, 3)
        # Same window and flip: identical inside; on the window's one-pixel
        # rim, JPEG chroma upsampling sees different neighbours.
        np.testing.assert_array_equal(fused[:, 1:-1, 1:-1], whole[:, 1:-1, 1:-1])
        assert np.abs(fused - whole).mean() < 0.5


def test_a_view_decodes_only_its_frames(tmp_path):
    import cv2

    from keras_i3d.data import InputView

    folder = tmp_path / "numbered"
    folder.mkdir()
    for index in range(40):  # frame t is filled with 5 t
        cv2.imwrite(
            str(folder / f"img_{index + 1:05d}.png"), np.full((16, 16, 3), 5 * index, np.uint8)
        )
    write_tfrecords([VideoSample(str(folder), 2)], tmp_path / "shards", short_side=None)
    view = InputView(steps=6, spacing=5)  # every 5th frame, span 26
    dataset = tfrecord_dataset(
        str(tmp_path / "shards" / "*.tfrecord"),
        view=view,
        sampling="uniform",
        short_side=None,
        crop_size=16,
        scale=False,
    )
    clip, label = next(iter(dataset))
    assert clip.shape == (6, 16, 16, 3) and int(label) == 2
    frames = np.round(clip.numpy().mean(axis=(1, 2, 3)) / 5).astype(int)
    start = (40 - view.span) // 2
    np.testing.assert_array_equal(frames, start + 5 * np.arange(6))
    with pytest.raises(ValueError, match="RGB frames only"):
        tfrecord_dataset(str(tmp_path / "shards" / "*.tfrecord"), view=InputView(1, flow_stack=10))
    with pytest.raises(ValueError, match="either `view` or"):
        tfrecord_dataset(str(tmp_path / "shards" / "*.tfrecord"), view=view, clip_length=8)
