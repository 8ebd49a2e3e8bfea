"""VideoStatistics: streaming, merging, saving, refusing mixed options."""

import numpy as np
import pytest

from keras_i3d.tasks.fvd.statistics import VideoStatistics

OPTIONS = {"resize": "tf1_bilinear", "features": "logits", "clip_length": 16}


def embeddings(count=100, dimension=400, seed=0):
    return np.random.default_rng(seed).normal(3.0, 2.0, (count, dimension))


def test_merged_shards_equal_a_single_pass():
    values = embeddings()
    single = VideoStatistics.from_embeddings(values, OPTIONS)
    shards = [VideoStatistics.from_embeddings(part, OPTIONS) for part in np.array_split(values, 3)]

    merged = shards[0].merge(shards[1]).merge(shards[2])

    assert merged.count == single.count == 100
    for ddof in (0, 1):
        for merged_part, single_part in zip(
            merged.mean_and_covariance(ddof), single.mean_and_covariance(ddof)
        ):
            np.testing.assert_allclose(merged_part, single_part, rtol=1e-12, atol=1e-12)


def test_streaming_statistics_equal_numpy_mean_and_cov():
    values = embeddings(count=50, dimension=8)
    statistics = VideoStatistics(8)
    for batch in np.array_split(values, 7):
        statistics.update(batch)

    mean, covariance = statistics.mean_and_covariance(ddof=1)

    np.testing.assert_allclose(mean, values.mean(0), rtol=1e-12)
    np.testing.assert_allclose(covariance, np.cov(values, rowvar=False), rtol=1e-10)


def test_save_load_round_trip(tmp_path):
    statistics = VideoStatistics.from_embeddings(embeddings(), OPTIONS)

    path = statistics.save(tmp_path / "real_stats.npz")
    loaded = VideoStatistics.load(path)

    assert loaded.count == statistics.count
    assert loaded.options == statistics.options
    np.testing.assert_array_equal(loaded.sum, statistics.sum)
    np.testing.assert_array_equal(loaded.sum_outer, statistics.sum_outer)
    loaded.check_comparable(statistics)


def test_statistics_with_different_options_are_refused():
    first = VideoStatistics.from_embeddings(embeddings(), OPTIONS)
    second = VideoStatistics.from_embeddings(embeddings(), dict(OPTIONS, resize="bilinear"))

    with pytest.raises(ValueError, match="resize='tf1_bilinear' vs 'bilinear'"):
        first.merge(second)


def test_loading_a_file_that_is_not_statistics_names_it(tmp_path):
    path = tmp_path / "videos.npz"
    np.savez(path, videos=np.zeros(3))

    with pytest.raises(ValueError, match="videos.npz.*not an FVD statistics"):
        VideoStatistics.load(path)


def test_one_video_has_no_covariance():
    statistics = VideoStatistics.from_embeddings(embeddings(count=1))

    with pytest.raises(ValueError, match="at least 2 videos.*Received: 1"):
        statistics.mean_and_covariance()


def test_embeddings_of_the_wrong_length_are_refused():
    statistics = VideoStatistics(400)

    with pytest.raises(ValueError, match=r"\(n, 400\).*\(2, 1024\)"):
        statistics.update(np.zeros((2, 1024)))
