"""The `<video_id>.json` beside every feature file: its time base.

Time is defined on the sampled frames (after resampling to `fps`, or the
file's own frames with `fps` native): frame `k` is on screen during
`[k / fps, (k + 1) / fps)` seconds from the start of the video. A row that
covers frames `[start_frame, end_frame)` therefore starts at
`start_frame / fps` and ends at `end_frame / fps` seconds; its centre is the
centre of its window, `(window_start + window / 2) / fps` (for a window
clipped at the ends of the video, the centre of the unclipped window: a
frame-wise row's centre is its own frame's centre for odd windows).

The rows are stored column-wise, so `numpy.asarray(sidecar["rows"]
["centre_time"])` gives every centre at once.
"""

import json

SIDECAR_VERSION = 1
TIME_DEFINITION = (
    "frame k of the sampled stream covers [k / fps, (k + 1) / fps) seconds; "
    "a row covering frames [start_frame, end_frame) starts at start_frame / fps "
    "and ends at end_frame / fps; centre_time is the centre of its window"
)


def sidecar_name(video_id):
    """`<video_id>.json`, the sidecar's file name."""
    return f"{video_id}.json"


def row_columns(rows, fps):
    """The per-row frame ranges and times of `rows` (`WindowRow`s)."""
    return {
        "start_frame": [int(row.start_frame) for row in rows],
        "end_frame": [int(row.end_frame) for row in rows],
        "start_time": [row.start_frame / fps for row in rows],
        "end_time": [row.end_frame / fps for row in rows],
        "centre_time": [row.centre / fps for row in rows],
    }


def sidecar_record(video_id, path, source_fps, fps, rows, settings, outputs, package_version):
    """The content of the sidecar of one video.

    Args:
        video_id: the stem of the video's outputs.
        path: the video it was read from.
        source_fps: the file's frame rate (the folder rate for frames).
        fps: the sampling rate the rows' frames are counted in.
        rows: the `WindowRow`s, one per feature row.
        settings: what the features are: window, stride, layout, streams,
            endpoint, pooling, crops, weights records, ... (a JSON-able
            dict).
        outputs: `{file name: shape}` of the feature files written.
        package_version: `keras_i3d.__version__`.

    Returns:
        A JSON-able dict.
    """
    return {
        "sidecar_version": SIDECAR_VERSION,
        "video_id": video_id,
        "video": str(path),
        "source_fps": float(source_fps),
        "fps": float(fps),
        "time": TIME_DEFINITION,
        "num_rows": len(rows),
        **settings,
        "outputs": {name: list(shape) for name, shape in outputs.items()},
        "package_version": package_version,
        "rows": row_columns(rows, fps),
    }


def sidecar_text(record):
    """`record` as the sidecar's JSON text."""
    return json.dumps(record, indent=1) + "\n"
