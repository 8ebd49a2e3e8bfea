"""Dataset annotation formats: Kinetics CSV, UCF101, HMDB51, folder per class.

Each reader returns a list of `VideoSample(path, label, label_name)` with a
0-based integer label. Files that the annotations name but that are missing
on disk are still listed: the pipelines skip and report them, so a partial
download trains on what is there and says what is not.
"""

import csv
import dataclasses
import os

from keras_i3d.labels import load_labels

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".webm", ".mov", ".gif", ".mpg", ".mpeg", ".m4v")


class AnnotationError(ValueError):
    """An annotation file is malformed; the message names file and line."""


@dataclasses.dataclass(frozen=True)
class VideoSample:
    """One labelled video.

    Attributes:
        path: the video file (or image folder).
        label: 0-based class index.
        label_name: the class name.
        flow_path: precomputed flow for the video (a folder), if any.
    """

    path: str
    label: int
    label_name: str = ""
    flow_path: str = None


def with_flow_folders(samples, flow_dir):
    """The samples with `flow_path` set to `flow_dir/<video file stem>`.

    That is where `keras-i3d flow --out flow_dir` writes each video's flow
    (`flow_dir/<stem>/flow_x_00001.jpg`, ...).

    Example:

    >>> with_flow_folders([VideoSample("videos/run/a1.mp4", 0)], "flow")
    [VideoSample(path='videos/run/a1.mp4', label=0, label_name='', flow_path='flow/a1')]
    """
    return [
        dataclasses.replace(
            sample,
            flow_path=os.path.join(
                os.fspath(flow_dir), os.path.splitext(os.path.basename(os.fspath(sample.path)))[0]
            ),
        )
        for sample in samples
    ]


def kinetics_filename(youtube_id, time_start, time_end, extension=".mp4"):
    """`{youtube_id}_{start:06d}_{end:06d}.mp4`, the Kinetics download name."""
    return f"{youtube_id}_{int(time_start):06d}_{int(time_end):06d}{extension}"


def read_kinetics_csv(csv_path, video_dir, label_set="kinetics400", classes=None, extension=".mp4"):
    """Reads a Kinetics annotation CSV (`label,youtube_id,time_start,time_end,split`).

    Args:
        csv_path: the CSV file (extra columns such as `is_cc` are ignored).
        video_dir: the folder of the clips, named by `kinetics_filename`,
            either flat or in one sub-folder per class name.
        label_set: the class order of the labels (`"kinetics400"` is the
            order of the I3D checkpoints).
        classes: an explicit list of class names instead of `label_set`.
        extension: the clips' file extension.

    Returns:
        A list of `VideoSample`.

    Raises:
        AnnotationError: missing columns or an unknown class name.
    """
    class_names = list(classes) if classes is not None else list(load_labels(label_set))
    index_of = {name: index for index, name in enumerate(class_names)}
    samples = []
    with open(csv_path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        required = {"label", "youtube_id", "time_start", "time_end"}
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise AnnotationError(
                f"{csv_path}: the header lacks the column(s) {sorted(missing)}; "
                "expected label,youtube_id,time_start,time_end,split"
            )
        for line_number, row in enumerate(reader, start=2):
            name = row["label"].strip()
            if name not in index_of:
                raise AnnotationError(f"{csv_path}, line {line_number}: unknown class {name!r}")
            try:
                filename = kinetics_filename(
                    row["youtube_id"], float(row["time_start"]), float(row["time_end"]), extension
                )
            except ValueError as error:
                raise AnnotationError(f"{csv_path}, line {line_number}: {error}") from None
            path = os.path.join(video_dir, name, filename)
            if not os.path.exists(path):
                path = os.path.join(video_dir, filename)
            samples.append(VideoSample(path, index_of[name], name))
    return samples


def _read_lines(path):
    with open(path, encoding="utf-8") as file:
        return [(number, line.strip()) for number, line in enumerate(file, 1) if line.strip()]


def read_ucf101_split(split_dir, video_dir, split=1, subset="train"):
    """Reads UCF101's `classInd.txt` and `trainlist0N.txt` / `testlist0N.txt`.

    Args:
        split_dir: the `ucfTrainTestlist` folder.
        video_dir: the folder holding `ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi` ...
        split: 1, 2 or 3.
        subset: `"train"` or `"test"`.

    Returns:
        A list of `VideoSample`; labels are `classInd.txt`'s indices minus 1.
    """
    if subset not in ("train", "test"):
        raise ValueError(f"`subset` must be 'train' or 'test'. Received: subset={subset!r}")
    class_file = os.path.join(split_dir, "classInd.txt")
    index_of = {}
    for number, line in _read_lines(class_file):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise AnnotationError(f"{class_file}, line {number}: expected 'INDEX NAME'")
        index_of[parts[1]] = int(parts[0]) - 1
    list_file = os.path.join(split_dir, f"{subset}list{split:02d}.txt")
    samples = []
    for number, line in _read_lines(list_file):
        relative = line.split()[0]
        name = relative.replace("\\", "/").split("/")[0]
        if name not in index_of:
            raise AnnotationError(f"{list_file}, line {number}: unknown class {name!r}")
        samples.append(VideoSample(os.path.join(video_dir, relative), index_of[name], name))
    return samples


HMDB_SUBSET_CODES = {"train": "1", "test": "2"}


def read_hmdb51_split(split_dir, video_dir, split=1, subset="train"):
    """Reads HMDB51's `<class>_test_split<N>.txt` files (1 = train, 2 = test).

    Args:
        split_dir: the folder of the 153 split files.
        video_dir: the folder holding `<class>/<video>.avi`.
        split: 1, 2 or 3.
        subset: `"train"` or `"test"`.

    Returns:
        A list of `VideoSample`; classes are numbered in alphabetical order.
    """
    if subset not in HMDB_SUBSET_CODES:
        raise ValueError(f"`subset` must be 'train' or 'test'. Received: subset={subset!r}")
    suffix = f"_test_split{split}.txt"
    split_files = sorted(name for name in os.listdir(split_dir) if name.endswith(suffix))
    if not split_files:
        raise AnnotationError(f"{split_dir}: no '*{suffix}' files")
    samples = []
    for label, split_file in enumerate(split_files):
        name = split_file[: -len(suffix)]
        path = os.path.join(split_dir, split_file)
        for number, line in _read_lines(path):
            parts = line.split()
            if len(parts) != 2 or parts[1] not in ("0", "1", "2"):
                raise AnnotationError(f"{path}, line {number}: expected 'VIDEO 0|1|2'")
            if parts[1] == HMDB_SUBSET_CODES[subset]:
                samples.append(VideoSample(os.path.join(video_dir, name, parts[0]), label, name))
    return samples


def read_class_folders(root, classes=None):
    """Reads a folder-per-class layout: `root/<class name>/<video>`.

    Args:
        root: the dataset folder.
        classes: the class names in label order; default: the sub-folders,
            sorted.

    Returns:
        A list of `VideoSample` (video files and image-folder videos).
    """
    if not os.path.isdir(root):
        raise AnnotationError(f"{root}: not a folder")
    class_names = (
        list(classes)
        if classes is not None
        else sorted(name for name in os.listdir(root) if os.path.isdir(os.path.join(root, name)))
    )
    samples = []
    for label, name in enumerate(class_names):
        class_dir = os.path.join(root, name)
        if not os.path.isdir(class_dir):
            raise AnnotationError(f"{class_dir}: the class folder is missing")
        for entry in sorted(os.listdir(class_dir)):
            path = os.path.join(class_dir, entry)
            if os.path.isdir(path) or entry.lower().endswith(VIDEO_EXTENSIONS):
                samples.append(VideoSample(path, label, name))
    return samples
