"""Reads videos, GIFs and image folders into uint8 RGB frames at a target rate.

Decoding uses OpenCV's FFmpeg backend. When OpenCV cannot open a file or
finds no frame in it, PyAV opens it again to tell the user why (not a video,
no video stream, no frames), so errors name the file and the reason.

A read that starts past the beginning (a clip of a training pipeline)
decodes with PyAV instead, which does less work for the same frames: it
seeks to the keyframe before the window, skips decoding the frames before
the window that no other frame refers to (H.264 non-reference frames), and
converts to RGB only the frames the output uses. Every frame it keeps is
checked against the container's packet list (no frame missing, none
corrupt); when a check fails it hands over to OpenCV's read, so the frames
are always those of a read from the start.

Frame-rate conversion picks source frames by timestamp: output frame `k` is
the source frame on screen at `start_time + k / fps`. A 30 fps video read at
25 fps therefore drops every sixth frame and keeps its duration, instead of
being played 20% slower.

FFmpeg's own log lines (`moov atom not found` on a truncated file, say) are
silenced: they would precede, and repeat less clearly, the `VideoReadError`
that names the file and the reason. Set `OPENCV_FFMPEG_LOGLEVEL` (an FFmpeg
log level, e.g. 32 for info) before decoding to see them.
"""

import bisect
import dataclasses
import math
import os
import re

import cv2
import numpy as np

from keras_i3d.conventions import TARGET_FPS

# OpenCV reads this when it opens its first capture; AV_LOG_QUIET is -8.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")

# Timestamps are compared with this slack (seconds) so that rounding in the
# container's time base never moves a frame to its neighbour's slot.
_TIME_EPSILON = 1e-4


class VideoReadError(ValueError):
    """A video could not be read; the message names the file and the reason."""

    def __init__(self, path, reason):
        super().__init__(f"Cannot read video {os.fspath(path)!r}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Video:
    """Decoded frames of a video.

    Attributes:
        frames: uint8 numpy array `(time, height, width, 3)`, RGB.
        fps: the rate of `frames` (the target rate, or the source rate when
            read with `fps=None`).
        source_fps: the frame rate of the file.
        path: the file or folder the frames came from.
    """

    frames: np.ndarray
    fps: float
    source_fps: float
    path: str

    @property
    def num_frames(self):
        return int(self.frames.shape[0])

    @property
    def duration(self):
        """Seconds covered by `frames`."""
        return self.num_frames / self.fps


class VideoStream:
    """Frames of a video, decoded on demand: memory does not grow with length.

    Made by `open_video`. Iterate over `chunks(size)` (or over the stream
    itself, one frame at a time); the decoder is released when the frames
    run out, on `close()`, or at the end of a `with` block.

    Attributes:
        path: the file or folder the frames come from.
        fps: the rate of the frames (the target rate, or the source rate
            when opened with `fps=None`).
        source_fps: the frame rate of the file.
        short_side: the short side the frames are resized to, or `None`.
    """

    def __init__(self, path, fps, source_fps, timed_frames, start_time, num_frames, short_side):
        self.path = path
        self.fps = source_fps if fps is None else float(fps)
        self.source_fps = source_fps
        self.short_side = short_side
        self._start_time = start_time
        self._timed_frames = timed_frames
        self._frames = _resample(timed_frames, start_time, fps, 1.0 / source_fps, num_frames)
        self._emitted = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Releases the decoder; later reads yield nothing."""
        self._timed_frames.close()

    def __iter__(self):
        for chunk in self.chunks(1):
            yield chunk[0]

    def chunks(self, size):
        """Yields the frames as uint8 arrays `(<= size, height, width, 3)`.

        Each chunk is resized as a whole (when `short_side` is set), with the
        same numbers as resizing every frame at once; only the last chunk
        can be shorter than `size`.

        Raises:
            VideoReadError: the stream yields no frame at all.
        """
        if size < 1:
            raise ValueError(f"`size` must be >= 1. Received: size={size}")
        pending = []
        for frame in self._frames:
            pending.append(frame)
            if len(pending) == size:
                yield self._finish(pending)
                pending = []
        if pending:
            yield self._finish(pending)
        self.close()
        if self._emitted == 0:
            raise VideoReadError(self.path, self._why_empty())

    def read_all(self):
        """Decodes the remaining frames into one array `(time, height, width, 3)`."""
        chunks = list(self.chunks(_READ_ALL_CHUNK))
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def _finish(self, frames):
        self._emitted += len(frames)
        frames = _stack_rgb(frames)
        if self.short_side is not None:
            from keras_i3d.video.resize import resize_short_side_array

            frames = resize_short_side_array(frames, self.short_side)
        return frames

    def _why_empty(self):
        if os.path.isdir(self.path):
            return "the folder holds no readable frame images"
        if self._start_time > 0:
            return f"no frame at or after {self._start_time:.3f} s"
        return _diagnose(self.path)


# read_video decodes in chunks of this many frames, so that a resize never
# holds two full-length copies of a video.
_READ_ALL_CHUNK = 256


def open_video(
    path,
    fps=TARGET_FPS,
    start_time=0.0,
    num_frames=None,
    folder_fps=TARGET_FPS,
    short_side=None,
    decoder_threads=None,
):
    """Opens a video file, GIF or image folder for streaming decoding.

    Takes the arguments of `read_video` and checks them, and the file, the
    same way; frames are decoded only as the returned stream is read, so a
    window of an hour-long video costs the memory of the window.

    Returns:
        A `VideoStream`.

    Raises:
        VideoReadError: the file is missing, is not a video or has no frame
            rate (raised now), or holds no frame after `start_time` (raised
            while reading).

    Example:

    >>> with open_video("demo.mp4", short_side=256) as stream:  # doctest: +SKIP
    ...     for chunk in stream.chunks(64):
    ...         print(chunk.shape)
    (64, 256, 340, 3)
    (26, 256, 340, 3)
    """
    path = os.fspath(path)
    if fps is not None and not fps > 0:
        raise ValueError(f"`fps` must be positive or None. Received: fps={fps}")
    if start_time < 0:
        raise ValueError(f"`start_time` must be >= 0. Received: start_time={start_time}")
    if num_frames is not None and num_frames < 1:
        raise ValueError(f"`num_frames` must be >= 1 or None. Received: num_frames={num_frames}")
    _check_positive_int_or_none("short_side", short_side)
    _check_positive_int_or_none("decoder_threads", decoder_threads)
    if not os.path.exists(path):
        raise VideoReadError(path, "no such file or folder")
    if os.path.isdir(path):
        source_fps = float(folder_fps)
        timed_frames = _read_image_folder(path, folder_fps, start_time)
    else:
        capture = _open_capture(path, decoder_threads)
        if not capture.isOpened():
            capture.release()
            raise VideoReadError(path, _diagnose(path))
        source_fps = float(capture.get(cv2.CAP_PROP_FPS))
        if not source_fps > 0:
            capture.release()
            raise VideoReadError(path, "the container reports no frame rate")
        if start_time > 0:
            capture.release()
            timed_frames = _read_seeking(path, start_time, 1.0 / source_fps, decoder_threads)
        else:
            timed_frames = _read_capture(capture, start_time)
    return VideoStream(path, fps, source_fps, timed_frames, start_time, num_frames, short_side)


def read_video(
    path,
    fps=TARGET_FPS,
    start_time=0.0,
    num_frames=None,
    folder_fps=TARGET_FPS,
    short_side=None,
    decoder_threads=None,
):
    """Reads a video file, GIF or image folder as uint8 RGB frames.

    Decodes everything asked for into memory; `open_video` streams instead.

    Args:
        path: a video file (anything FFmpeg reads: mp4, avi, webm, gif ...)
            or a folder of frames (`frame_00001.jpg`, `img_00002.png`, ...,
            ordered by the number in their names).
        fps: the output frame rate; frames are picked by timestamp. `None`
            keeps every source frame at the source rate.
        start_time: seconds into the video where the output starts.
        num_frames: the most frames to return; decoding stops as soon as they
            are read. `None` reads to the end. Fewer frames come back when
            the video ends first.
        folder_fps: the frame rate of an image folder (folders carry none).
        short_side: resize the frames so that their short side has this many
            pixels, aspect kept (bilinear, `keras_i3d.video.resize`); the
            checkpoints' `RESIZE_SHORT_SIDE` is 256. `None` keeps the size.
        decoder_threads: the threads FFmpeg decodes one file with. `None`
            leaves it to the decoder (OpenCV's read: one per core; the
            seeking read: two). `1` spends the least CPU time per frame:
            the choice when several files are decoded at once, one per
            core. The frames are the same either way.

    Returns:
        A `Video`.

    Raises:
        VideoReadError: the file is missing, is not a video, is corrupt, has
            no video stream, or has no frame after `start_time`.

    Example:

    >>> video = read_video("demo.mp4", num_frames=64)  # doctest: +SKIP
    >>> video.frames.shape  # doctest: +SKIP
    (64, 256, 340, 3)
    >>> small = read_video("demo.mp4", num_frames=64, short_side=128)  # doctest: +SKIP
    >>> small.frames.shape  # doctest: +SKIP
    (64, 128, 170, 3)
    """
    with open_video(
        path, fps, start_time, num_frames, folder_fps, short_side, decoder_threads
    ) as stream:
        frames = stream.read_all()
    return Video(frames=frames, fps=stream.fps, source_fps=stream.source_fps, path=stream.path)


def count_frames(path, fps=TARGET_FPS, folder_fps=TARGET_FPS):
    """Estimates from metadata, without decoding, how many frames `read_video` returns.

    Args:
        path: a video file or image folder.
        fps: the rate `read_video` will resample to (`None`: source rate).
        folder_fps: the frame rate of an image folder.

    Returns:
        The frame count the container declares, converted to `fps`; 0 when
        the container does not say. The true count can differ by a frame or
        two, so callers must cope with `read_video` returning fewer frames.

    Raises:
        VideoReadError: the file is missing or cannot be opened.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise VideoReadError(path, "no such file or folder")
    if os.path.isdir(path):
        source_count, source_fps = len(list_image_folder(path)), float(folder_fps)
    else:
        capture = _open_capture(path)
        try:
            if not capture.isOpened():
                raise VideoReadError(path, _diagnose(path))
            source_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            source_fps = float(capture.get(cv2.CAP_PROP_FPS))
        finally:
            capture.release()
    if source_count <= 0 or not source_fps > 0:
        return 0
    if fps is None:
        return source_count
    return int(np.floor(source_count / source_fps * fps + _TIME_EPSILON))


def _check_positive_int_or_none(name, value):
    if value is not None and not (isinstance(value, (int, np.integer)) and value >= 1):
        raise ValueError(f"`{name}` must be a positive int or None. Received: {name}={value!r}")


def _open_capture(path, decoder_threads=None):
    # OpenCV logs a warning on stderr for files it cannot open; the caller
    # raises a VideoReadError that says more, so the warning is held back.
    previous_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        if decoder_threads is not None:
            return cv2.VideoCapture(
                path, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, int(decoder_threads)]
            )
        return cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    finally:
        cv2.utils.logging.setLogLevel(previous_level)


def _read_capture(capture, start_time):
    """Yields `(timestamp_seconds, rgb_frame)` from an opened capture."""
    try:
        if start_time > 0:
            capture.set(cv2.CAP_PROP_POS_MSEC, start_time * 1000.0)
        while True:
            ok, bgr = capture.read()
            if not ok:
                return
            timestamp = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            yield timestamp, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        capture.release()


class _NotExact(Exception):
    """PyAV's seeking read cannot vouch for a frame; OpenCV takes over.

    Attributes:
        last_timestamp: the timestamp of the last frame already yielded,
            or `None` when none was.
    """

    def __init__(self, last_timestamp):
        super().__init__(last_timestamp)
        self.last_timestamp = last_timestamp


# Frame threads of the seeking read unless told: a lone decoder (one
# pipeline worker, one window of `predict`) decodes about twice as fast with
# two, for 5% more CPU time per clip than with one (more threads cost more,
# and the pipeline already decodes one video per core).
_SEEKING_READ_THREADS = 2

# The seeking read keeps the source frames from this many frame durations
# before `start_time` on: one of them is the frame on screen at `start_time`.
_SEEK_MARGIN_FRAMES = 2


def _read_seeking(path, start_time, frame_duration, decoder_threads=None):
    """Yields `(timestamp_seconds, frame)` from just before `start_time` on.

    The frames are those a read from the start yields, from the frame on
    screen at `start_time` on (and a frame or two before it); they are PyAV
    frames, converted to RGB by `_stack_rgb` only if the output uses them.
    If PyAV cannot vouch for a frame, OpenCV reads from the start and takes
    over after the last frame yielded.
    """
    try:
        yield from _decode_from_keyframe(
            path,
            start_time - _SEEK_MARGIN_FRAMES * frame_duration,
            start_time,
            decoder_threads or _SEEKING_READ_THREADS,
        )
        return
    except _NotExact as not_exact:
        resume_after = not_exact.last_timestamp
    for timestamp, frame in _read_capture(_open_capture(path, decoder_threads), 0.0):
        if resume_after is None or timestamp > resume_after + _TIME_EPSILON:
            yield timestamp, frame


def _decode_from_keyframe(path, keep_from, first_by, thread_count):
    """Yields `(timestamp_seconds, av.VideoFrame)` for the frames at or after `keep_from`.

    Seeks to the keyframe at or before `keep_from`; the frames before
    `keep_from` that no frame refers to are not decoded. Raises `_NotExact`
    unless every kept frame is the next of the container's packets in
    presentation order and not corrupt, and the first comes by `first_by`
    seconds (so that the frame on screen then is among them).
    """
    import av

    last_timestamp = None
    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            if stream.start_time is None or stream.time_base is None:
                raise _NotExact(None)
            context = stream.codec_context
            context.thread_type = "FRAME"
            context.thread_count = thread_count
            first_pts = stream.start_time
            keep_from_pts = first_pts + math.floor(keep_from / stream.time_base)
            # Seconds as OpenCV computes them (`CAP_PROP_POS_MSEC`).
            seconds_per_tick = float(stream.time_base)
            if keep_from > 0:
                container.seek(keep_from_pts, backward=True, any_frame=False, stream=stream)
            # Presentation times of the kept packets whose frames are still
            # to come out of the decoder, in order.
            expected = []
            skip_frame = None
            for packet in container.demux(stream):
                if packet.size:
                    if packet.pts is None:
                        raise _NotExact(last_timestamp)
                    kept = packet.pts >= keep_from_pts
                    if kept:
                        bisect.insort(expected, packet.pts)
                    # Setting the option costs more than comparing it.
                    wanted = "DEFAULT" if kept else "NONREF"
                    if wanted != skip_frame:
                        skip_frame = context.skip_frame = wanted
                for frame in context.decode(packet):
                    if frame.pts is None:
                        raise _NotExact(last_timestamp)
                    if frame.pts < keep_from_pts:
                        continue
                    if frame.is_corrupt or not expected or frame.pts != expected[0]:
                        raise _NotExact(last_timestamp)
                    expected.pop(0)
                    timestamp = (frame.pts - first_pts) * seconds_per_tick
                    if last_timestamp is None and timestamp > first_by + _TIME_EPSILON:
                        raise _NotExact(None)
                    yield timestamp, frame
                    last_timestamp = timestamp
            if expected:
                raise _NotExact(last_timestamp)
    except av.error.FFmpegError:
        raise _NotExact(last_timestamp) from None


def _stack_rgb(frames):
    """Stacks RGB arrays and PyAV frames (converted to RGB) into one array."""
    first = _as_rgb(frames[0])
    stacked = np.empty((len(frames),) + first.shape, first.dtype)
    stacked[0] = first
    for index in range(1, len(frames)):
        stacked[index] = _as_rgb(frames[index])
    return stacked


def _as_rgb(frame):
    if isinstance(frame, np.ndarray):
        return frame
    return frame.to_ndarray(format="rgb24")


def list_image_folder(path):
    """Returns the frame images of a folder, ordered by the number in their names."""
    names = [
        name
        for name in os.listdir(path)
        if name.lower().endswith(IMAGE_EXTENSIONS) and re.search(r"\d", name)
    ]

    def frame_number(name):
        return int(re.findall(r"\d+", name)[-1]), name

    return [os.path.join(path, name) for name in sorted(names, key=frame_number)]


def _read_image_folder(path, folder_fps, start_time):
    first_index = max(int(np.floor(start_time * folder_fps + _TIME_EPSILON)), 0)
    for index, image_path in enumerate(list_image_folder(path)):
        if index < first_index:
            continue
        bgr = cv2.imread(image_path, cv2.IMREAD_COLOR)
        if bgr is None:
            raise VideoReadError(image_path, "not a readable image")
        yield index / folder_fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _resample(timed_frames, start_time, fps, last_duration, num_frames):
    """Yields the frames on screen at `start_time + k / fps`, k = 0, 1, ...

    A source frame stays on screen until the next one's timestamp, the last
    one for `last_duration` seconds. `fps=None` yields every frame from
    `start_time` on instead.
    """
    emitted = 0
    previous = None  # (timestamp, frame) of the last source frame seen.
    for timestamp, frame in timed_frames:
        if fps is None:
            if timestamp >= start_time - _TIME_EPSILON:
                yield frame
                emitted += 1
                if emitted == num_frames:
                    return
            continue
        if previous is not None:
            while start_time + emitted / fps < timestamp - _TIME_EPSILON:
                yield previous[1]
                emitted += 1
                if emitted == num_frames:
                    return
        previous = (timestamp, frame)
    if previous is None:
        return
    end_time = previous[0] + last_duration
    while start_time + emitted / fps < end_time - _TIME_EPSILON:
        yield previous[1]
        emitted += 1
        if emitted == num_frames:
            return


def _diagnose(path):
    """Says why OpenCV found nothing to read in `path`, using PyAV."""
    import av

    if os.path.getsize(path) == 0:
        return "the file is empty (0 bytes)"
    try:
        with av.open(path) as container:
            if not container.streams.video:
                kinds = sorted({stream.type for stream in container.streams})
                found = ", ".join(kinds) if kinds else "no streams at all"
                return f"the file has no video stream (found: {found})"
            stream = container.streams.video[0]
            try:
                for _ in container.decode(stream):
                    return "OpenCV's FFmpeg backend cannot decode it"
            except av.error.FFmpegError as error:
                return f"the video stream is corrupt ({error})"
            return "the video stream has no frames"
    except av.error.FFmpegError as error:
        return f"not a video file, or it is corrupt ({error})"
