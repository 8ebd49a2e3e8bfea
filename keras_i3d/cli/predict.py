"""`keras-i3d predict VIDEO`: classify a video and print the top-k classes."""

import json
import sys

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError

DESCRIPTION = """\
Classify a video with pretrained I3D. The video is decoded at 25 fps, its
short side resized to 256 pixels (bilinear), centre-cropped to 224x224 and
scaled to [-1, 1]; the whole clip (or its first --max-frames frames) goes
through the network in one pass and the time-averaged logits give the classes.

With --stream two_stream, TV-L1 optical flow is computed from the same frames
(1-2 s per frame on one CPU core: bound it with --max-frames) and the flow
I3D's logits are added to the RGB I3D's (DeepMind's fusion). No pretrained
flow stream is distributed: pass a converted one with --flow-weights FILE."""


# No pretrained flow stream is distributed (weights/records.py says why), so
# --stream two_stream takes a converted file, and the errors say how to make one.
FLOW_WEIGHTS_ADVICE = (
    "no pretrained flow-stream weights are distributed. Convert DeepMind's "
    "flow checkpoint with `python weights_conversion/convert_deepmind_tf1.py "
    "--checkpoint .../flow_imagenet/model.ckpt --stream flow --out "
    "flow.weights.h5`, then pass --flow-weights flow.weights.h5"
)


def add_parser(subparsers):
    from keras_i3d.conventions import DEFAULT_TOP_K
    from keras_i3d.tasks.classify import CLASSIFY_STREAMS

    parser = subparsers.add_parser(
        "predict",
        help="classify a video (top-k Kinetics classes)",
        description=DESCRIPTION,
    )
    parser.add_argument("video", help="video file, GIF or folder of frames")
    parser.add_argument(
        "--top",
        type=int,
        default=DEFAULT_TOP_K,
        help=f"how many classes to print (default: {DEFAULT_TOP_K})",
    )
    options.add_max_frames_option(parser)
    options.add_weights_option(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="run a batch-norm-folded bfloat16 model "
        "(about 2.5x faster on CPUs with AMX; logits "
        "within about 0.2 of float32)",
    )
    options.add_stream_option(parser, choices=CLASSIFY_STREAMS)
    options.add_flow_weights_option(parser)
    options.add_flow_method_option(parser)
    parser.set_defaults(func=run)


def run(args):
    if args.top < 1:
        raise CLIError(f"--top must be at least 1 (got {args.top})", 2)
    two_stream = args.stream == "two_stream"
    if args.fast and two_stream:
        raise CLIError("--fast applies to the RGB model only; drop it or --stream two_stream", 2)
    if two_stream and args.flow_weights is None:
        raise CLIError(f"--stream two_stream needs --flow-weights FILE: {FLOW_WEIGHTS_ADVICE}", 2)
    if args.flow_weights is not None and not two_stream:
        raise CLIError(
            "--flow-weights applies only with --stream two_stream; add it or drop --flow-weights", 2
        )
    from keras_i3d.tasks import ClipTooShortError
    from keras_i3d.tasks import classify_video
    from keras_i3d.video import VideoReadError
    from keras_i3d.weights import WeightsFileError
    from keras_i3d.weights.records import MISSING_ALIASES

    if (args.flow_weights, "flow") in MISSING_ALIASES:
        raise CLIError(f"--flow-weights {args.flow_weights}: {FLOW_WEIGHTS_ADVICE}", 2)
    try:
        result = classify_video(
            args.video,
            stream=args.stream,
            weights=args.weights,
            flow_weights=args.flow_weights,
            num_frames=args.max_frames,
            top=args.top,
            fast=args.fast,
            flow_method=args.flow_method,
        )
    except (VideoReadError, ClipTooShortError, WeightsFileError) as error:
        raise CLIError(str(error)) from None
    except ValueError as error:
        # Unknown weights names and similar argument errors.
        raise CLIError(str(error)) from None
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(result.format_table())
    return 0
