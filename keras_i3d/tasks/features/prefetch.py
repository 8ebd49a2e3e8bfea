"""Decoding in reader threads, overlapped with the network.

OpenCV's decoder, its resize and the flow algorithms release the GIL, so a
reader thread decodes (and computes flow for) the next windows while the
network runs the current batch. Each video's windows pass through a bounded
queue, so read-ahead never holds more than `depth` windows per reader.
"""

import queue
import threading

_END = object()


class _Failure:
    def __init__(self, error):
        self.error = error


def prefetched(videos, workers=1, depth=8):
    """Reads the windows of `videos` ahead, in `workers` threads.

    Args:
        videos: an iterable of `(key, windows)`, as `batched_features`
            takes them.
        workers: videos read at the same time.
        depth: windows each reader may hold ahead of the consumer.

    Yields:
        `(key, windows)` in the order of `videos`; iterating `windows`
        reads from the reader's queue and re-raises the reader's error.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be a positive int. Received: {workers!r}")
    slots = threading.BoundedSemaphore(workers)
    queues = queue.Queue()  # (key, that video's queue), in order
    stop = threading.Event()

    def read(windows, output):
        try:
            for item in windows:
                while not stop.is_set():
                    try:
                        output.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            output.put(_END)
        except Exception as error:  # noqa: BLE001 - handed to the consumer
            output.put(_Failure(error))
        finally:
            slots.release()

    def dispatch():
        for key, windows in videos:
            while not slots.acquire(timeout=0.1):
                if stop.is_set():
                    return
            if stop.is_set():
                return
            output = queue.Queue(maxsize=depth)
            queues.put((key, output))
            threading.Thread(target=read, args=(windows, output), daemon=True).start()
        queues.put(_END)

    def drain(output):
        while True:
            item = output.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    dispatcher = threading.Thread(target=dispatch, daemon=True)
    dispatcher.start()
    try:
        while True:
            entry = queues.get()
            if entry is _END:
                return
            key, output = entry
            yield key, drain(output)
    finally:
        stop.set()
