"""The tf.data service: a loopback dispatcher and two workers in this process."""

import hashlib

import keras
import numpy as np
import pytest

from keras_i3d.data import DataServiceConfig
from keras_i3d.data import InputView
from keras_i3d.data import VideoSample
from keras_i3d.data import local_data_service
from keras_i3d.data import sample_clip_indices
from keras_i3d.data import tfrecord_dataset
from keras_i3d.data import video_dataset
from keras_i3d.data import write_tfrecords
from keras_i3d.data.service import check_reachable
from keras_i3d.data.service import resolve_data_service
from keras_i3d.data.service import split_address
from keras_i3d.data.tfrecords import sample_indices_in_graph
from tests.video import corpus

CLIP_LENGTH = 8
CROP = 32
NUM_VIDEOS = 6
NUM_WORKERS = 2
# Small clips, so the test decodes little: 8 frames, 40 px short side, 32 px crop.
CLIP_ARGUMENTS = {"clip_length": CLIP_LENGTH, "short_side": 40, "crop_size": CROP}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    return [
        VideoSample(
            str(corpus.write_video(folder / f"v{i}.mp4", corpus.moving_frames(12 + 3 * i, seed=i))),
            i,
        )
        for i in range(NUM_VIDEOS)
    ]


@pytest.fixture(scope="module")
def shards(samples, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    write_tfrecords(samples, folder, num_shards=3, short_side=40)
    return str(folder / "*.tfrecord")


@pytest.fixture(scope="module")
def service_address():
    with local_data_service(num_workers=NUM_WORKERS) as address:
        yield address


def one_epoch(address, processing_mode="dynamic", **kwargs):
    """A config whose job serves one epoch, so the dataset ends."""
    return DataServiceConfig(address, processing_mode, epochs=1, **kwargs)


def local_epochs(dataset, epochs):
    """`clip_keys` of each of the first `epochs` iterations of a local dataset."""
    return [clip_keys(dataset) for _ in range(epochs)]


def clip_keys(dataset):
    """`(label, sha256 of the clip)` of every example, sorted."""
    return sorted(
        (int(label), hashlib.sha256(np.ascontiguousarray(clip.numpy())).hexdigest())
        for clip, label in dataset
    )


def test_video_dataset_dynamic_serves_the_local_clips(samples, service_address):
    local = clip_keys(video_dataset(samples, seed=3, **CLIP_ARGUMENTS))
    served = clip_keys(
        video_dataset(samples, seed=3, data_service=one_epoch(service_address), **CLIP_ARGUMENTS)
    )
    assert served == local
    assert [label for label, _ in served] == list(range(NUM_VIDEOS))


@pytest.mark.parametrize(
    "pipeline, sampling",
    [("video_dataset", "random"), ("tfrecord_dataset", "uniform")],
)
def test_off_mode_serves_the_local_clips_once_per_worker(
    pipeline, sampling, samples, shards, service_address
):
    def dataset(**kwargs):
        if pipeline == "video_dataset":
            return video_dataset(samples, seed=3, sampling=sampling, **CLIP_ARGUMENTS, **kwargs)
        return tfrecord_dataset(shards, seed=3, sampling=sampling, **CLIP_ARGUMENTS, **kwargs)

    local = clip_keys(dataset())
    served = clip_keys(dataset(data_service=one_epoch(service_address, "off")))
    assert served == sorted(local * NUM_WORKERS)


def test_tfrecord_random_windows_are_seeded_in_graph(shards, service_address):
    """On the service, random windows come from a stateless TF op on the
    example's seed: every worker of an "off" job serves the same clips."""
    config = one_epoch(service_address, "off")
    served = clip_keys(tfrecord_dataset(shards, seed=3, data_service=config, **CLIP_ARGUMENTS))
    assert served == sorted(sorted(set(served)) * NUM_WORKERS)
    assert [label for label, _ in served[::NUM_WORKERS]] == list(range(NUM_VIDEOS))


@pytest.mark.parametrize("num_frames", [1, 7, 8, 9, 30, 121, 200])
@pytest.mark.parametrize("view", [InputView.consecutive("rgb", 8), InputView(steps=25, spacing=5)])
def test_in_graph_sampler_matches_the_numpy_sampler(num_frames, view):
    for sampling, num_clips in [("uniform", 1), ("uniform", 3), ("uniform", 10), ("whole", 1)]:
        windows = sample_clip_indices(num_frames, view.span, sampling, num_clips)
        expected = windows[:, view.rgb_offsets(windows.shape[1])]
        graph = sample_indices_in_graph(num_frames, np.array([1, 2]), view, sampling, num_clips)
        np.testing.assert_array_equal(graph.numpy(), expected, err_msg=f"{sampling} {num_clips}")
    starts = {
        int(sample_indices_in_graph(num_frames, np.array([seed, 0]), view, "random")[0, 0])
        for seed in range(200)
    }
    possible = range(max(num_frames - view.span, 0) + 1)
    assert starts <= set(possible)
    assert len(starts) > 0.5 * len(possible)


def test_scaling_in_the_trainer_matches_scaling_on_the_workers(samples, service_address):
    local = video_dataset(samples, seed=1, deterministic=True, **CLIP_ARGUMENTS)
    served = video_dataset(
        samples, seed=1, data_service=one_epoch(service_address), **CLIP_ARGUMENTS
    )
    local_clips = {int(label): clip.numpy() for clip, label in local}
    served_clips = {int(label): clip.numpy() for clip, label in served}
    assert sorted(served_clips) == sorted(local_clips)
    for label, clip in served_clips.items():
        assert clip.dtype == np.float32 and clip.min() >= -1 and clip.max() <= 1
        np.testing.assert_array_equal(clip, local_clips[label])


def test_tfrecord_dataset_dynamic_visits_each_video_once(shards, service_address):
    served = clip_keys(
        tfrecord_dataset(shards, seed=5, data_service=one_epoch(service_address), **CLIP_ARGUMENTS)
    )
    assert [label for label, _ in served] == list(range(NUM_VIDEOS))


def test_video_dataset_epochs_differ_and_equal_the_local_epochs(samples, service_address):
    """One job serves the epochs in turn: with a seed, epoch 1 is not epoch 0
    again, but the local pipeline's epoch 1 ("dynamic": each clip once;
    "off": once per worker)."""
    local = local_epochs(video_dataset(samples, seed=3, **CLIP_ARGUMENTS), 2)
    assert set(local[0]).isdisjoint(local[1])
    for mode, copies in (("dynamic", 1), ("off", NUM_WORKERS)):
        config = DataServiceConfig(service_address, mode, epochs=2)
        served = clip_keys(video_dataset(samples, seed=3, data_service=config, **CLIP_ARGUMENTS))
        assert served == sorted((local[0] + local[1]) * copies), mode


def test_tfrecord_dataset_epochs_differ(shards, service_address):
    """Shards split by file draw their seeds on the workers: each epoch
    visits every video, with new clips."""
    for mode, copies in (("dynamic", 1), ("off", NUM_WORKERS)):
        config = DataServiceConfig(service_address, mode, epochs=2)
        served = clip_keys(tfrecord_dataset(shards, seed=3, data_service=config, **CLIP_ARGUMENTS))
        assert [label for label, _ in served] == sorted(list(range(NUM_VIDEOS)) * 2 * copies)
        # Two epochs of different clips: each video's two clips differ.
        assert len(set(served)) == 2 * NUM_VIDEOS, mode


def test_uniform_epochs_repeat_the_same_clips(shards, service_address):
    """Without randomness, the epochs of one job serve the same clips."""
    local = clip_keys(tfrecord_dataset(shards, seed=3, sampling="uniform", **CLIP_ARGUMENTS))
    config = DataServiceConfig(service_address, "off", epochs=2)
    served = clip_keys(
        tfrecord_dataset(shards, seed=3, sampling="uniform", data_service=config, **CLIP_ARGUMENTS)
    )
    assert served == sorted(local * 2 * NUM_WORKERS)


def test_dynamic_seeded_video_dataset_needs_an_end_to_the_epochs(samples, service_address):
    with pytest.raises(ValueError, match="Received: epochs=None"):
        video_dataset(samples, seed=3, data_service=service_address, **CLIP_ARGUMENTS)


def test_service_feeds_model_fit(samples, shards, service_address):
    model = keras.Sequential(
        [
            keras.Input((CLIP_LENGTH, CROP, CROP, 3)),
            keras.layers.GlobalAveragePooling3D(),
            keras.layers.Dense(NUM_VIDEOS),
        ]
    )
    model.compile(
        optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    uncompressed = DataServiceConfig(service_address, compression=None)
    two_epochs = DataServiceConfig(service_address, epochs=2)
    for dataset, fit_epochs in (
        (video_dataset(samples, batch_size=2, data_service=service_address, **CLIP_ARGUMENTS), 2),
        (tfrecord_dataset(shards, batch_size=2, data_service=uncompressed, **CLIP_ARGUMENTS), 2),
        # A job of 2 epochs under 3 fit epochs: fit keeps one iterator, so
        # the input runs out after the job's 2 epochs and training stops.
        (
            video_dataset(samples, batch_size=2, seed=4, data_service=two_epochs, **CLIP_ARGUMENTS),
            3,
        ),
    ):
        steps = []
        count_steps = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: steps.append(batch)
        )
        # One job for the whole run, every video once per epoch: 6 clips, 3 batches.
        history = model.fit(
            dataset, epochs=fit_epochs, steps_per_epoch=3, verbose=0, callbacks=[count_steps]
        )
        assert steps == [0, 1, 2] * 2
        assert np.isfinite(history.history["loss"]).all()


def test_addresses_and_modes_are_checked():
    assert split_address("grpc://example.com:5050") == ("example.com", 5050)
    assert resolve_data_service("localhost:5050").target == "grpc://localhost:5050"
    for address in ("localhost", "localhost:0", "localhost:http", ":5050", 5050):
        with pytest.raises(ValueError, match="Received: address="):
            split_address(address)
    with pytest.raises(ValueError, match="Received: processing_mode='file'"):
        DataServiceConfig("localhost:5050", processing_mode="file")
    with pytest.raises(ValueError, match="Received: compression='gzip'"):
        DataServiceConfig("localhost:5050", compression="gzip")
    for epochs in (0, 1.5, True):
        with pytest.raises(ValueError, match=f"Received: epochs={epochs!r}"):
            DataServiceConfig("localhost:5050", epochs=epochs)
    with pytest.raises(ValueError, match="Received: data_service=5050"):
        resolve_data_service(5050)


def test_unreachable_dispatcher_fails_fast():
    import socket

    with socket.socket() as unused:
        unused.bind(("localhost", 0))
        port = unused.getsockname()[1]
    with pytest.raises(
        ConnectionError, match=f"No tf.data service dispatcher answers at localhost:{port}"
    ):
        check_reachable(f"localhost:{port}")
