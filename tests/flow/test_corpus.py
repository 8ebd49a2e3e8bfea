import numpy as np
import pytest

from keras_i3d.flow import read_flow
from keras_i3d.flow import read_flow_metadata
from keras_i3d.flow.corpus import compute_and_store_flow
from keras_i3d.flow.video import video_flow
from tests.video.corpus import moving_frames
from tests.video.corpus import write_video

FARNEBACK_AT_SIZE = {"flow_method": "farneback", "short_side": None, "flow_format": "npz"}


@pytest.fixture
def video(tmp_path):
    return write_video(tmp_path / "clip.mp4", moving_frames(6, 32, 40))


def test_stores_the_videos_flow_and_how_it_was_made(tmp_path, video):
    target = tmp_path / "flow" / "clip.npz"
    calls = []
    written = compute_and_store_flow(
        video,
        target,
        FARNEBACK_AT_SIZE,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert written == target
    expected = video_flow(video, flow_method="farneback", short_side=None).flow
    # Stored flow is quantised in steps of 40 / 255 pixels.
    np.testing.assert_allclose(read_flow(target), expected, atol=40 / 255)
    mean_x, mean_y = read_flow(target).mean(axis=(0, 1, 2))
    assert mean_x > 0.2 > abs(mean_y)  # the square goes right
    metadata = read_flow_metadata(target)
    assert metadata["method"] == "farneback" and metadata["fps"] == 25.0
    assert (metadata["start_time"], metadata["frame_limit"]) == (0.0, None)
    assert metadata["source"].endswith("clip.mp4")
    assert calls[-1] == (5, 5)


def test_unset_settings_take_the_defaults(tmp_path, video):
    # The checkpoints' short side (256) and the JPEG rawframes layout.
    target = compute_and_store_flow(
        video, tmp_path / "clip", {"flow_method": "farneback", "num_frames": 3}
    )
    assert sorted(path.name for path in target.iterdir())[:2] == ["flow.json", "flow_x_00001.jpg"]
    assert read_flow(target).shape == (3, 256, 320, 2)
    assert read_flow_metadata(target)["frame_limit"] == 3


def test_an_existing_target_is_kept_unless_overwrite(tmp_path, video):
    target = tmp_path / "clip.npz"
    compute_and_store_flow(video, target, {**FARNEBACK_AT_SIZE, "num_frames": 2})
    with pytest.raises(FileExistsError):
        compute_and_store_flow(video, target, FARNEBACK_AT_SIZE)
    compute_and_store_flow(video, target, {**FARNEBACK_AT_SIZE, "overwrite": True})
    assert read_flow(target).shape[0] == 6


def test_an_unknown_setting_is_refused_before_reading(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown flow settings \['resize'\]"):
        compute_and_store_flow(tmp_path / "absent.mp4", tmp_path / "out.npz", {"resize": 128})
