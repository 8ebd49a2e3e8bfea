"""Streaming float64 statistics of video embeddings, and the FVD result.

`VideoStatistics` keeps what a Fréchet distance needs and nothing that
ties it to one covariance normaliser: the count `N`, the float64 sums
`sum(x)` and `sum(x x^T)` of the embeddings. Shards computed on different
machines add up exactly (`merge`), and `ddof` is chosen when the distance is
taken (the reference divides by `N - 1`, StyleGAN-V and cd-fvd by `N`).

Statistics also record the options that made them (resize, features, clip
length, ...); statistics made with different options are refused, because
their distance would not be an FVD of either protocol.
"""

import dataclasses
import hashlib
import json
import os

import numpy as np

from keras_i3d.tasks.fvd.options import check_option

STATISTICS_FORMAT_VERSION = 1
# The covariance normaliser N - ddof: 1 is the reference, 0 StyleGAN-V's.
DDOF_VALUES = (0, 1)


@dataclasses.dataclass(frozen=True)
class FVDResult:
    """An FVD and what it was computed from.

    Attributes:
        fvd: the distance rounded to float32, as the reference reports it
            (a Python float holding a float32 value).
        fvd_float64: the distance before that rounding.
        n_real: number of real videos.
        n_generated: number of generated videos.
        options: the options of the statistics and of the distance.
    """

    fvd: float
    fvd_float64: float
    n_real: int
    n_generated: int
    options: dict

    def __float__(self):
        return self.fvd

    def to_json_dict(self, preset=None):
        """The `keras-i3d fvd --json` record."""
        return {
            "fvd": self.fvd,
            "fvd_float64": self.fvd_float64,
            "n_real": self.n_real,
            "n_generated": self.n_generated,
            "preset": preset,
            "options": self.options,
        }


class VideoStatistics:
    """Float64 sums of embeddings: count, `sum(x)` and `sum(x x^T)`.

    Args:
        dimension: the embedding length (400 logits, 1024 pool).
        options: a JSON-serialisable dict of the options that made the
            embeddings (see `embedding_options`); compared by
            `check_comparable`.

    Example:

    >>> stats = VideoStatistics(dimension=4)
    >>> stats.update(np.ones((3, 4)))
    >>> stats.count, stats.mean().tolist()
    (3, [1.0, 1.0, 1.0, 1.0])
    """

    def __init__(self, dimension, options=None):
        if not isinstance(dimension, (int, np.integer)) or dimension < 1:
            raise ValueError(
                f"`dimension` must be a positive int. Received: dimension={dimension!r}"
            )
        self.dimension = int(dimension)
        # Through JSON, so options compare equal after `save` and `load`.
        self.options = json.loads(json.dumps(dict(options or {})))
        self.count = 0
        self.sum = np.zeros((self.dimension,), np.float64)
        self.sum_outer = np.zeros((self.dimension, self.dimension), np.float64)

    @classmethod
    def from_embeddings(cls, embeddings, options=None):
        """Statistics of an `(N, d)` array of embeddings."""
        embeddings = np.asarray(embeddings)
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embeddings must have shape (N, dimension). Received: shape={embeddings.shape}"
            )
        statistics = cls(embeddings.shape[1], options)
        statistics.update(embeddings)
        return statistics

    def update(self, embeddings):
        """Adds an `(n, d)` batch of embeddings (cast to float64)."""
        embeddings = np.asarray(embeddings, dtype=np.float64)
        if embeddings.ndim != 2 or embeddings.shape[1] != self.dimension:
            raise ValueError(
                f"Embeddings must have shape (n, {self.dimension}). "
                f"Received: shape={embeddings.shape}"
            )
        if not np.all(np.isfinite(embeddings)):
            raise ValueError("Embeddings must be finite. Received: NaN or inf")
        self.count += embeddings.shape[0]
        self.sum += embeddings.sum(axis=0)
        self.sum_outer += embeddings.T @ embeddings

    def merge(self, other):
        """Adds the sums of `other` (another shard of the same protocol).

        Returns:
            self, so shards can be folded: `functools.reduce(merge, ...)`.

        Raises:
            ValueError: `other` was made with different options.
        """
        self.check_comparable(other)
        self.count += other.count
        self.sum += other.sum
        self.sum_outer += other.sum_outer
        return self

    def check_comparable(self, other):
        """Raises ValueError unless `other` has the same options and size."""
        if not isinstance(other, VideoStatistics):
            raise TypeError(f"Expected VideoStatistics. Received: {type(other).__name__}")
        if self.options != other.options:
            differing = sorted(
                key
                for key in set(self.options) | set(other.options)
                if self.options.get(key) != other.options.get(key)
            )
            details = ", ".join(
                f"{key}={self.options.get(key)!r} vs {other.options.get(key)!r}"
                for key in differing
            )
            raise ValueError(
                "These statistics were made with different options, so "
                f"their distance is not an FVD. Received: {details}"
            )
        if self.dimension != other.dimension:
            raise ValueError(
                "Statistics of embeddings of different lengths. Received: "
                f"{self.dimension} and {other.dimension}"
            )

    def mean(self):
        """The float64 mean embedding."""
        self._check_count(1)
        return self.sum / self.count

    def mean_and_covariance(self, ddof=1):
        """The mean and the covariance normalised by `N - ddof`.

        Args:
            ddof: 1 (the reference's unbiased covariance) or 0 (StyleGAN-V).
        """
        check_option("ddof", ddof, DDOF_VALUES)
        self._check_count(2)
        mean = self.mean()
        centred_outer = self.sum_outer - self.count * np.outer(mean, mean)
        return mean, centred_outer / (self.count - ddof)

    def fingerprint(self):
        """A digest of the count, the sums and the options.

        Equal digests mean equal statistics (up to a BLAKE2 collision), so a
        cache of what is computed from them (`RealMoments`) can tell when
        they change, also in place.
        """
        digest = hashlib.blake2b(digest_size=16)
        digest.update(json.dumps([self.count, self.options], sort_keys=True).encode())
        digest.update(np.ascontiguousarray(self.sum).tobytes())
        digest.update(np.ascontiguousarray(self.sum_outer).tobytes())
        return digest.hexdigest()

    def _check_count(self, minimum):
        if self.count < minimum:
            raise ValueError(
                f"FVD needs at least {minimum} videos per set (a covariance "
                f"needs 2). Received: {self.count} videos"
            )

    def save(self, path):
        """Writes the statistics and their options to an `.npz` file.

        Returns:
            `path` as a `pathlib.Path`.
        """
        from keras_i3d.atomic_files import atomic_write

        def write(file):
            np.savez(
                file,
                format_version=np.int64(STATISTICS_FORMAT_VERSION),
                count=np.int64(self.count),
                sum=self.sum,
                sum_outer=self.sum_outer,
                options=np.array(json.dumps(self.options, sort_keys=True)),
            )

        return atomic_write(path, write)

    @classmethod
    def load(cls, path):
        """Reads statistics written by `save`.

        Raises:
            ValueError: the file is not a statistics file (the message names
                it and what is missing).
        """
        path = os.fspath(path)
        with np.load(path, allow_pickle=False) as archive:
            missing = [
                key for key in ("count", "sum", "sum_outer", "options") if key not in archive.files
            ]
            if missing:
                raise ValueError(
                    f"{path!r} is not an FVD statistics file: it has no {', '.join(missing)}"
                )
            statistics = cls(archive["sum"].shape[0], json.loads(str(archive["options"])))
            statistics.count = int(archive["count"])
            statistics.sum = archive["sum"].astype(np.float64)
            statistics.sum_outer = archive["sum_outer"].astype(np.float64)
        return statistics

    def __repr__(self):
        return (
            f"VideoStatistics(count={self.count}, dimension={self.dimension},"
            f" options={self.options})"
        )
