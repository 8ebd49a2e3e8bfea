"""FVD statistics from Beam (2 worker processes) equal the single-process ones."""

import numpy as np
import pytest

pytest.importorskip("apache_beam", reason='needs the beam extra: pip install "keras-i3d[beam]"')

import apache_beam as beam  # noqa: E402

from keras_i3d.beam import jobs  # noqa: E402
from keras_i3d.beam.failures import FAILURES  # noqa: E402
from keras_i3d.beam.failures import read_failures  # noqa: E402
from keras_i3d.beam.fvd import ComputeVideoStatistics  # noqa: E402
from keras_i3d.beam.fvd import VideoStatisticsCombineFn  # noqa: E402
from keras_i3d.tasks.fvd.statistics import VideoStatistics  # noqa: E402
from tests.video.corpus import moving_frames  # noqa: E402
from tests.video.corpus import write_garbage  # noqa: E402
from tests.video.corpus import write_video  # noqa: E402

CLIP_LENGTH = 9  # The fewest frames I3D's logits take: a cheap test.


def test_the_combine_fn_merges_exactly_like_video_statistics():
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(6, 4)).astype(np.float32)
    combine = VideoStatisticsCombineFn(4, {"features": "logits"})
    halves = [combine.create_accumulator(), combine.create_accumulator()]
    for index, row in enumerate(embeddings):
        combine.add_input(halves[index % 2], row[None])
    merged = combine.extract_output(combine.merge_accumulators(halves))
    expected = VideoStatistics.from_embeddings(embeddings, {"features": "logits"})
    assert merged.count == 6
    np.testing.assert_allclose(merged.sum, expected.sum, rtol=1e-15)
    np.testing.assert_allclose(merged.sum_outer, expected.sum_outer, rtol=1e-15)
    assert merged.options == expected.options


def test_random_real_offsets_are_refused():
    with pytest.raises(ValueError, match="stylegan_v.*cannot repeat"):
        ComputeVideoStatistics("stylegan_v", real=True)


def test_statistics_equal_single_process_ones(tmp_path):
    from keras_i3d.tasks.fvd.embed import fvd_embedding_model
    from keras_i3d.tasks.fvd.sources import video_file_statistics

    paths = []
    for index in range(4):
        path = tmp_path / f"video{index}.mp4"
        write_video(path, moving_frames(CLIP_LENGTH + index, 32, 40, seed=index))
        paths.append(str(path))
    write_garbage(tmp_path / "broken.mp4")
    # Random weights, saved, so both sides embed with the same network.
    model = fvd_embedding_model("logits", weights=None)
    weights = str(tmp_path / "fvd.weights.h5")
    model.save_weights(weights)
    expected = video_file_statistics(
        paths, "reference", clip_length=CLIP_LENGTH, model=model, batch_size=1
    )
    saved = tmp_path / "statistics.npz"

    def build(pipeline):
        result = (
            pipeline
            | beam.Create(paths + [str(tmp_path / "broken.mp4")])
            | ComputeVideoStatistics("reference", clip_length=CLIP_LENGTH, weights=weights)
        )
        result["statistics"] | beam.Map(lambda statistics: statistics.save(saved))
        return result[FAILURES]

    summary = jobs.run_job(build, tmp_path, workers=2)
    assert [path for path, _ in summary.failures] == [str(tmp_path / "broken.mp4")]
    statistics = VideoStatistics.load(saved)
    assert statistics.count == expected.count == 4
    assert statistics.options == expected.options
    np.testing.assert_allclose(statistics.sum, expected.sum, rtol=1e-12, atol=0)
    np.testing.assert_allclose(statistics.sum_outer, expected.sum_outer, rtol=1e-12, atol=0)
    assert read_failures(summary.failures_path)[0]["path"].endswith("broken.mp4")
