"""`keras-i3d fvd REAL GEN`: the Fréchet Video Distance between two sets.

Example:

```
keras-i3d fvd real_videos/ generated.npy
keras-i3d fvd real.npy generated/ --preset stylegan_v --num-videos 2048 \\
    --save-stats real_stats.npz --json
keras-i3d fvd real_stats.npz generated/ --json
```

REAL and GEN are each a `.npy`/`.npz` array `(N, T, H, W, 3)`, a folder of
videos, a `.txt` list of videos, a video file, or a statistics file written
by `--save-stats`. The default preset, `reference`, reproduces
google-research `frechet_video_distance` (TF1 legacy bilinear resize to
224, time-averaged I3D logits, N-1 covariance, tfgan's square root, a
float32 result).
"""

import json
import pathlib
import sys
import warnings

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError

STATISTICS_KEY = "sum_outer"  # Statistics files hold it; video arrays do not.
ARRAY_SUFFIXES = (".npy", ".npz")
INPUT_RANGE_CHOICES = {"0-255": (0, 255), "0-1": (0, 1), "-1-1": (-1, 1)}


def add_parser(subparsers):
    from keras_i3d.tasks.fvd.embed import DEFAULT_BATCH_SIZE
    from keras_i3d.tasks.fvd.presets import DEFAULT_PRESET
    from keras_i3d.tasks.fvd.presets import PRESETS

    parser = subparsers.add_parser(
        "fvd",
        help="Fréchet Video Distance between two sets of videos",
        description=(
            "Compute the FVD between REAL and GEN. Each is a .npy/.npz array "
            "(N, T, H, W, 3) on a 0-255 scale, a folder or .txt list of "
            "videos, a video file, or a statistics file from --save-stats. "
            "The reference preset reproduces google-research "
            "frechet_video_distance (TF-Hub i3d-kinetics-400 + tfgan)."
        ),
    )
    parser.add_argument("real", metavar="REAL", help="the real videos")
    parser.add_argument("generated", metavar="GEN", help="the generated videos")
    parser.add_argument(
        "--preset",
        choices=tuple(PRESETS),
        default=DEFAULT_PRESET,
        help=(
            "the FVD protocol (default reference; stylegan_v* and cd_fvd "
            "use the N-normalised covariance and scipy's sqrtm; videogpt and"
            " cd_fvd cannot be matched exactly, see docs/fvd.md)"
        ),
    )
    parser.add_argument(
        "--num-videos",
        type=int,
        default=None,
        metavar="N",
        help="use the first N videos of each set (default: the preset's "
        "count for video files, else all)",
    )
    options.add_clip_length_option(
        parser,
        default_help="the preset's for video files, 16 or 128; every frame "
        "of arrays, else their first N",
    )
    parser.add_argument(
        "--input-range",
        choices=tuple(INPUT_RANGE_CHOICES),
        default="0-255",
        help="value range of array inputs (default 0-255, the reference; "
        "write --input-range=-1-1 for [-1, 1])",
    )
    options.add_batch_size_option(parser, default=DEFAULT_BATCH_SIZE)
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the random offsets of real clips (stylegan_v presets)",
    )
    parser.add_argument(
        "--save-stats",
        type=pathlib.Path,
        default=None,
        metavar="FILE",
        help="save the real set's statistics to FILE (.npz) for reuse as REAL",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"keras-i3d fvd: warning: {message}", file=sys.stderr)


def run(args):
    from keras_i3d.tasks.fvd.distance import frechet_distance
    from keras_i3d.tasks.fvd.presets import get_preset

    if args.num_videos is not None and args.num_videos < 1:
        raise CLIError(f"--num-videos must be at least 1. Received: {args.num_videos}")
    preset = get_preset(args.preset)
    embedder = SetEmbedder(args, preset)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            real = embedder.statistics(args.real, real=True)
            generated = embedder.statistics(args.generated, real=False)
            result = frechet_distance(real, generated, **preset.distance_options())
        except ValueError as error:
            raise CLIError(str(error)) from None
    if args.save_stats is not None:
        real.save(args.save_stats)
    if args.json:
        print(json.dumps(result.to_json_dict(preset=preset.name)))
    else:
        print(
            f"FVD {result.fvd:.8g} ({preset.name} preset; "
            f"{result.n_real} real, {result.n_generated} generated videos)"
        )
    return 0


class SetEmbedder:
    """Turns REAL or GEN into `VideoStatistics`, sharing one model."""

    def __init__(self, args, preset):
        self.args = args
        self.preset = preset
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from keras_i3d.tasks.fvd.embed import fvd_embedding_model

            self._model = fvd_embedding_model(self.preset.features)
        return self._model

    def statistics(self, source, real):
        from keras_i3d.tasks.fvd.statistics import VideoStatistics

        path = pathlib.Path(source)
        if path.suffix.lower() in ARRAY_SUFFIXES:
            if not path.is_file():
                raise CLIError(f"{path}: no such file")
            loaded = load_array_or_statistics(path)
            if isinstance(loaded, VideoStatistics):
                return loaded
            return self._array_statistics(loaded, path)
        return self._file_statistics(path, real)

    def _array_statistics(self, videos, path):
        from keras_i3d.tasks.fvd.embed import check_videos
        from keras_i3d.tasks.fvd.embed import video_statistics

        args = self.args
        if args.num_videos is not None:
            videos = videos[: args.num_videos]
        if args.clip_length is not None:
            if videos.ndim == 5 and videos.shape[1] < args.clip_length:
                raise CLIError(
                    f"{path}: --clip-length {args.clip_length} needs that "
                    f"many frames. Received: {videos.shape[1]} frames"
                )
            videos = videos[:, : args.clip_length]
        input_range = INPUT_RANGE_CHOICES[args.input_range]
        # Checked before the model is built, so bad input fails at once.
        check_videos(videos, name=str(path), input_range=input_range)
        if videos.shape[0] < 2:
            raise CLIError(
                f"{path}: FVD needs at least 2 videos per set. Received: shape={videos.shape}"
            )
        return video_statistics(
            videos,
            model=self.model,
            features=self.preset.features,
            resize=self.preset.resize,
            input_range=input_range,
            batch_size=args.batch_size,
            progress=True,
            name=str(path),
        )

    def _file_statistics(self, path, real):
        from keras_i3d.cli.flow import collect_videos
        from keras_i3d.tasks.fvd.sources import video_file_statistics
        from keras_i3d.video.decode import VideoReadError

        if not path.exists():
            raise CLIError(f"{path}: no such file or folder")
        videos = collect_videos([path])
        try:
            return video_file_statistics(
                videos,
                preset=self.preset,
                real=real,
                clip_length=self.args.clip_length,
                num_videos=self.args.num_videos,
                model=self.model,
                batch_size=self.args.batch_size,
                seed=self.args.seed,
                progress=True,
                name=str(path),
            )
        except VideoReadError as error:
            raise CLIError(str(error)) from None


def load_array_or_statistics(path):
    """A `.npy`/`.npz` video array, or `VideoStatistics` from `--save-stats`.

    An `.npz` of videos holds one array (or one named `videos`).
    """
    import numpy as np

    from keras_i3d.tasks.fvd.statistics import VideoStatistics

    try:
        if path.suffix.lower() == ".npy":
            return np.load(path, mmap_mode="r", allow_pickle=False)
        with np.load(path, allow_pickle=False) as archive:
            names = archive.files
            if STATISTICS_KEY in names:
                return VideoStatistics.load(path)
            if "videos" in names:
                return archive["videos"]
            if len(names) == 1:
                return archive[names[0]]
    except (OSError, ValueError) as error:
        raise CLIError(f"{path}: cannot read it as an array: {error}") from None
    raise CLIError(
        f"{path}: expected one array (or one named 'videos') or FVD "
        f"statistics. Received: arrays {names}"
    )
