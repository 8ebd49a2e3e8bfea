"""`keras-i3d export WEIGHTS_OR_MODEL`: SavedModel, ONNX or LiteRT, checked."""

import argparse

from keras_i3d.cli import options
from keras_i3d.cli.errors import EXIT_USAGE
from keras_i3d.cli.errors import CLIError

DESCRIPTION = """\
Export one I3D stream for serving outside Python Keras. The exported model
takes frames already cropped to 224x224, `frames` = uint8 RGB [batch, frames,
224, 224, 3] (or, with --stream flow, float32 flow in pixels [batch, frames,
224, 224, 2]), does keras-i3d's preprocessing inside (RGB x/127.5-1; flow
clipped to +-20 px, /20) and returns {"logits", "probabilities"}
[batch, classes].

Formats: savedmodel (a folder, serve endpoint; batch and frames dynamic),
onnx (a .onnx file through tf2onnx; batch and frames dynamic), tflite (a
.tflite file for LiteRT, builtin ops only, the 3D pools computed as 2D pools;
its shape is fixed to [1, --clip-length, 224, 224, C]). LiteRT needs the
optional extra: pip install "keras-i3d[export]".

After writing, the export is run back (TensorFlow, ONNX Runtime, the
ai_edge_litert interpreter) on the first --clip-length frames of a real video
(default: the repository's examples/data/arm_wrestling.mp4; flow computed
with Farneback) and its logits are compared with the Keras model's. The
numbers are printed; the export is kept at --out only if the largest logit
difference is at most 1e-4 and the top class agrees, else the command exits 1.

TF.js is not supported: its converter rejects .keras files and depends on
tf-keras (Keras 2). Use the ONNX export (onnxruntime-web) or the SavedModel."""


def add_parser(subparsers):
    from keras_i3d.conventions import STREAMS
    from keras_i3d.export.choices import DEFAULT_CLIP_LENGTH
    from keras_i3d.export.choices import FORMATS

    parser = subparsers.add_parser(
        "export",
        help="export a model to SavedModel, ONNX or LiteRT (checked against Keras)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "model",
        metavar="WEIGHTS_OR_MODEL",
        help="weights as I3D(weights=...) takes them (alias such as "
        "kinetics400, record name, weights file or hf:// URI), or a "
        ".keras model file",
    )
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="savedmodel (folder), onnx or tflite (file)",
    )
    options.add_out_option(
        parser, what="path: a folder (savedmodel) or a file (.onnx, .tflite)", metavar="PATH"
    )
    options.add_clip_length_option(
        parser,
        default_help=f"{DEFAULT_CLIP_LENGTH}: the check clip, and "
        "the fixed clip length of a tflite export",
    )
    options.add_stream_option(parser, choices=STREAMS)
    parser.add_argument(
        "--check-video",
        default=None,
        metavar="VIDEO",
        help="the video to check the export on (default: "
        "examples/data/arm_wrestling.mp4 of the "
        "source tree)",
    )
    options.add_overwrite_option(parser, default_help="refuse an existing --out")
    options.add_no_fuse_option(parser)
    parser.set_defaults(func=run)


def load_model(source, stream):
    """The model to export, and its stream.

    Args:
        source: a `.keras` file, or anything `I3D(weights=...)` accepts.
        stream: the stream asked for, or None.

    Returns:
        `(model, stream)`.

    Raises:
        CLIError: the model cannot be loaded, or is of the other stream.
    """
    if source.endswith(".keras"):
        import pathlib

        import keras

        import keras_i3d.layers  # noqa: F401 (registers keras-i3d layers)
        from keras_i3d.export.serving import stream_of

        if not pathlib.Path(source).is_file():
            raise CLIError(f"{source}: no such .keras file")
        try:
            model = keras.saving.load_model(source)
            model_stream = stream_of(model)
        except ValueError as error:
            raise CLIError(f"{source}: {error}") from None
        if stream != model_stream:
            raise CLIError(
                f"{source} is a {model_stream}-stream model; pass --stream {model_stream}",
                EXIT_USAGE,
            )
        return model, model_stream
    from keras_i3d.models.i3d import I3D
    from keras_i3d.weights import WeightsFileError
    from keras_i3d.weights.resolving import resolve_weights

    try:
        # The head gets the checkpoint's class count (400 by default).
        classes = resolve_weights(source, stream, classes=400).classes
        model = I3D(stream=stream, weights=source, classes=classes, classifier_activation=None)
    except (WeightsFileError, ValueError) as error:
        raise CLIError(str(error)) from None
    return model, stream


def run(args):
    from keras_i3d.export.choices import DEFAULT_CLIP_LENGTH

    if args.clip_length is None:
        args.clip_length = DEFAULT_CLIP_LENGTH
    from keras_i3d.export.choices import check_path

    try:
        check_path(args.out, args.format)
    except ValueError as error:
        raise CLIError(f"--out: {error}", EXIT_USAGE) from None
    from keras_i3d.export.check_clip import load_check_clip
    from keras_i3d.export.dependencies import MissingExportDependencyError
    from keras_i3d.export.dependencies import check_dependencies
    from keras_i3d.export.formats import ExportError
    from keras_i3d.export.formats import ExportParityError
    from keras_i3d.export.formats import export_model
    from keras_i3d.export.serving import frame_size
    from keras_i3d.video import VideoReadError

    try:
        check_dependencies(args.format)
    except MissingExportDependencyError as error:
        raise CLIError(str(error)) from None
    model, stream = load_model(args.model, args.stream)
    height, width = frame_size(model)
    if height != width:
        raise CLIError(
            f"{args.model}: the check crops square frames; the model takes {height}x{width}"
        )
    try:
        clip = load_check_clip(stream, args.clip_length, args.check_video, crop_size=height)
    except (FileNotFoundError, VideoReadError, ValueError) as error:
        raise CLIError(f"{error} (--check-video)") from None
    try:
        report = export_model(
            model, args.out, args.format, clip, overwrite=args.overwrite, fused=args.fused
        )
    except ExportParityError as error:
        print("\n".join(error.report.format_lines()))
        raise CLIError(str(error)) from None
    except FileExistsError:
        raise CLIError(f"{args.out} exists; pass --overwrite to replace it") from None
    except (ExportError, ValueError) as error:
        raise CLIError(str(error)) from None
    print("\n".join(report.format_lines()))
    return 0
