"""The files of a feature extraction (`keras_i3d.tasks.features.outputs`),
which the CLI and Beam both write."""

import dataclasses
import json

import numpy as np
import pytest

from keras_i3d.tasks.features.extract import VideoFeatures
from keras_i3d.tasks.features.outputs import FeatureFiles
from keras_i3d.tasks.features.outputs import missing_streams
from keras_i3d.tasks.features.outputs import sidecar_settings
from keras_i3d.tasks.features.settings import FeatureSettings
from keras_i3d.tasks.features.windows import WindowRow

TWO_STREAMS = FeatureSettings(streams=("rgb", "flow"), window=8, stride=4)


@dataclasses.dataclass
class DecodedWindows:
    """What `FeatureFiles` reads of an iterated `VideoWindows`."""

    settings: FeatureSettings
    path: str = "videos/clip.mp4"
    fps: float = 25.0
    source_fps: float = 30.0


def two_rows(streams, crops=1):
    rows = [WindowRow(None, 0, 8, 4.0), WindowRow(None, 4, 12, 8.0)]
    features = {
        stream: np.full((2, crops, 1024), index + 1, np.float32)
        for index, stream in enumerate(streams)
    }
    return VideoFeatures("clip", rows, features)


def feature_files(settings):
    described = sidecar_settings(settings, {"rgb": None}, fused=True, precision="float32")
    return FeatureFiles(settings, described, {stream: (1024,) for stream in settings.streams})


def test_the_sidecar_comes_last_and_records_the_run(tmp_path):
    files = feature_files(TWO_STREAMS)
    windows = DecodedWindows(TWO_STREAMS)
    names = [name for name, _ in files.files("clip", windows, two_rows(TWO_STREAMS.streams))]
    assert names == ["clip_rgb.npy", "clip_flow.npy", "clip.json"]
    files.save(tmp_path, "clip", windows, two_rows(TWO_STREAMS.streams))
    np.testing.assert_array_equal(np.load(tmp_path / "clip_flow.npy"), np.full((2, 1024), 2))
    sidecar = json.loads((tmp_path / "clip.json").read_text())
    assert sidecar["video"] == "videos/clip.mp4" and sidecar["source_fps"] == 30
    assert sidecar["outputs"] == {"clip_rgb.npy": [2, 1024], "clip_flow.npy": [2, 1024]}
    assert (sidecar["graph"], sidecar["precision"]) == ("fused", "float32")
    # Every stream's weights, also those of a stream not given any (random).
    assert sidecar["weights"] == {
        "rgb": {"name": None, "random": True},
        "flow": {"name": None, "random": True},
    }
    assert sidecar["rows"]["centre_time"] == [0.16, 0.32]


def test_a_missing_stream_is_redone_and_the_sidecar_keeps_the_other(tmp_path):
    files = feature_files(TWO_STREAMS)
    files.save(tmp_path, "clip", DecodedWindows(TWO_STREAMS), two_rows(TWO_STREAMS.streams))
    assert missing_streams(tmp_path, "clip", TWO_STREAMS) == ()
    assert missing_streams(tmp_path, "clip", TWO_STREAMS, overwrite=True) == ("rgb", "flow")
    (tmp_path / "clip_flow.npy").unlink()
    assert missing_streams(tmp_path, "clip", TWO_STREAMS) == ("flow",)
    flow_only = DecodedWindows(dataclasses.replace(TWO_STREAMS, streams=("flow",)))
    rgb_written = (tmp_path / "clip_rgb.npy").stat().st_mtime_ns
    files.save(tmp_path, "clip", flow_only, two_rows(("flow",)))
    assert (tmp_path / "clip_rgb.npy").stat().st_mtime_ns == rgb_written
    sidecar = json.loads((tmp_path / "clip.json").read_text())
    assert sidecar["outputs"] == {"clip_rgb.npy": [2, 1024], "clip_flow.npy": [2, 1024]}
    (tmp_path / "clip.json").unlink()
    assert missing_streams(tmp_path, "clip", TWO_STREAMS) == ("rgb", "flow")


def test_concatenated_streams_and_kept_crops_and_no_rows(tmp_path):
    settings = dataclasses.replace(TWO_STREAMS, concat_streams=True, crops=10, crop_reduce="keep")
    files = feature_files(settings)
    files.save(tmp_path, "clip", DecodedWindows(settings), two_rows(settings.streams, crops=10))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.json", "clip.npy"]
    assert np.load(tmp_path / "clip.npy").shape == (2, 10, 2048)
    empty = VideoFeatures("short", [], {})  # e.g. shorter than a window, loop_short off
    files.save(tmp_path, "short", DecodedWindows(settings), empty)
    assert np.load(tmp_path / "short.npy").shape == (0, 10, 2048)
    assert json.loads((tmp_path / "short.json").read_text())["num_rows"] == 0


def test_a_failed_video_gets_no_file(tmp_path):
    files = feature_files(TWO_STREAMS)
    failed = VideoFeatures("clip", [], {}, OSError("clip.mp4: cannot decode"))
    with pytest.raises(OSError, match="cannot decode"):
        files.save(tmp_path, "clip", DecodedWindows(TWO_STREAMS), failed)
    assert list(tmp_path.iterdir()) == []
