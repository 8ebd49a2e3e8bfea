"""The optical flow of a corpus of videos, one video at a time.

`compute_and_store_flow` is the unit of work of every flow job: it reads one
video, computes its flow and writes it atomically, and knows nothing of
argv, stdout or processes. `keras-i3d flow` runs it over a worker pool with
progress bars; `examples/compare_architectures.py` runs it in a loop.

Example:

```python
from keras_i3d.flow.corpus import compute_and_store_flow
from keras_i3d.flow.storage import flow_output_path

target = flow_output_path("flow/", "v_run_01", "npz")
compute_and_store_flow("videos/v_run_01.mp4", target, {"flow_format": "npz"})
```
"""

from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD

# What `compute_and_store_flow` does for a setting it is not given.
DEFAULT_FLOW_SETTINGS = {
    "flow_method": DEFAULT_FLOW_METHOD,
    "flow_format": "jpg",
    "fps": TARGET_FPS,
    "short_side": RESIZE_SHORT_SIDE,
    "start_time": 0.0,
    "num_frames": None,
    "overwrite": False,
}


def resolve_flow_settings(settings=None):
    """`settings` completed with `DEFAULT_FLOW_SETTINGS`.

    Raises:
        ValueError: `settings` has a key that is not a flow setting.
    """
    unknown = sorted(set(settings or {}) - set(DEFAULT_FLOW_SETTINGS))
    if unknown:
        raise ValueError(
            f"Unknown flow settings {unknown}; the settings are "
            f"{sorted(DEFAULT_FLOW_SETTINGS)}. Received: settings={settings}"
        )
    return {**DEFAULT_FLOW_SETTINGS, **(settings or {})}


def compute_and_store_flow(path, target, settings=None, progress=None, source=None):
    """Computes one video's optical flow and writes it to `target`.

    The flow is `keras_i3d.flow.video.video_flow`'s (frames resampled to
    `fps`, resized to `short_side`, then `flow_method`), stored by
    `keras_i3d.flow.write_flow` in `flow_format`; its metadata records how
    it was made, including the stretch computed (`start_time`, and
    `frame_limit`: `num_frames`, or None for the whole video).

    Args:
        path: the video file, GIF or image folder.
        target: where the flow goes, usually `flow_output_path(out_dir,
            video_id, flow_format)`: a folder for `"jpg"`/`"png"`, a
            `.npz` file for `"npz"`.
        settings: a dict of any of the keys of `DEFAULT_FLOW_SETTINGS`
            (`flow_method`, `flow_format`, `fps`, `short_side` (None keeps the
            video's size), `start_time`, `num_frames`, `overwrite`); the
            others take those defaults.
        progress: an optional callable, called as `progress(done, total)`
            after each flow field.
        source: the video's name in the metadata (None: `path`); a job
            that decodes a local copy of a remote file gives the file's URL.

    Returns:
        The `pathlib.Path` written.

    Raises:
        ValueError: `settings` has a key that is not a flow setting.
        keras_i3d.video.VideoReadError: the video cannot be decoded.
        keras_i3d.flow.FlowError: it has fewer than 2 frames.
        FileExistsError: `target` exists and `overwrite` is False.
    """
    from keras_i3d.flow.storage import write_flow
    from keras_i3d.flow.video import video_flow

    settings = resolve_flow_settings(settings)
    result = video_flow(
        path,
        flow_method=settings["flow_method"],
        fps=settings["fps"],
        short_side=settings["short_side"],
        start_time=settings["start_time"],
        num_frames=settings["num_frames"],
        progress=progress,
    )
    metadata = result.metadata()
    metadata.update(start_time=settings["start_time"], frame_limit=settings["num_frames"])
    if source is not None:
        metadata["source"] = str(source)
    return write_flow(
        result.flow,
        target,
        settings["flow_format"],
        metadata=metadata,
        overwrite=settings["overwrite"],
    )
