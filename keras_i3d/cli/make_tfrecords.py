"""`keras-i3d make-tfrecords`: videos to TFRecord shards of JPEG frames."""

import sys

from keras_i3d.cli.dataset_args import SOURCE_HELP
from keras_i3d.cli.dataset_args import add_dataset_arguments
from keras_i3d.cli.dataset_args import read_samples
from keras_i3d.cli.errors import CLIError
from keras_i3d.conventions import RESIZE_SHORT_SIDE
from keras_i3d.conventions import TARGET_FPS


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "make-tfrecords",
        help="write videos as TFRecord shards of JPEG frames for fast training input",
        description=(
            "Decode videos at a fixed frame rate, resize them and write them as "
            "TFRecord shards of JPEG frames, read by keras_i3d.data.tfrecord_dataset. "
            "Unreadable videos are skipped and listed at the end; shards are "
            "written to temporary files and renamed when complete."
        ),
    )
    parser.add_argument("source", help=SOURCE_HELP)
    parser.add_argument("--out", required=True, help="output folder for the shards")
    add_dataset_arguments(parser)
    parser.add_argument(
        "--label-set", default="kinetics400",
        help="class order for --format kinetics (default: kinetics400)",
    )
    parser.add_argument("--shards", type=int, default=8, help="number of shard files (default: 8)")
    parser.add_argument("--prefix", default="videos", help="shard file name prefix (default: videos)")
    parser.add_argument(
        "--fps", type=float, default=TARGET_FPS,
        help=f"frame rate of the stored frames (default: {TARGET_FPS:g})",
    )
    parser.add_argument(
        "--resize", type=int, default=RESIZE_SHORT_SIDE,
        help=f"short side of the stored frames in pixels, 0 keeps the size (default: {RESIZE_SHORT_SIDE})",
    )
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality 1-100 (default: 90)")
    parser.add_argument("--workers", type=int, default=2, help="decoding threads (default: 2)")
    parser.set_defaults(func=run)
    return parser


def run(args):
    import logging

    import tqdm

    from keras_i3d.data.skipped import SkippedVideos
    from keras_i3d.data.tfrecords import write_tfrecords

    for name in ("shards", "workers"):
        if getattr(args, name) < 1:
            raise CLIError(f"--{name} must be at least 1, got {getattr(args, name)}")
    if not 1 <= args.quality <= 100:
        raise CLIError(f"--quality must be in 1..100, got {args.quality}")
    samples = read_samples(args, args.source, label_set=args.label_set)
    skipped = SkippedVideos()
    # Skipped videos are listed once at the end instead of between bar updates.
    logging.getLogger("keras_i3d.data").setLevel(logging.ERROR)
    with tqdm.tqdm(total=len(samples), unit="video", file=sys.stderr) as bar:
        result = write_tfrecords(
            samples,
            args.out,
            num_shards=args.shards,
            prefix=args.prefix,
            fps=args.fps,
            short_side=args.resize or None,
            jpeg_quality=args.quality,
            workers=args.workers,
            skipped=skipped,
            on_video_done=lambda sample, ok: bar.update(1),
        )
    print(
        f"Wrote {result['videos']} videos ({result['frames']} frames) to "
        f"{len(result['shards'])} shards in {args.out}"
    )
    if skipped:
        print(skipped.summary(), file=sys.stderr)
    if result["videos"] == 0:
        raise CLIError("no video could be read; see the list above")
    return 0
