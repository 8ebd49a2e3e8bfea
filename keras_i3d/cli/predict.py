"""`keras-i3d predict VIDEO`: classify a video and print the top-k classes."""

import json
import sys

from keras_i3d.cli.errors import CLIError

DESCRIPTION = """\
Classify a video with pretrained I3D. The video is decoded at 25 fps, its
short side resized to 256 pixels (bilinear), centre-cropped to 224x224 and
scaled to [-1, 1]; the whole clip (or its first --frames frames) goes through
the network in one pass and the time-averaged logits give the classes.

With --two-stream, TV-L1 optical flow is computed from the same frames (1-2 s
per frame on one CPU core: bound it with --frames) and the flow I3D's logits
are added to the RGB I3D's (DeepMind's fusion). No pretrained flow stream is
distributed: pass a converted one with --flow-weights FILE."""


# No pretrained flow stream is distributed (weights/records.py says why), so
# --two-stream takes a converted file, and the errors say how to make one.
FLOW_WEIGHTS_ADVICE = (
    "no pretrained flow-stream weights are distributed. Convert DeepMind's "
    "flow checkpoint with `python weights_conversion/convert_deepmind_tf1.py "
    "--checkpoint .../flow_imagenet/model.ckpt --stream flow --out "
    "flow.weights.h5`, then pass --flow-weights flow.weights.h5"
)


def add_parser(subparsers):
    from keras_i3d.conventions import DEFAULT_TOP_K
    from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
    from keras_i3d.flow.methods import FLOW_METHODS

    parser = subparsers.add_parser(
        "predict", help="classify a video (top-k Kinetics classes)",
        description=DESCRIPTION,
    )
    parser.add_argument("video", help="video file, GIF or folder of frames")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP_K,
                        help="how many classes to print "
                             f"(default: {DEFAULT_TOP_K})")
    parser.add_argument("--frames", type=int, default=None,
                        help="use only the first N frames at 25 fps "
                             "(default: the whole video)")
    parser.add_argument("--weights", default="kinetics400",
                        help="weights alias, record name, file or hf:// "
                             "URI (default: kinetics400)")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON")
    parser.add_argument("--fast", action="store_true",
                        help="run a batch-norm-folded bfloat16 model "
                             "(about 2.5x faster on CPUs with AMX; logits "
                             "within about 0.2 of float32)")
    parser.add_argument("--two-stream", action="store_true",
                        help="also compute optical flow and fuse the flow "
                             "stream's logits (needs --flow-weights)")
    parser.add_argument("--flow-weights", default=None, metavar="FILE",
                        help="weights of the flow stream, required with "
                             "--two-stream: a converted flow.weights.h5 (no "
                             "pretrained flow stream is distributed), a "
                             "record name or hf:// URI")
    parser.add_argument("--flow-method", choices=tuple(FLOW_METHODS),
                        default=DEFAULT_FLOW_METHOD,
                        help="optical flow with --two-stream: tvl1 (the "
                             "checkpoints' convention, default) or "
                             "farneback (a fast approximation)")
    parser.set_defaults(func=run)


def run(args):
    if args.top < 1:
        raise CLIError(f"--top must be at least 1 (got {args.top})", 2)
    if args.frames is not None and args.frames < 1:
        raise CLIError(f"--frames must be at least 1 (got {args.frames})", 2)
    if args.fast and args.two_stream:
        raise CLIError("--fast applies to the RGB model only; drop it or "
                       "--two-stream", 2)
    if args.two_stream and args.flow_weights is None:
        raise CLIError(
            f"--two-stream needs --flow-weights FILE: {FLOW_WEIGHTS_ADVICE}", 2)
    if args.flow_weights is not None and not args.two_stream:
        raise CLIError("--flow-weights applies only with --two-stream; add "
                       "--two-stream or drop --flow-weights", 2)
    from keras_i3d.tasks import ClipTooShortError
    from keras_i3d.tasks import classify_video
    from keras_i3d.video import VideoReadError
    from keras_i3d.weights import WeightsFileError
    from keras_i3d.weights.records import MISSING_ALIASES

    if (args.flow_weights, "flow") in MISSING_ALIASES:
        raise CLIError(
            f"--flow-weights {args.flow_weights}: {FLOW_WEIGHTS_ADVICE}", 2)
    try:
        result = classify_video(
            args.video,
            stream="two_stream" if args.two_stream else "rgb",
            weights=args.weights,
            flow_weights=args.flow_weights,
            num_frames=args.frames,
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
