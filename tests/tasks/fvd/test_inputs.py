"""Bad FVD inputs get errors that name the input and what is wrong."""

import warnings

import numpy as np
import pytest

from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.embed import check_videos
from keras_i3d.tasks.fvd.embed import scale_to_model_range
from keras_i3d.tasks.fvd.presets import PRESETS
from keras_i3d.tasks.fvd.presets import get_preset
from keras_i3d.tasks.fvd.statistics import VideoStatistics


def videos(num_videos=2, num_frames=9, dtype=np.uint8, value=0):
    return np.full((num_videos, num_frames, 8, 8, 3), value, dtype)


def test_fewer_than_9_frames_is_refused():
    with pytest.raises(ValueError, match="real.mp4: .*at least 9 frames.*8"):
        check_videos(videos(num_frames=8), name="real.mp4")


def test_values_outside_the_declared_range_are_refused():
    with pytest.raises(
        ValueError,
        match=r"values must lie in \[0, 255\].*"
        r"\[300.0, 300.0\]",
    ):
        check_videos(videos(dtype=np.float32, value=300))
    with pytest.raises(ValueError, match=r"input_range=\(0, 1\)"):
        check_videos(videos(value=2), input_range=(0, 1))


def test_float_values_below_1_under_0_255_warn_and_name_the_option():
    with pytest.warns(UserWarning, match=r"input_range=\(0, 1\)"):
        check_videos(videos(dtype=np.float32, value=1))


def test_uint8_values_below_1_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_videos(videos(value=1))


def test_wrong_rank_is_refused():
    with pytest.raises(ValueError, match=r"\(N, T, H, W, 3\).*\(9, 8, 8, 3\)"):
        check_videos(np.zeros((9, 8, 8, 3), np.uint8))


def test_unknown_input_range_is_refused():
    with pytest.raises(ValueError, match="input_range"):
        check_videos(videos(), input_range=(0, 2))


def test_one_video_per_set_is_refused_before_embedding():
    with pytest.raises(ValueError, match="generated videos: .*at least 2"):
        compute_fvd(videos(), videos(num_videos=1))


def test_sets_of_different_frame_counts_are_refused():
    with pytest.raises(
        ValueError,
        match=r"same number of frames.*\(9,\).*"
        r"\(10,\)",
    ):
        compute_fvd(videos(), videos(num_frames=10))


def test_precomputed_statistics_of_other_options_are_refused():
    real = VideoStatistics.from_embeddings(np.eye(3), {"resize": "bilinear", "features": "logits"})
    generated = VideoStatistics.from_embeddings(
        np.eye(3), {"resize": "tf1_bilinear", "features": "logits"}
    )
    with pytest.raises(ValueError, match="different options"):
        compute_fvd(real, generated)


def test_input_ranges_map_to_the_same_model_input():
    values = np.arange(256, dtype=np.float32)
    from_0_255 = scale_to_model_range(values)
    from_0_1 = scale_to_model_range(values / 255, input_range=(0, 1))

    np.testing.assert_allclose(from_0_1, from_0_255, atol=1e-6)
    np.testing.assert_array_equal(scale_to_model_range(from_0_255, input_range=(-1, 1)), from_0_255)


def test_presets():
    reference = get_preset("reference")
    assert (
        reference.resize,
        reference.features,
        reference.ddof,
        reference.sqrtm,
        reference.exact,
    ) == ("tf1_bilinear", "logits", 1, "tfgan_svd", True)
    stylegan_v = get_preset("stylegan_v")
    assert (stylegan_v.ddof, stylegan_v.sqrtm, stylegan_v.num_videos, stylegan_v.real_offset) == (
        0,
        "scipy",
        2048,
        "random",
    )
    assert not PRESETS["videogpt"].exact and "1e-5" in PRESETS["videogpt"].note
    assert not PRESETS["cd_fvd"].exact and "1e-5" in PRESETS["cd_fvd"].note
    with pytest.raises(ValueError, match="preset='fvd'"):
        get_preset("fvd")
