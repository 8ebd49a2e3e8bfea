"""A thread-safe record of the videos a pipeline skipped, and why."""

import collections
import logging
import threading

logger = logging.getLogger("keras_i3d.data")

SkippedVideo = collections.namedtuple("SkippedVideo", ["path", "reason"])


class SkippedVideos:
    """Collects `(path, reason)` for every video a pipeline could not use.

    Pipelines run their decoders in parallel threads; they add to this log
    and go on with the next video instead of stopping. Each skip is also
    logged as a warning on the `keras_i3d.data` logger.

    Example:

    >>> skipped = SkippedVideos()
    >>> skipped.add("a.mp4", "the file is empty (0 bytes)")
    >>> print(skipped.summary())
    1 video skipped:
      a.mp4: the file is empty (0 bytes)
    """

    def __init__(self):
        self._items = []
        self._lock = threading.Lock()

    def add(self, path, reason):
        with self._lock:
            self._items.append(SkippedVideo(str(path), str(reason)))
        logger.warning("Skipped %s: %s", path, reason)

    @property
    def items(self):
        """The skipped videos, in the order they were met, without repeats."""
        with self._lock:
            return list(dict.fromkeys(self._items))

    @property
    def paths(self):
        return [item.path for item in self.items]

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    def summary(self):
        """A readable report: the count, then one line per video."""
        items = self.items
        if not items:
            return "No video skipped."
        noun = "video" if len(items) == 1 else "videos"
        lines = [f"{len(items)} {noun} skipped:"]
        lines += [f"  {item.path}: {item.reason}" for item in items]
        return "\n".join(lines)
