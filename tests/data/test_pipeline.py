import os

import cv2
import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.data import SkippedVideos
from keras_i3d.data import VideoSample
from keras_i3d.data import read_class_folders
from keras_i3d.data import scale_clip
from keras_i3d.data import uniform_clip_indices
from keras_i3d.data import video_dataset
from keras_i3d.data.transforms import eval_transform
from keras_i3d.flow.storage import dequantize_flow as dequantize
from keras_i3d.preprocessing import preprocess_input
from keras_i3d.video import read_video
from tests.video import corpus

SMALL = dict(clip_length=8, short_side=None, crop_size=32)


@pytest.fixture(scope="module")
def good_videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    return [
        str(corpus.write_video(folder / f"video_{i}.mp4", corpus.moving_frames(6 + 4 * i, seed=i)))
        for i in range(3)
    ]


def test_corrupt_videos_are_skipped_counted_and_named(tmp_path, good_videos):
    root = tmp_path / "dataset"
    os.makedirs(root / "good")
    for path in good_videos:
        os.symlink(path, root / "good" / os.path.basename(path))
    bad = corpus.write_bad_corpus(tmp_path / "bad")
    samples = read_class_folders(root) + [VideoSample(path, 0) for path in bad.values()]
    skipped = SkippedVideos()
    dataset = video_dataset(samples, skipped=skipped, seed=0, **SMALL)
    labels = [int(label) for _, label in dataset]
    assert sorted(labels) == [0, 0, 0]
    assert len(skipped) == len(bad)
    reasons = dict(skipped.items)
    for kind, path in bad.items():
        assert path in reasons, kind
    assert "no video stream" in reasons[bad["audio_only"]]
    assert "audio_only.m4a" in skipped.summary()


def test_same_seed_same_clips_other_seed_other_clips(good_videos):
    samples = [VideoSample(path, i) for i, path in enumerate(good_videos)]

    def run(seed):
        dataset = video_dataset(samples, seed=seed, deterministic=True, **SMALL)
        return [(clip.numpy(), int(label)) for clip, label in dataset]

    first, again, other = run(3), run(3), run(4)
    assert [label for _, label in first] == [label for _, label in again]
    for (a, _), (b, _) in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert any(
        not np.array_equal(a, b)
        for (a, _), (b, _) in zip(
            sorted(first, key=lambda x: x[1]), sorted(other, key=lambda x: x[1])
        )
    )


def test_batches_multiclip_and_whole(good_videos):
    samples = [VideoSample(path, i) for i, path in enumerate(good_videos)]
    batch = next(iter(video_dataset(samples, batch_size=2, seed=0, **SMALL)))
    assert batch[0].shape == (2, 8, 32, 32, 3) and batch[0].dtype == tf.float32
    multi = video_dataset(samples, sampling="uniform", num_clips=3, **SMALL)
    assert next(iter(multi))[0].shape == (3, 8, 32, 32, 3)
    whole = video_dataset(
        samples[2:], sampling="whole", clip_length=9, short_side=None, crop_size=32
    )
    assert next(iter(whole))[0].shape == (14, 32, 32, 3)
    with pytest.raises(ValueError, match="cannot be batched"):
        video_dataset(samples, sampling="whole", batch_size=4)
    with pytest.raises(ValueError, match="sampling='uniform'"):
        video_dataset(samples, num_clips=2)


def write_flow_like_rgb(video_path, flow_dir):
    """Flow images whose x/y are the decoded RGB's red/green: alignment is visible."""
    frames = read_video(video_path).frames
    os.makedirs(flow_dir)
    for index, frame in enumerate(frames, start=1):
        cv2.imwrite(os.path.join(flow_dir, f"flow_x_{index:05d}.png"), frame[..., 0])
        cv2.imwrite(os.path.join(flow_dir, f"flow_y_{index:05d}.png"), frame[..., 1])
    return str(flow_dir)


def test_two_stream_shares_window_crop_and_flip(tmp_path, good_videos):
    video = good_videos[2]
    sample = VideoSample(video, 5, flow_path=write_flow_like_rgb(video, tmp_path / "flow"))
    dataset = video_dataset([sample] * 16, stream="two_stream", scale=False, seed=1, **SMALL)
    flips = 0
    for (rgb, flow), label in dataset:
        assert int(label) == 5
        rgb, flow = rgb.numpy(), flow.numpy()
        np.testing.assert_allclose(flow[..., 1], dequantize(rgb[..., 1]), atol=1e-5)
        x_from_rgb = dequantize(rgb[..., 0])
        flipped = np.allclose(flow[..., 0], -x_from_rgb, atol=1e-5)
        flips += flipped
        if not flipped:
            np.testing.assert_allclose(flow[..., 0], x_from_rgb, atol=1e-5)
    assert 0 < flips < 16


def test_flow_stored_at_the_models_size_fits_a_larger_video(tmp_path):
    # `keras-i3d flow` stores flow at a 256 short side; videos keep theirs.
    frames = corpus.moving_frames(12, height=48, width=64, seed=3)
    video = str(corpus.write_video(tmp_path / "video.mp4", frames))
    flow = np.zeros((12, 24, 32, 2), np.float32)
    flow[..., 0] = 2.0  # 2 px at 24 x 32 is 4 px at 48 x 64
    sample = VideoSample(video, 1, flow_path="flow")
    options = dict(
        stream="two_stream",
        clip_length=8,
        sampling="uniform",
        scale=False,
        flow_reader=lambda _: flow,
    )
    (rgb, flow_clip), _ = next(
        iter(video_dataset([sample], short_side=48, crop_size=48, **options))
    )
    assert rgb.shape == (8, 48, 48, 3) and flow_clip.shape == (8, 48, 48, 2)
    np.testing.assert_allclose(flow_clip[..., 0], 4.0, atol=1e-4)
    skipped = SkippedVideos()
    dataset = video_dataset([sample], short_side=None, crop_size=16, skipped=skipped, **options)
    assert list(dataset) == []
    assert "no resize to bring them to one size" in skipped.summary()
    wrong = np.zeros((12, 24, 40, 2), np.float32)  # another aspect ratio
    skipped = SkippedVideos()
    options["flow_reader"] = lambda _: wrong
    assert (
        list(video_dataset([sample], short_side=48, crop_size=48, skipped=skipped, **options)) == []
    )
    assert "have different shapes" in skipped.summary()


def test_flow_stream_reads_denseflow_layout(tmp_path):
    folder = tmp_path / "video"
    os.makedirs(folder / "flow_x")
    os.makedirs(folder / "flow_y")
    for index in range(1, 11):
        cv2.imwrite(str(folder / "flow_x" / f"x_{index:05d}.jpg"), np.full((40, 40), 255, np.uint8))
        cv2.imwrite(str(folder / "flow_y" / f"y_{index:05d}.jpg"), np.full((40, 40), 0, np.uint8))
    dataset = video_dataset(
        [VideoSample("", 0, flow_path=str(folder))], stream="flow", sampling="uniform", **SMALL
    )
    clip = next(iter(dataset))[0].numpy()
    assert clip.shape == (8, 32, 32, 2)
    np.testing.assert_allclose(clip[..., 0], 1.0)
    np.testing.assert_allclose(clip[..., 1], -1.0)


def test_scale_clip_matches_preprocess_input():
    rgb = np.arange(256, dtype=np.uint8).reshape(1, 4, 8, 8)[..., :3]
    np.testing.assert_array_equal(scale_clip(rgb), preprocess_input(rgb, "rgb"))
    flow = np.linspace(-30, 30, 64, dtype=np.float32).reshape(1, 4, 8, 2)
    np.testing.assert_allclose(scale_clip(flow, True), preprocess_input(flow, "flow"))


def test_pipeline_matches_the_eager_predict_path(arm_wrestling_mp4):
    path = str(arm_wrestling_mp4)
    dataset = video_dataset([VideoSample(path, 6)], sampling="uniform", clip_length=16)
    clip, label = next(iter(dataset))
    frames = read_video(path).frames
    indices = uniform_clip_indices(len(frames), 16)[0]
    expected = preprocess_input(eval_transform(frames[indices]).numpy(), "rgb")
    assert clip.shape == (16, 224, 224, 3) and int(label) == 6
    np.testing.assert_array_equal(clip.numpy(), expected)
