"""`keras-i3d evaluate`: accuracy of a model on a folder-per-class dataset.

```
keras-i3d evaluate DATA_DIR [--model FILE.keras | --weights kinetics400]
    [--labels kinetics400] [--clip-frames 64 --clips 10] [--crops 3]
    [--flip] [--output-dir results/]
```

`DATA_DIR/<class name>/<video>` (the UCF101 / HMDB51 / Kinetics layout).
Each video is decoded at its own frame rate, its short side resized, and
scored as in the paper: whole video, convolutionally in time (default), or
the average of `--clips` clips x `--crops` crops. It prints top-1, top-5
and mean per-class accuracy, writes `metrics.json`, `confusion_matrix.png`
and `per_class_accuracy.png` to `--output-dir`, and lists the videos it
skipped (unreadable or too small) with the reason.
"""

import json
import os

from keras_i3d.cli.main import CLIError
from keras_i3d.conventions import CROP_SIZE
from keras_i3d.conventions import RESIZE_SHORT_SIDE

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg",
                    ".mpeg")


class VideoReadError(ValueError):
    """A video file cannot be decoded."""


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="Top-1/top-5 and per-class accuracy on a folder-per-class "
        "dataset, with confusion-matrix plots.",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "data_dir",
        help="Dataset folder with one sub-folder of videos per class; the "
        "sub-folder names are the class names.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--model",
        help="A saved Keras model (.keras) to evaluate, e.g. the output of "
        "examples/finetune.py. It must return logits unless "
        "--probabilities is given.",
    )
    source.add_argument(
        "--weights",
        default="kinetics400",
        help="Weights of an RGB I3D to evaluate when --model is not given: "
        "a weights name, a .weights.h5 file, or 'hf://owner/repo' "
        "(default: kinetics400).",
    )
    parser.add_argument(
        "--labels",
        help="Label set of the model's outputs (e.g. kinetics400): each "
        "class folder must be named after one of its labels. Without it, "
        "class i is the i-th class folder in sorted order.",
    )
    parser.add_argument(
        "--probabilities",
        action="store_true",
        help="The --model returns probabilities, not logits.",
    )
    parser.add_argument(
        "--clip-frames", type=int, default=None,
        help="Frames per clip; default: the whole video in one pass "
        "(convolutional in time, as in the paper).",
    )
    parser.add_argument(
        "--clips", type=int, default=1,
        help="Evenly spaced clips per video, with --clip-frames (default 1).",
    )
    parser.add_argument(
        "--crops", type=int, default=1, choices=(1, 3, 5),
        help="Spatial crops per clip: 1 centre, 3 along the long side, 5 "
        "corners and centre (default 1).",
    )
    parser.add_argument(
        "--flip", action="store_true",
        help="Also score the horizontally flipped views.",
    )
    parser.add_argument(
        "--resize", type=int, default=RESIZE_SHORT_SIDE,
        help=f"Short side in pixels frames are resized to (default "
        f"{RESIZE_SHORT_SIDE}).",
    )
    parser.add_argument(
        "--crop-size", type=int, default=CROP_SIZE,
        help=f"Crop side in pixels (default {CROP_SIZE}).",
    )
    parser.add_argument(
        "--output-dir", default="evaluation",
        help="Folder for metrics.json and the PNG plots "
        "(default: ./evaluation).",
    )
    parser.set_defaults(func=run)


def list_video_folder(root):
    """Returns `(class_names, [(path, class_index), ...])` of a dataset."""
    if not os.path.isdir(root):
        raise CLIError(f"{root}: not a folder.")
    class_names = sorted(
        name for name in os.listdir(root)
        if os.path.isdir(os.path.join(root, name))
    )
    videos = []
    for index, name in enumerate(class_names):
        folder = os.path.join(root, name)
        for file_name in sorted(os.listdir(folder)):
            if file_name.lower().endswith(VIDEO_EXTENSIONS):
                videos.append((os.path.join(folder, file_name), index))
    if not videos:
        raise CLIError(
            f"{root}: no videos found; expected one sub-folder per class "
            f"holding {', '.join(VIDEO_EXTENSIONS)} files."
        )
    return class_names, videos


def read_video(path, short_side):
    """Decodes a video's frames as uint8 RGB, short side resized.

    Returns:
        A `(frames, height, width, 3)` uint8 array.

    Raises:
        VideoReadError: naming the file, if it cannot be decoded or holds no
            video frames.
    """
    import av
    import cv2
    import numpy as np

    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise VideoReadError(f"{path}: the file has no video stream.")
            frames = [
                frame.to_ndarray(format="rgb24")
                for frame in container.decode(video=0)
            ]
    except av.error.FFmpegError as error:
        raise VideoReadError(f"{path}: cannot decode: {error}") from None
    if not frames:
        raise VideoReadError(f"{path}: the video has no frames.")
    height, width = frames[0].shape[:2]
    scale = short_side / min(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != (width, height):
        frames = [cv2.resize(f, size, interpolation=cv2.INTER_LINEAR)
                  for f in frames]
    return np.stack(frames)


def _label_indices(class_names, label_set):
    from keras_i3d import load_labels

    try:
        labels = load_labels(label_set)
    except ValueError as error:
        raise CLIError(str(error)) from None
    index = {name: i for i, name in enumerate(labels)}
    unknown = [name for name in class_names if name not in index]
    if unknown:
        raise CLIError(
            f"class folders not in the {label_set} labels: "
            f"{', '.join(unknown[:10])}"
        )
    return list(labels), [index[name] for name in class_names]


def _load_model(args, classes):
    import keras

    if args.model:
        if not os.path.isfile(args.model):
            raise CLIError(f"{args.model}: no such model file.")
        try:
            return keras.saving.load_model(args.model)
        except (ValueError, OSError) as error:
            raise CLIError(f"{args.model}: cannot load: {error}") from None
    from keras_i3d import I3D

    try:
        return I3D(
            stream="rgb",
            weights=args.weights,
            input_shape=(None, None, None, 3),
            classes=classes,
            classifier_activation=None,
        )
    except (ValueError, OSError, ImportError) as error:
        raise CLIError(f"cannot build I3D with --weights "
                       f"{args.weights}: {error}") from None


def run(args):
    from keras_i3d.preprocessing import preprocess_rgb
    from keras_i3d.training.evaluation import evaluate_videos

    folder_names, videos = list_video_folder(args.data_dir)
    class_names = folder_names
    label_of_folder = list(range(len(folder_names)))
    if args.labels:
        class_names, label_of_folder = _label_indices(folder_names,
                                                      args.labels)
    model = _load_model(args, len(class_names))

    def loader(path, folder_index):
        def load():
            frames = read_video(path, args.resize)
            return preprocess_rgb(frames), label_of_folder[folder_index]

        return load

    items = [(path, loader(path, index)) for path, index in videos]
    try:
        result = evaluate_videos(
            model, items, class_names, crop_size=args.crop_size,
            clip_frames=args.clip_frames, num_clips=args.clips,
            num_crops=args.crops, flip=args.flip,
            from_logits=not args.probabilities, progress=True,
        )
    except ValueError as error:
        raise CLIError(str(error)) from None
    os.makedirs(args.output_dir, exist_ok=True)
    summary = result.summary()
    metrics_path = os.path.join(args.output_dir, "metrics.json")
    with open(metrics_path, "w") as file:
        json.dump(summary, file, indent=2)
    plots = result.save_plots(args.output_dir)
    print(f"videos evaluated: {summary['videos']} "
          f"(skipped: {summary['skipped']})")
    print(f"top-1 accuracy: {summary['top1']:.4f}")
    print(f"top-5 accuracy: {summary['top5']:.4f}")
    print(f"mean class accuracy: {summary['mean_class_accuracy']:.4f}")
    for name, reason in result.skipped:
        print(f"skipped {name}: {reason}")
    print(f"wrote {metrics_path}, {', '.join(plots)}")
    return 0
