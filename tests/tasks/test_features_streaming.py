"""The time base and the bounded memory of streamed feature extraction."""

import tracemalloc

import numpy as np
import pytest

from keras_i3d.tasks.features.extract import batched_features
from keras_i3d.tasks.features.extract import window_inputs
from keras_i3d.tasks.features.settings import FeatureSettings
from keras_i3d.tasks.features.settings import VideoWindows
from keras_i3d.tasks.features.sidecar import sidecar_record
from keras_i3d.tasks.features.windows import CentredWindows
from keras_i3d.tasks.features.windows import SlidingWindows
from tests.video.corpus import COUNT_STEP
from tests.video.corpus import counting_frames
from tests.video.corpus import write_video


class FrameIndexModel:
    """A stand-in network whose "feature" is the frame index of each step.

    It inverts `preprocess_input` and `counting_frames`: step `s` of a
    window shows grey level `8 * index`, scaled to `level / 127.5 - 1`.
    """

    def __init__(self):
        self.batch_sizes = []

    def predict_on_batch(self, batch):
        self.batch_sizes.append(len(batch))
        levels = (np.asarray(batch, np.float64) + 1.0) * 127.5
        return np.rint(levels.mean(axis=(2, 3, 4)) / COUNT_STEP)


def run_one(path, settings, batch_size=3):
    source = VideoWindows(path, settings)
    model = FrameIndexModel()
    (result,) = batched_features([(path, source)], {"rgb": model}, batch_size)
    assert result.error is None, result.error
    return source, result, result.features["rgb"][:, 0]


SMALL = dict(short_side=32, crop_size=32, chunk_size=5)


@pytest.mark.parametrize(
    "source_fps, fps, sampled_to_source",
    [(25, 25.0, 1), (30, None, 1), (30, 15.0, 2)],
)
def test_sidecar_times_are_the_frames_each_row_used(tmp_path, source_fps, fps, sampled_to_source):
    path = write_video(tmp_path / "count.mp4", counting_frames(30, 32, 32), fps=source_fps)
    settings = FeatureSettings(window=8, stride=3, fps=fps, **SMALL)
    source, result, used = run_one(path, settings)
    record = sidecar_record("count", path, source.source_fps, source.fps, result.rows, {}, {}, "t")
    rows = record["rows"]
    assert record["source_fps"] == pytest.approx(source_fps)
    assert record["fps"] == pytest.approx(source_fps if fps is None else fps)
    sampled = 30 // sampled_to_source
    assert record["num_rows"] == len(used) == (sampled - 8) // 3 + 1
    for row, source_indices, start, end, start_time, end_time, centre in zip(
        result.rows,
        used,
        rows["start_frame"],
        rows["end_frame"],
        rows["start_time"],
        rows["end_time"],
        rows["centre_time"],
    ):
        # The frames the network really saw, back in the sampled stream.
        np.testing.assert_array_equal(source_indices, np.arange(start, end) * sampled_to_source)
        assert end - start == 8
        # Frame k covers [k / fps, (k + 1) / fps): the first frame used
        # starts the row and the last one ends it, in the file's own time.
        assert start_time == pytest.approx(source_indices[0] / source_fps)
        assert end_time == pytest.approx((source_indices[-1] + sampled_to_source) / source_fps)
        assert centre == pytest.approx((start_time + end_time) / 2)
        assert row.start_frame == start


def test_a_short_video_is_one_looped_row_or_none(tmp_path):
    path = write_video(tmp_path / "short.mp4", counting_frames(5, 32, 32))
    _, result, used = run_one(path, FeatureSettings(window=8, stride=3, **SMALL))
    np.testing.assert_array_equal(used, [[0, 1, 2, 3, 4, 0, 1, 2]])
    assert (result.rows[0].start_frame, result.rows[0].end_frame) == (0, 5)
    settings = FeatureSettings(window=8, stride=3, loop_short=False, **SMALL)
    source = VideoWindows(path, settings)
    (result,) = batched_features([(0, source)], {"rgb": FrameIndexModel()})
    assert result.rows == [] and result.features == {}


@pytest.mark.parametrize("pad", ["edge", "zero"])
def test_centred_windows_give_one_row_per_frame(tmp_path, pad):
    path = write_video(tmp_path / "count.mp4", counting_frames(12, 32, 32))
    settings = FeatureSettings(window=5, layout="centred", pad=pad, **SMALL)
    _, result, used = run_one(path, settings)
    assert len(used) == 12
    for frame, (row, steps) in enumerate(zip(result.rows, used)):
        window = np.arange(frame - 2, frame + 3)
        inside = (window >= 0) & (window < 12)
        np.testing.assert_array_equal(steps[inside], window[inside])
        padded = steps[~inside]
        if pad == "edge":
            np.testing.assert_array_equal(padded, np.clip(window[~inside], 0, 11))
        else:
            # Zeros after scaling: grey level 127.5, "index" 127.5 / 8.
            np.testing.assert_array_equal(padded, np.rint(127.5 / COUNT_STEP))
        assert (row.start_frame, row.end_frame) == (max(frame - 2, 0), min(frame + 3, 12))
        assert row.centre == frame + 0.5


def test_batches_span_videos_and_keep_each_videos_rows(tmp_path):
    first = write_video(tmp_path / "a.mp4", counting_frames(10, 32, 32))
    second = write_video(tmp_path / "b.mp4", counting_frames(14, 32, 32))
    settings = FeatureSettings(window=4, stride=4, **SMALL)
    model = FrameIndexModel()
    sources = [(path, VideoWindows(path, settings)) for path in (first, second)]
    results = list(batched_features(sources, {"rgb": model}, batch_size=3))
    assert [result.key for result in results] == [first, second]
    # 2 + 3 windows in batches of 3: the second batch mixes the videos.
    assert model.batch_sizes == [3, 2]
    np.testing.assert_array_equal(results[0].features["rgb"][:, 0, 0], [0, 4])
    np.testing.assert_array_equal(results[1].features["rgb"][:, 0, 0], [0, 4, 8])


def test_a_video_that_fails_does_not_stop_the_others(tmp_path):
    good = write_video(tmp_path / "good.mp4", counting_frames(10, 32, 32))
    settings = FeatureSettings(window=4, stride=4, **SMALL)
    sources = [
        ("gone", VideoWindows(tmp_path / "gone.mp4", settings)),
        ("good", VideoWindows(good, settings)),
    ]
    gone, kept = batched_features(sources, {"rgb": FrameIndexModel()}, batch_size=3)
    assert "gone.mp4" in str(gone.error)
    assert kept.error is None and kept.features["rgb"].shape == (2, 1, 4)


def synthetic_chunks(num_frames, chunk_size=16, size=24):
    frame = np.zeros((1, size, size, 3), np.uint8)
    for first in range(0, num_frames, chunk_size):
        count = min(chunk_size, num_frames - first)
        yield {"rgb": np.repeat(frame, count, axis=0)[:, None]}


class OneNumberModel:
    """A network that costs no memory of its own: one number per input."""

    def predict_on_batch(self, batch):
        return np.zeros((len(batch), 1), np.float32)


def peak_bytes(num_frames, window, batch_size):
    model = OneNumberModel()
    tracemalloc.start()
    try:
        windows = window_inputs(synthetic_chunks(num_frames), SlidingWindows(window, 4), window)
        (result,) = batched_features([(0, windows)], {"rgb": model}, batch_size)
        features = result.features["rgb"]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - features.nbytes, len(features)


def test_memory_does_not_grow_with_video_length():
    window, batch_size = 16, 4
    short_peak, short_rows = peak_bytes(400, window, batch_size)
    long_peak, long_rows = peak_bytes(8000, window, batch_size)
    assert long_rows > 10 * short_rows
    frame_bytes = 24 * 24 * 3
    # What may be held: the ring (window uint8 frames), one chunk, and the
    # queued batch (batch_size windows in float32) with its stacked copy.
    bound = (window + 16) * frame_bytes + 3 * batch_size * window * frame_bytes * 4
    assert short_peak < bound + 300_000
    # Beyond that only each row's span (start, end, centre: ~200 bytes, a
    # twentieth of a 1024-d feature) grows with the length, not the frames:
    # 20x the frames would otherwise cost 20x the 400-frame video.
    assert long_peak < short_peak + 256 * long_rows
    assert long_peak < 20 * 400 * frame_bytes / 4


def test_centred_plan_never_reaches_back_past_the_ring():
    plan = CentredWindows(window=5, pad="edge")
    rows = [row for count in range(1, 8) for row in plan.ready(count)] + plan.finish(7)
    assert [int(row.indices[2]) for row in rows] == list(range(7))
    for count, row in zip(range(3, 8), rows):
        assert row.indices.min() >= count - 5


def test_readers_keep_the_order_bound_their_lead_and_pass_errors_on():
    import threading

    from keras_i3d.tasks.features.prefetch import prefetched

    produced = {}
    lock = threading.Lock()

    def windows(key, count, fail_at=None):
        for index in range(count):
            if index == fail_at:
                raise ValueError(f"{key} is corrupt")
            with lock:
                produced[key] = index + 1
            yield index

    videos = [("a", windows("a", 20)), ("b", windows("b", 5, fail_at=2)), ("c", windows("c", 7))]
    seen = []
    for key, items in prefetched(videos, workers=3, depth=2):
        try:
            for index in items:
                if key == "a" and index == 0:
                    threading.Event().wait(0.3)  # let the readers run ahead
                    # A reader is at most its queue (2) plus the one it holds ahead.
                    assert produced["a"] <= 1 + 2 + 1
                seen.append((key, index))
        except ValueError as error:
            seen.append((key, str(error)))
    assert seen == (
        [("a", index) for index in range(20)]
        + [("b", 0), ("b", 1), ("b", "b is corrupt")]
        + [("c", index) for index in range(7)]
    )
