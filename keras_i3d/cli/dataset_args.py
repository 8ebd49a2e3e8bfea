"""Dataset flags shared by the subcommands that read a labelled video set.

`--format` picks a reader of `keras_i3d.data.formats`: a folder per class,
a Kinetics annotation CSV, or a UCF101 / HMDB51 split folder.
"""

import os

from keras_i3d.cli.errors import CLIError

SOURCE_FORMATS = ("folders", "kinetics", "ucf101", "hmdb51")
SOURCE_HELP = (
    "folders: a folder with one sub-folder of videos per class; "
    "kinetics: the annotation CSV; ucf101 / hmdb51: the split-file folder"
)


def add_dataset_arguments(parser, default_subset="train"):
    """Adds `--format`, `--video-dir`, `--split` and `--subset` to `parser`."""
    parser.add_argument(
        "--format", choices=SOURCE_FORMATS, default="folders",
        help="how the source lists the videos and labels (default: folders)",
    )
    parser.add_argument(
        "--video-dir",
        help="folder of the videos, for --format kinetics, ucf101 and hmdb51",
    )
    parser.add_argument(
        "--split", type=int, default=1,
        help="UCF101/HMDB51 split number (default: 1)",
    )
    parser.add_argument(
        "--subset", choices=("train", "test"), default=default_subset,
        help=f"UCF101/HMDB51 subset (default: {default_subset})",
    )


def read_samples(args, source, label_set="kinetics400"):
    """Lists the `VideoSample`s that the dataset flags describe.

    Args:
        args: parsed arguments with the flags of `add_dataset_arguments`.
        source: the folder, CSV or split folder.
        label_set: the class order of `--format kinetics`.

    Returns:
        A non-empty list of `keras_i3d.data.VideoSample`.

    Raises:
        CLIError: a missing source, a malformed annotation file, or no
            videos listed.
    """
    from keras_i3d.data import formats

    if args.format != "folders" and not args.video_dir:
        raise CLIError(f"--format {args.format} needs --video-dir")
    if not os.path.exists(source):
        raise CLIError(f"{source}: no such file or folder")
    try:
        if args.format == "folders":
            samples = formats.read_class_folders(source)
        elif args.format == "kinetics":
            samples = formats.read_kinetics_csv(source, args.video_dir,
                                                label_set=label_set)
        elif args.format == "ucf101":
            samples = formats.read_ucf101_split(source, args.video_dir,
                                                args.split, args.subset)
        else:
            samples = formats.read_hmdb51_split(source, args.video_dir,
                                                args.split, args.subset)
    except (ValueError, OSError) as error:
        raise CLIError(str(error)) from None
    if not samples:
        raise CLIError(
            f"{source}: lists no videos (looked for "
            f"{', '.join(formats.VIDEO_EXTENSIONS)} files with --format "
            f"{args.format})"
        )
    return samples
