"""`keras-i3d make-tfrecords`: videos to TFRecord shards of JPEG frames."""

import sys

from keras_i3d.cli import options
from keras_i3d.cli.dataset_args import read_samples
from keras_i3d.cli.errors import CLIError
from keras_i3d.conventions import RESIZE_SHORT_SIDE


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
    parser.add_argument("source", help=options.DATASET_SOURCE_HELP)
    options.add_out_option(parser)
    options.add_dataset_options(parser)
    options.add_labels_option(parser)
    parser.add_argument(
        "--shards", type=options.positive_int, default=8, help="number of shard files (default: 8)"
    )
    parser.add_argument(
        "--prefix", default="videos", help="shard file name prefix (default: videos)"
    )
    options.add_fps_option(parser)
    options.add_short_side_option(parser)
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality 1-100 (default: 90)")
    options.add_workers_option(parser)
    options.add_shard_option(parser)
    options.add_beam_option(parser)
    parser.set_defaults(func=run)
    return parser


def run(args):
    import logging

    import tqdm

    from keras_i3d.data.skipped import SkippedVideos
    from keras_i3d.data.tfrecords import write_tfrecords

    options.refuse_native_fps(args, "make-tfrecords")
    if not 1 <= args.quality <= 100:
        raise CLIError(f"--quality must be in 1..100, got {args.quality}")
    short_side = RESIZE_SHORT_SIDE if args.short_side is None else args.short_side
    samples = options.select_shard(
        read_samples(args, args.source, label_set=args.labels),
        args.shard,
        key=lambda sample: str(sample.path),
    )
    if not samples:
        raise CLIError(f"--shard {args.shard[0]}/{args.shard[1]} holds no video")
    skipped = SkippedVideos()
    shard_settings = dict(
        num_shards=args.shards,
        prefix=shard_prefix(args.prefix, args.shard),
        fps=args.fps,
        short_side=short_side or None,
        jpeg_quality=args.quality,
    )
    if args.beam:
        return run_on_beam(args, samples, shard_settings, skipped)
    # Skipped videos are listed once at the end instead of between bar updates.
    logging.getLogger("keras_i3d.data").setLevel(logging.ERROR)
    with tqdm.tqdm(total=len(samples), unit="video", file=sys.stderr) as bar:
        result = write_tfrecords(
            samples,
            args.out,
            workers=args.workers,
            skipped=skipped,
            on_video_done=lambda sample, ok: bar.update(1),
            **shard_settings,
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


def shard_prefix(prefix, shard):
    """The shard files' prefix: `prefix`, or with `--shard i/N` the part's
    (`videos-part-00001-of-00004` for `--shard 1/4`), so the N jobs write
    different files that `{prefix}-*.tfrecord` still matches."""
    if shard is None:
        return prefix
    index, count = shard
    return f"{prefix}-part-{index:05d}-of-{count:05d}"


def run_on_beam(args, samples, shard_settings, skipped):
    """`--beam`: the shards written by `keras_i3d.beam.tfrecords.WriteTFRecords`;
    shards that exist are kept (a rerun writes only the missing ones)."""
    summary = options.beam_jobs().run_tfrecords_job(
        samples,
        args.out,
        args.workers,
        args.pipeline_args,
        **shard_settings,
    )
    for path, reason in summary.failures:
        skipped.add(path, reason)
    print(
        f"Wrote {summary.count('done')} videos ({summary.count('frames')} frames) to "
        f"{summary.count('written_shards')} shards in {args.out}; "
        f"{summary.count('skipped_shards')} shards existed and were kept"
    )
    if skipped:
        print(skipped.summary(), file=sys.stderr)
    if len(summary.failures) == len(samples):
        raise CLIError("no video could be read; see the list above")
    return 0
