"""Reading the labelled video set that the dataset options describe.

The options themselves (`--dataset-format`, `--video-dir`, `--split`,
`--subset`) are defined in `keras_i3d.cli.options.add_dataset_options`;
`--dataset-format` picks a reader of `keras_i3d.data.formats`: a folder per
class, a Kinetics annotation CSV, or a UCF101 / HMDB51 split folder.
"""

import os

from keras_i3d.cli.errors import CLIError

DEFAULT_LABEL_SET = "kinetics400"  # The class order of a Kinetics CSV.


def read_samples(args, source, label_set=None):
    """Lists the `VideoSample`s that the dataset options describe.

    Args:
        args: parsed arguments with the options of
            `keras_i3d.cli.options.add_dataset_options`.
        source: the folder, CSV or split folder.
        label_set: the class order of `--dataset-format kinetics`; None:
            kinetics400.

    Returns:
        A non-empty list of `keras_i3d.data.VideoSample`.

    Raises:
        CLIError: a missing source, a malformed annotation file, no
            videos listed, or a missing `--video-dir` or `--subset`.
    """
    from keras_i3d.data import formats

    dataset_format = args.dataset_format
    if dataset_format != "folders" and not args.video_dir:
        raise CLIError(f"--dataset-format {dataset_format} needs --video-dir")
    if dataset_format in ("ucf101", "hmdb51") and args.subset is None:
        raise CLIError(f"--dataset-format {dataset_format} needs --subset train or test")
    if not os.path.exists(source):
        raise CLIError(f"{source}: no such file or folder")
    try:
        if dataset_format == "folders":
            samples = formats.read_class_folders(source)
        elif dataset_format == "kinetics":
            samples = formats.read_kinetics_csv(
                source, args.video_dir, label_set=label_set or DEFAULT_LABEL_SET
            )
        elif dataset_format == "ucf101":
            samples = formats.read_ucf101_split(source, args.video_dir, args.split, args.subset)
        else:
            samples = formats.read_hmdb51_split(source, args.video_dir, args.split, args.subset)
    except (ValueError, OSError) as error:
        raise CLIError(str(error)) from None
    if not samples:
        raise CLIError(
            f"{source}: lists no videos (looked for "
            f"{', '.join(formats.VIDEO_EXTENSIONS)} files with "
            f"--dataset-format {dataset_format})"
        )
    return samples
