"""Storing optical flow small and loading it fast: uint8 quantisation.

Flow in pixels is clipped to `[-B, B]` with `B = FLOW_CLIP_PIXELS` (20, the
clip the I3D checkpoints use, so nothing the model could see is lost) and
mapped to `q = round((flow + B) * 255 / (2 * B))`, as `dense_flow` and
`denseflow` do; it is read back as `q * 2 * B / 255 - B`. A value inside
`[-B, B]` comes back within half a step, `B / 255` (0.078 px), through PNG or
`.npz`; JPEG (quality 95) adds its compression error. Measured on TV-L1
flow of 4 frames of the cricket sample (224 x 224): mean error 0.061 px
for JPEG (0.056 for PNG), 99th percentile 0.19 px (0.078), maximum 1.1 px
(0.078), at 4.9 kB per flow frame for JPEG, 12 kB for PNG and `.npz`,
against 401 kB as float32. Zero motion reads back as +0.078 px, half a step off,
because 255 levels have no middle one (the same holds for denseflow's files).

Two layouts, one folder `OUT` of results per video:

* `"jpg"` / `"png"` (mmaction2's rawframes layout, as written by its
  `build_rawframes.py` with denseflow):

  ```
  OUT/<video_id>/flow_x_00001.jpg   horizontal flow from frame 1 to frame 2
  OUT/<video_id>/flow_y_00001.jpg   vertical flow, same pair
  ...
  OUT/<video_id>/flow_x_<T>.jpg     1-based, zero-padded to 5 digits
  OUT/<video_id>/flow.json          how it was made (method, bound, fps, ...)
  ```

  Each image is single-channel 8-bit grayscale of the frame size. Readers
  (`read_flow`, `read_flow_folder`) also take denseflow's split folders
  and frame numbers that are not zero-padded (see `list_flow_images`);
  this module is the one reader of flow folders, `keras_i3d.data` uses it.
* `"npz"`: `OUT/<video_id>.npz`, compressed, with `flow` (uint8,
  `(T, H, W, 2)`, the same quantisation, channel 0 = x), `bound` and
  `metadata` (a JSON string).

Sign convention: x positive = motion to the right, y positive = motion
down, in both layouts. Writes are atomic (`keras_i3d.atomic_files`):
everything goes to a hidden temporary path beside the target, which is
renamed into place when complete, so a target that exists is always whole.
"""

import json
import pathlib
import re

import cv2
import numpy as np

from keras_i3d.atomic_files import atomic_output
from keras_i3d.conventions import FLOW_CLIP_PIXELS
from keras_i3d.flow.errors import FlowError

FLOW_FORMATS = ("jpg", "png", "npz")
IMAGE_FORMATS = ("jpg", "png")
JPEG_QUALITY = 95  # OpenCV's default, and what denseflow writes.
QUANTIZATION_LEVELS = 255
FLOW_IMAGE_TEMPLATE = "flow_{axis}_{index:05d}.{ext}"
FIRST_FLOW_INDEX = 1
METADATA_FILENAME = "flow.json"


def check_flow_format(flow_format):
    """Returns `flow_format` if it is one of `FLOW_FORMATS`, else raises."""
    if flow_format not in FLOW_FORMATS:
        raise ValueError(
            f"`flow_format` must be one of {FLOW_FORMATS}. Received: flow_format={flow_format!r}"
        )
    return flow_format


def quantization_step(bound=FLOW_CLIP_PIXELS):
    """The spacing in pixels between two quantised flow values."""
    return 2.0 * bound / QUANTIZATION_LEVELS


def quantize_flow(flow, bound=FLOW_CLIP_PIXELS):
    """Clips flow in pixels to `[-bound, bound]` and maps it to uint8.

    Args:
        flow: array-like of flow in pixels, any shape.
        bound: the clip, in pixels.

    Returns:
        A uint8 array of the same shape: 0 is `-bound`, 255 is `+bound`.

    Example:

    >>> quantize_flow([-20.0, 0.0, 20.0, 35.0]).tolist()
    [0, 128, 255, 255]
    """
    flow = np.clip(np.asarray(flow, dtype=np.float32), -bound, bound)
    scaled = (flow + np.float32(bound)) * np.float32(QUANTIZATION_LEVELS / (2.0 * bound))
    return np.rint(scaled).astype(np.uint8)


def dequantize_flow(quantized, bound=FLOW_CLIP_PIXELS):
    """Maps uint8 quantised flow back to pixels in `[-bound, bound]`.

    Args:
        quantized: uint8 array-like made by `quantize_flow` (or denseflow
            images written with the same bound).
        bound: the clip the flow was quantised with, in pixels.

    Returns:
        A float32 array of the same shape, in pixels.
    """
    quantized = np.asarray(quantized, dtype=np.float32)
    step = np.float32(quantization_step(bound))
    return quantized * step - np.float32(bound)


def flow_output_path(out_dir, video_id, flow_format):
    """Where `write_flow` puts a video's flow: a folder, or a `.npz` file."""
    check_flow_format(flow_format)
    out_dir = pathlib.Path(out_dir)
    if flow_format == "npz":
        return out_dir / f"{video_id}.npz"
    return out_dir / video_id


def flow_image_name(axis, index, flow_format):
    """The file name of flow image `index` (1-based) for axis `"x"`/`"y"`."""
    return FLOW_IMAGE_TEMPLATE.format(axis=axis, index=index, ext=flow_format)


def write_flow(
    flow,
    path,
    flow_format,
    bound=FLOW_CLIP_PIXELS,
    metadata=None,
    overwrite=False,
):
    """Quantises flow and writes it atomically to `path`.

    Args:
        flow: float array `(T, H, W, 2)` of flow in pixels (channel 0 = x).
        path: the target, usually `flow_output_path(out_dir, video_id,
            flow_format)`: a folder for `"jpg"`/`"png"`, a file for
            `"npz"`.
        flow_format: `"jpg"`, `"png"` or `"npz"`.
        bound: the clip, in pixels.
        metadata: an optional JSON-serialisable dict stored with the flow
            (`flow.json` in a folder, `metadata` in a `.npz`).
        overwrite: whether to replace an existing target; otherwise an
            existing target raises `FileExistsError`.

    Returns:
        The `pathlib.Path` written.
    """
    check_flow_format(flow_format)
    flow = np.asarray(flow)
    if flow.ndim != 4 or flow.shape[-1] != 2 or flow.shape[0] < 1:
        raise FlowError(
            f"{path}: flow to store must have shape (T, H, W, 2) with T >= 1. "
            f"Received: shape={flow.shape}"
        )
    path = pathlib.Path(path)
    metadata = dict(metadata or {})
    metadata.update(
        format=flow_format,
        bound=float(bound),
        frames=int(flow.shape[0]),
        height=int(flow.shape[1]),
        width=int(flow.shape[2]),
    )
    quantized = quantize_flow(flow, bound)
    folder = flow_format in IMAGE_FORMATS
    with atomic_output(path, folder=folder, overwrite=overwrite) as temporary:
        if folder:
            _write_flow_images(temporary, quantized, flow_format)
            (temporary / METADATA_FILENAME).write_text(
                json.dumps(metadata, indent=2, sort_keys=True) + "\n"
            )
        else:
            with open(temporary, "wb") as file:
                np.savez_compressed(
                    file,
                    flow=quantized,
                    bound=np.float32(bound),
                    metadata=np.array(json.dumps(metadata)),
                )
    return path


def read_flow(path, bound=None):
    """Reads flow written by `write_flow` (or denseflow images) in pixels.

    Args:
        path: a `.npz` file, or a flow folder (see `list_flow_images`).
        bound: the clip the flow was quantised with. Defaults to the one
            recorded with the flow, else `FLOW_CLIP_PIXELS`.

    Returns:
        A float32 array `(T, H, W, 2)` of flow in pixels, channel 0 = x.

    Raises:
        FlowError: when the path is missing, incomplete or unreadable.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        return read_flow_folder(path, bound=bound)
    if path.is_file() and path.suffix == ".npz":
        quantized, stored_bound = _read_flow_npz(path)
        return dequantize_flow(quantized, stored_bound if bound is None else bound)
    raise FlowError(
        f"{path}: not a flow folder or a .npz flow file (it "
        f"{'does not exist' if not path.exists() else 'has another type'})"
    )


def list_flow_images(folder):
    """The flow images of a folder, in frame order.

    Two layouts are understood, with 1-based frame numbers (zero-padded or
    not; they are ordered as numbers, so `flow_x_10` follows `flow_x_9`):

    * mmaction2's rawframes, which `write_flow` writes:
      `FOLDER/flow_x_00001.jpg`, `FOLDER/flow_y_00001.jpg`, ...
    * denseflow's split folders: `FOLDER/flow_x/x_00001.jpg`,
      `FOLDER/flow_y/y_00001.jpg`, ...

    Images may be JPEG or PNG.

    Args:
        folder: the flow folder of one video.

    Returns:
        `(x_paths, y_paths)`: two equally long lists of `pathlib.Path`.

    Raises:
        FlowError: the folder is missing, holds no flow images in either
            layout, or has different numbers of x and y images.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FlowError(f"{folder}: no such flow folder")
    x_paths = _numbered_images(folder, "flow_x_")
    y_paths = _numbered_images(folder, "flow_y_")
    if not x_paths and (folder / "flow_x").is_dir():
        x_paths = _numbered_images(folder / "flow_x", "x_")
        y_paths = _numbered_images(folder / "flow_y", "y_")
    if not x_paths:
        raise FlowError(
            f"{folder}: no flow images (expected flow_x_00001.jpg or .png "
            "..., or flow_x/x_00001.jpg ...)"
        )
    if len(x_paths) != len(y_paths):
        raise FlowError(f"{folder}: {len(x_paths)} flow_x images but {len(y_paths)} flow_y images")
    return x_paths, y_paths


def count_flow_frames(folder):
    """The number of flow frames in a flow folder, without decoding them."""
    return len(list_flow_images(folder)[0])


def read_flow_folder(folder, indices=None, bound=None):
    """Reads flow frames from a flow folder as float32 pixels.

    Args:
        folder: a flow folder in one of the layouts of `list_flow_images`.
        indices: 0-based flow frame indices to read (repeats allowed);
            `None` reads them all. Only these images are decoded.
        bound: the clip the flow was quantised with. Defaults to the one
            recorded in the folder's `flow.json`, else `FLOW_CLIP_PIXELS`.

    Returns:
        A float32 array `(len(indices), H, W, 2)` of flow in pixels,
        channel 0 = x (positive: rightwards).

    Raises:
        FlowError: the folder is missing or incomplete, an image is
            unreadable, or the images differ in size.
    """
    x_paths, y_paths = list_flow_images(folder)
    if indices is None:
        indices = range(len(x_paths))
    decoded = {}
    frames = []
    for index in indices:
        index = int(index)
        if index not in decoded:
            if not 0 <= index < len(x_paths):
                raise FlowError(
                    f"{folder}: holds {len(x_paths)} flow frames. Received: index={index}"
                )
            first = next(iter(decoded.values()), None)
            decoded[index] = _read_flow_frame(
                x_paths[index],
                y_paths[index],
                expected_size=None if first is None else first.shape[:2],
            )
        frames.append(decoded[index])
    if bound is None:
        bound = read_flow_metadata(folder).get("bound", FLOW_CLIP_PIXELS)
    return dequantize_flow(np.stack(frames), bound)


def read_flow_metadata(path):
    """Returns the metadata dict stored with the flow at `path` ({} if none)."""
    path = pathlib.Path(path)
    if path.is_dir():
        metadata_file = path / METADATA_FILENAME
        if not metadata_file.is_file():
            return {}
        return json.loads(metadata_file.read_text())
    with np.load(path) as stored:
        return json.loads(str(stored["metadata"])) if "metadata" in stored else {}


def _write_flow_images(folder, quantized, flow_format):
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if flow_format == "jpg" else []
    for offset, frame in enumerate(quantized):
        index = FIRST_FLOW_INDEX + offset
        for channel, axis in enumerate("xy"):
            image_path = folder / flow_image_name(axis, index, flow_format)
            if not cv2.imwrite(
                str(image_path),
                np.ascontiguousarray(frame[..., channel]),
                params,
            ):
                raise OSError(f"{image_path}: OpenCV could not write it")


def _numbered_images(folder, prefix):
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)\.(?:jpg|jpeg|png)$", re.IGNORECASE)
    numbered = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match:
            numbered.append((int(match.group(1)), path))
    return [path for _, path in sorted(numbered)]


def _read_flow_frame(x_path, y_path, expected_size=None):
    """Reads one `(H, W, 2)` flow frame of size `expected_size` if given."""
    x_image, y_image = _read_gray(x_path), _read_gray(y_path)
    if x_image.shape != y_image.shape:
        raise FlowError(
            f"{y_path}: size {y_image.shape} differs from {x_path.name}'s {x_image.shape}"
        )
    if expected_size is not None and x_image.shape != expected_size:
        raise FlowError(
            f"{x_path}: size {x_image.shape} differs from the other flow images' {expected_size}"
        )
    return np.stack([x_image, y_image], axis=-1)


def _read_gray(image_path):
    image = cv2.imread(str(image_path), cv2.IMREAD_UNCHANGED)
    if image is None or image.dtype != np.uint8:
        raise FlowError(f"{image_path}: not a readable 8-bit image")
    if image.ndim == 3:
        # Some tools store flow as 3-channel JPEGs with equal channels.
        image = image[..., 0]
    return image


def _read_flow_npz(path):
    try:
        with np.load(path) as stored:
            quantized = stored["flow"]
            bound = float(stored["bound"]) if "bound" in stored else None
    except (OSError, ValueError, KeyError) as error:
        raise FlowError(f"{path}: not a readable flow .npz ({error})") from None
    if quantized.dtype != np.uint8 or quantized.ndim != 4 or (quantized.shape[-1] != 2):
        raise FlowError(
            f"{path}: `flow` must be uint8 (T, H, W, 2). Received: "
            f"dtype={quantized.dtype}, shape={quantized.shape}"
        )
    return quantized, FLOW_CLIP_PIXELS if bound is None else bound
