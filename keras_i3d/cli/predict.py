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
are added to the RGB I3D's (DeepMind's fusion)."""


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "predict", help="classify a video (top-k Kinetics classes)",
        description=DESCRIPTION,
    )
    parser.add_argument("video", help="video file, GIF or folder of frames")
    parser.add_argument("--top", type=int, default=5,
                        help="how many classes to print (default: 5)")
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
                             "stream's logits")
    parser.add_argument("--flow-weights", default="kinetics400",
                        help="weights of the flow stream with --two-stream "
                             "(default: kinetics400)")
    parser.add_argument("--flow-method", choices=("tvl1", "farneback"),
                        default="tvl1",
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
    from keras_i3d.inference import classify_video
    from keras_i3d.inference import ClipTooShortError
    from keras_i3d.video import VideoReadError
    from keras_i3d.weights import WeightsFileError

    try:
        if args.two_stream:
            result = _classify_two_stream(args)
        else:
            result = classify_video(
                args.video, weights=args.weights, num_frames=args.frames,
                top=args.top, fast=args.fast,
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


def _classify_two_stream(args):
    from keras_i3d.inference import VideoPrediction
    from keras_i3d.inference import rank_logits
    from keras_i3d.models.two_stream import TwoStreamI3D
    from keras_i3d.two_stream_video import predict_two_stream_video

    model = TwoStreamI3D(rgb_weights=args.weights,
                         flow_weights=args.flow_weights)
    outputs = predict_two_stream_video(
        args.video, model=model, num_frames=args.frames,
        flow_method=args.flow_method,
    )
    joint_logits = outputs["rgb_logits"] + outputs["flow_logits"]
    return VideoPrediction(video=str(args.video),
                           frames=outputs["num_frames"],
                           top=rank_logits(joint_logits[0], args.top))
