import json
import os
import stat

import cv2
import numpy as np
import pytest

from keras_i3d.conventions import FLOW_CLIP_PIXELS
from keras_i3d.flow import FlowError
from keras_i3d.flow import count_flow_frames
from keras_i3d.flow import dequantize_flow
from keras_i3d.flow import flow_output_path
from keras_i3d.flow import list_flow_images
from keras_i3d.flow import quantize_flow
from keras_i3d.flow import read_flow
from keras_i3d.flow import read_flow_folder
from keras_i3d.flow import read_flow_metadata
from keras_i3d.flow import write_flow
from keras_i3d.flow.storage import quantization_step

HALF_STEP = FLOW_CLIP_PIXELS / 255


def random_flow(frames=3, height=24, width=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-FLOW_CLIP_PIXELS, FLOW_CLIP_PIXELS, (frames, height, width, 2)).astype(
        np.float32
    )


def smooth_flow(frames=3, height=48, width=64):
    """Flow that varies smoothly in space, like real flow (JPEG-friendly)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    fields = []
    for t in range(frames):
        flow_x = 12 * np.sin(x / 9 + t) * np.cos(y / 13)
        flow_y = -7 * np.cos(x / 11) + 0.3 * t
        fields.append(np.stack([flow_x, flow_y], axis=-1))
    return np.stack(fields).astype(np.float32)


def test_quantisation_error_is_at_most_half_a_step():
    flow = np.linspace(-FLOW_CLIP_PIXELS, FLOW_CLIP_PIXELS, 100_001)
    error = np.abs(dequantize_flow(quantize_flow(flow)) - flow)
    assert quantization_step() == pytest.approx(2 * HALF_STEP)
    assert error.max() <= HALF_STEP + 1e-5
    assert error.max() >= 0.9 * HALF_STEP  # the bound is tight


def test_quantisation_clips_to_the_bound_and_keeps_the_ends_exact():
    quantized = quantize_flow([-1000.0, -20.0, 20.0, 1000.0])
    assert quantized.dtype == np.uint8
    assert quantized.tolist() == [0, 0, 255, 255]
    np.testing.assert_allclose(dequantize_flow(quantized), [-20, -20, 20, 20])


@pytest.mark.parametrize("flow_format", ["png", "npz"])
def test_lossless_formats_round_trip_within_half_a_step(tmp_path, flow_format):
    flow = random_flow()
    path = write_flow(flow, flow_output_path(tmp_path, "video", flow_format), flow_format)
    restored = read_flow(path)
    assert restored.shape == flow.shape and restored.dtype == np.float32
    assert np.abs(restored - flow).max() <= HALF_STEP + 1e-5


def test_jpeg_round_trip_of_smooth_flow_is_close(tmp_path):
    flow = smooth_flow()
    restored = read_flow(write_flow(flow, tmp_path / "video", "jpg"))
    error = np.abs(restored - flow)
    assert error.mean() < 0.15
    assert error.max() < 1.5


def test_flow_keeps_its_sign_and_axis_through_storage(tmp_path):
    flow = np.zeros((1, 8, 8, 2), np.float32)
    flow[..., 0] = 5.0  # motion to the right
    flow[..., 1] = -3.0  # motion up
    for flow_format in ("png", "jpg", "npz"):
        restored = read_flow(
            write_flow(
                flow,
                flow_output_path(tmp_path / flow_format, "v", flow_format),
                flow_format,
            )
        )
        np.testing.assert_allclose(restored[..., 0], 5.0, atol=2 * HALF_STEP)
        np.testing.assert_allclose(restored[..., 1], -3.0, atol=2 * HALF_STEP)


def test_image_layout_is_mmaction2_rawframes(tmp_path):
    flow = random_flow(frames=3)
    folder = write_flow(flow, tmp_path / "v_abc", "jpg", metadata={"method": "tvl1"})
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "flow.json",
        "flow_x_00001.jpg",
        "flow_x_00002.jpg",
        "flow_x_00003.jpg",
        "flow_y_00001.jpg",
        "flow_y_00002.jpg",
        "flow_y_00003.jpg",
    ]
    metadata = json.loads((folder / "flow.json").read_text())
    assert metadata["method"] == "tvl1"
    assert metadata["bound"] == FLOW_CLIP_PIXELS
    assert (metadata["frames"], metadata["height"], metadata["width"]) == (
        3,
        24,
        32,
    )


def test_npz_holds_uint8_flow_and_metadata(tmp_path):
    path = write_flow(random_flow(), tmp_path / "v.npz", "npz", metadata={"fps": 25.0})
    with np.load(path) as stored:
        assert stored["flow"].dtype == np.uint8
        assert stored["flow"].shape == (3, 24, 32, 2)
    assert read_flow_metadata(path)["fps"] == 25.0


@pytest.mark.parametrize("flow_format", ["png", "npz"])
def test_writes_leave_no_temporary_files_and_refuse_to_overwrite(tmp_path, flow_format):
    path = flow_output_path(tmp_path, "video", flow_format)
    write_flow(random_flow(), path, flow_format)
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]
    with pytest.raises(FileExistsError):
        write_flow(random_flow(), path, flow_format)
    write_flow(random_flow(frames=2), path, flow_format, overwrite=True)
    assert read_flow(path).shape[0] == 2
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(FlowError, match="shape"):
        write_flow(np.zeros((3, 8, 8)), tmp_path / "video", "png")
    assert list(tmp_path.iterdir()) == []


def test_reading_bad_flow_names_the_file(tmp_path):
    with pytest.raises(FlowError, match="missing"):
        read_flow(tmp_path / "missing")
    folder = write_flow(random_flow(), tmp_path / "video", "png")
    (folder / "flow_y_00003.png").unlink()
    with pytest.raises(FlowError, match="3 flow_x images but 2 flow_y"):
        read_flow(folder)
    folder = write_flow(random_flow(), tmp_path / "video2", "png")
    (folder / "flow_x_00002.png").write_bytes(b"not an image")
    with pytest.raises(FlowError, match="flow_x_00002.png"):
        read_flow(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FlowError, match="no flow images"):
        read_flow(empty)
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"garbage")
    with pytest.raises(FlowError, match="corrupt.npz"):
        read_flow(corrupt)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_stored_flow_gets_the_umask_permissions(tmp_path, umask):
    previous = os.umask(umask)
    try:
        folder = write_flow(random_flow(), tmp_path / "video", "png")
        npz = write_flow(random_flow(), tmp_path / "video.npz", "npz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    for path in [npz, *folder.iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def _write_unpadded_flow_folder(folder, flow, layout="rawframes"):
    """Writes flow images numbered 1, 2, ... 10 (not zero-padded)."""
    quantized = quantize_flow(flow)
    for offset, frame in enumerate(quantized):
        for channel, axis in enumerate("xy"):
            if layout == "rawframes":
                image_path = folder / f"flow_{axis}_{offset + 1}.png"
            else:
                image_path = folder / f"flow_{axis}" / f"{axis}_{offset + 1}.png"
            image_path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(image_path), frame[..., channel])


@pytest.mark.parametrize("layout", ["rawframes", "denseflow"])
def test_every_reader_orders_frames_by_number_not_by_name(tmp_path, layout):
    from keras_i3d.data import load_clips
    from keras_i3d.data import read_flow_folder as data_read_flow_folder

    # Frame t has x flow t - 6 pixels everywhere: the order is visible.
    flow = np.zeros((12, 8, 10, 2), np.float32)
    flow[..., 0] = np.arange(12, dtype=np.float32)[:, None, None] - 6
    folder = tmp_path / "video"
    _write_unpadded_flow_folder(folder, flow, layout)
    (folder / "notes.txt").write_text("not a flow image")

    assert count_flow_frames(folder) == 12
    x_paths, _ = list_flow_images(folder)
    assert [path.stem.rsplit("_", 1)[1] for path in x_paths] == [
        str(number) for number in range(1, 13)
    ]
    expected = dequantize_flow(quantize_flow(flow))
    np.testing.assert_array_equal(read_flow(folder), expected)
    np.testing.assert_array_equal(data_read_flow_folder(folder), expected)
    np.testing.assert_array_equal(read_flow_folder(folder, indices=[9, 1, 9]), expected[[9, 1, 9]])
    clips = load_clips(
        None,
        "flow",
        clip_length=4,
        sampling="uniform",
        num_clips=3,
        flow_path=folder,
    )
    np.testing.assert_array_equal(clips["flow"].reshape(expected.shape), expected)


def test_folder_reads_use_the_recorded_bound(tmp_path):
    flow = random_flow()
    folder = write_flow(flow, tmp_path / "video", "png", bound=10.0)
    from keras_i3d.data import read_flow_folder as data_read_flow_folder

    stored = dequantize_flow(quantize_flow(flow, 10.0), 10.0)
    np.testing.assert_array_equal(read_flow(folder), stored)
    np.testing.assert_array_equal(data_read_flow_folder(folder), stored)
    np.testing.assert_array_equal(read_flow_folder(folder, [2]), stored[[2]])


def test_data_and_flow_raise_one_error_type(tmp_path):
    from keras_i3d.data import FlowReadError
    from keras_i3d.data import read_flow_folder as data_read_flow_folder

    assert FlowReadError is FlowError
    with pytest.raises(FlowError, match="no such flow folder"):
        data_read_flow_folder(tmp_path / "missing")
    folder = write_flow(random_flow(), tmp_path / "video", "png")
    with pytest.raises(FlowError, match="holds 3 flow frames"):
        read_flow_folder(folder, indices=[3])
    (folder / "flow_x_00002.png").write_bytes(
        cv2.imencode(".png", np.zeros((5, 5), np.uint8))[1].tobytes()
    )
    with pytest.raises(FlowError, match="flow_y_00002.png: size"):
        read_flow_folder(folder)
