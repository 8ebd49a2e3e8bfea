"""FVD with the real Kinetics-400 weights against the reference's numbers.

For constant clips every covariance is 0, so FVD is the squared distance
between the logits of an all -1 and an all +1 clip. The TF1.15 + TF-Hub
reference gives 151.39244 on 8 x 30 x 64 x 64 all 0 vs all 255 (README of
JunyaoHu/common_metrics_on_video_quality); the T=15 and T=16 values were
measured with this port (../shared/specs/fvd.md, section 6).
"""

import numpy as np
import pytest

from keras_i3d.tasks.fvd.api import compute_fvd
from keras_i3d.tasks.fvd.api import frechet_video_distance
from keras_i3d.tasks.fvd.distance import frechet_distance_from_activations
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import video_embeddings

REFERENCE_FVD_8X30X64X64 = 151.39244


def constant_videos(num_videos, num_frames, value, size=64):
    return np.full((num_videos, num_frames, size, size, 3), value, np.uint8)


@pytest.fixture(scope="module")
def logits_model(installed_kinetics400):
    return fvd_embedding_model("logits")


def test_constant_clips_give_the_reference_number(logits_model):
    result = compute_fvd(
        constant_videos(8, 30, 0),
        constant_videos(8, 30, 255),
        model=logits_model,
    )

    assert result.fvd == pytest.approx(REFERENCE_FVD_8X30X64X64, abs=2e-4)
    assert result.fvd == float(np.float32(result.fvd_float64))
    assert (result.n_real, result.n_generated) == (8, 8)
    assert result.options == {
        "resize": "tf1_bilinear",
        "features": "logits",
        "clip_length": 30,
        "ddof": 1,
        "sqrtm": "tfgan_svd",
    }


@pytest.mark.parametrize("num_frames, expected", ((15, 133.909), (16, 152.902)))
def test_constant_clip_regression_values(logits_model, num_frames, expected):
    # One clip of each: with identical videos the set statistics are those
    # of repeated embeddings, so the distance needs only two forward passes.
    embeddings = video_embeddings(
        np.concatenate([constant_videos(1, num_frames, 0), constant_videos(1, num_frames, 255)]),
        model=logits_model,
    )
    real = np.repeat(embeddings[:1], 4, axis=0)
    generated = np.repeat(embeddings[1:], 4, axis=0)

    value = frechet_distance_from_activations(real, generated)

    assert value == pytest.approx(expected, abs=2e-3)


def test_frechet_video_distance_returns_a_float(logits_model):
    real = np.random.default_rng(0).integers(0, 256, (2, 9, 32, 32, 3))
    value = frechet_video_distance(real, real, model=logits_model)

    assert isinstance(value, float)
    assert value == pytest.approx(0.0, abs=1e-3)
