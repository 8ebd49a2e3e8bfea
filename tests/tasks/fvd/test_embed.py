"""The compiled embedding (resize, scale and I3D in one graph) is the host path."""

import keras
import numpy as np
import pytest

from keras_i3d.tasks.fvd.embed import _COMPILED_EMBEDDINGS
from keras_i3d.tasks.fvd.embed import embed_model_inputs
from keras_i3d.tasks.fvd.embed import embed_videos
from keras_i3d.tasks.fvd.embed import fvd_embedding_model
from keras_i3d.tasks.fvd.embed import preprocess_videos
from keras_i3d.tasks.fvd.embed import video_embeddings


@pytest.fixture(scope="module")
def small_model():
    """I3D without weights: the same layers and kernels as the reference's."""
    keras.utils.set_random_seed(0)
    return fvd_embedding_model(weights=None)


def test_compiled_embedding_gives_the_host_paths_bits(small_model):
    rng = np.random.default_rng(0)
    videos = rng.integers(0, 256, (2, 9, 40, 56, 3)).astype(np.uint8)

    for resize, input_range, batch in (
        ("tf1_bilinear", (0, 255), videos),
        ("bilinear", (0, 1), videos.astype(np.float32) / 255),
    ):
        host = embed_model_inputs(small_model, preprocess_videos(batch, resize, input_range))
        np.testing.assert_array_equal(embed_videos(small_model, batch, resize, input_range), host)

    # One compiled function per model and options, reused across calls.
    if keras.backend.backend() == "tensorflow":
        assert len(_COMPILED_EMBEDDINGS[small_model]) == 2


def test_video_embeddings_batches_give_the_same_embeddings(small_model):
    videos = np.random.default_rng(1).integers(0, 256, (3, 9, 32, 32, 3)).astype(np.uint8)

    whole = video_embeddings(videos, model=small_model, batch_size=3)
    split = video_embeddings(videos, model=small_model, batch_size=2)

    np.testing.assert_allclose(split, whole, rtol=1e-6, atol=1e-6)
    if keras.backend.backend() == "tensorflow":
        # Batches of 3, 2 and 1 clips: one trace (the batch size is open).
        (embed,) = [
            function
            for key, function in _COMPILED_EMBEDDINGS[small_model].items()
            if key[2] == videos.shape[1:]
        ]
        assert embed.experimental_get_tracing_count() == 1
