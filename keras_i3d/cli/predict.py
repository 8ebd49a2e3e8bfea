"""`keras-i3d predict VIDEO`: classify a video and print the top-k classes."""

import json
import sys

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError

DESCRIPTION = """\
Classify a video with pretrained I3D. The video is decoded at 25 fps, its
short side resized to 256 pixels (bilinear), centre-cropped to 224x224 and
scaled to [-1, 1]. It goes through the network in clips of 250 frames (10 s,
a Kinetics clip, which runs whole in one pass); a longer video is covered by
consecutive clips whose logits are averaged, decoded while the network runs,
so memory does not grow with its length. --whole-video runs every frame in
one pass instead (at most 500 frames). The network is the fused float32 I3D
(logits within 1e-4 of the reference graph; --no-fuse runs the reference).

It runs on ONNX Runtime or on TensorFlow (--engine). ONNX Runtime starts
without importing TensorFlow, about 3 s sooner; TensorFlow runs each 10 s
clip 0.3-0.5 s faster on this project's CPU. --engine auto (the default) takes
ONNX Runtime for videos of up to 60 s and TensorFlow for longer ones, for
--no-fuse, --precision mixed_bfloat16 and two streams. The first ONNX
Runtime run converts the network once (with TensorFlow, about 15 s, checked
against the reference graph) into $KERAS_I3D_HOME/model_cache.

With --stream two_stream, TV-L1 optical flow is computed from the same frames
(1-2 s per frame on one CPU core: bound it with --max-frames) and the flow
I3D's logits are added to the RGB I3D's (DeepMind's fusion); both streams run
fused, as the RGB I3D does (--no-fuse, --precision apply to both). No
pretrained flow stream is distributed: pass a converted one with
--flow-weights FILE."""


# --engine: "auto" picks ONNX Runtime for videos of at most this many clips
# of PREDICT_CLIP_LENGTH frames (60 s at 25 fps), TensorFlow beyond. On this
# project's 2-core CPU ONNX Runtime answers 2.6-2.9 s sooner (no TensorFlow
# import) but runs a 250-frame clip 0.3-0.5 s slower (5.1-5.3 s against
# 4.8-5.0 s; benchmarks/predict_engines.py, docs/inference.md), so the two
# break even near 8 clips.
AUTO_ONNXRUNTIME_MAX_CLIPS = 6
PREDICT_ENGINES = ("auto", "tensorflow", "onnxruntime")

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
    from keras_i3d.tasks.classify import MAX_WHOLE_VIDEO_FRAMES
    from keras_i3d.tasks.classify import PREDICT_CLIP_LENGTH

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
    options.add_clip_length_option(
        parser,
        default_help=f"{PREDICT_CLIP_LENGTH}, 10 s at 25 fps; the logits of a "
        "longer video's clips are averaged",
    )
    parser.add_argument(
        "--whole-video",
        action="store_true",
        help=f"run every frame in one pass, fully convolutional in time (at most "
        f"{MAX_WHOLE_VIDEO_FRAMES} frames: memory grows with the frames)",
    )
    options.add_inference_graph_options(parser)
    parser.add_argument(
        "--no-model-cache",
        dest="model_cache",
        action="store_false",
        help="build the network from the weights file instead of loading the copy that "
        "an earlier run kept in $KERAS_I3D_HOME/model_cache (same logits; the copy is "
        "rebuilt when the weights file or keras-i3d changes)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print the time of each phase (start-up, build, decode, model ...) to stderr",
    )
    parser.add_argument(
        "--engine",
        choices=PREDICT_ENGINES,
        default="auto",
        help="what runs the network (default: auto, ONNX Runtime for videos of up to "
        f"{AUTO_ONNXRUNTIME_MAX_CLIPS * PREDICT_CLIP_LENGTH // 25} s, TensorFlow otherwise; "
        "see the description)",
    )
    options.add_stream_option(parser, choices=CLASSIFY_STREAMS)
    options.add_flow_weights_option(parser)
    options.add_flow_method_option(parser)
    # It leaves nothing open: the process ends without TensorFlow's teardown.
    # It imports TensorFlow itself, only when the engine needs it.
    parser.set_defaults(func=run, exit_at_once=True, tensorflow_at_start=False)


def run(args):
    if args.top < 1:
        raise CLIError(f"--top must be at least 1 (got {args.top})", 2)
    two_stream = args.stream == "two_stream"
    if args.precision != "float32" and not args.fused:
        raise CLIError(f"--precision {args.precision} runs the fused graph; drop --no-fuse", 2)
    if args.whole_video and args.clip_length is not None:
        raise CLIError("--whole-video runs one clip of every frame; drop --clip-length", 2)
    if two_stream and args.flow_weights is None:
        raise CLIError(f"--stream two_stream needs --flow-weights FILE: {FLOW_WEIGHTS_ADVICE}", 2)
    if args.flow_weights is not None and not two_stream:
        raise CLIError(
            "--flow-weights applies only with --stream two_stream; add it or drop --flow-weights", 2
        )
    if args.engine == "onnxruntime":
        _check_onnxruntime_arguments(args)
    from keras_i3d.tasks import ClipTooShortError
    from keras_i3d.tasks import classify_video
    from keras_i3d.tasks.classify import PREDICT_CLIP_LENGTH
    from keras_i3d.tasks.classify import InferenceProfile
    from keras_i3d.video import VideoReadError
    from keras_i3d.weights import WeightsFileError
    from keras_i3d.weights.records import MISSING_ALIASES

    if (args.flow_weights, "flow") in MISSING_ALIASES:
        raise CLIError(f"--flow-weights {args.flow_weights}: {FLOW_WEIGHTS_ADVICE}", 2)
    profile = InferenceProfile()
    if args.profile:
        profile.add("start-up (Python, imports)", _seconds_since_process_start())
    clip_length = args.clip_length or PREDICT_CLIP_LENGTH
    engine, why = _choose_engine(args, clip_length)
    try:
        _import_tensorflow_if_needed(engine, args, profile)
        result = classify_video(
            args.video,
            stream=args.stream,
            weights=args.weights,
            flow_weights=args.flow_weights,
            num_frames=args.max_frames,
            clip_length=None if args.whole_video else clip_length,
            top=args.top,
            fused=args.fused,
            precision=args.precision,
            flow_method=args.flow_method,
            profile=profile,
            model_cache=args.model_cache,
            engine=engine,
        )
    except (VideoReadError, ClipTooShortError, WeightsFileError) as error:
        raise CLIError(str(error)) from None
    except ImportError as error:
        # OnnxRuntimeUnavailableError: --engine onnxruntime without it.
        raise CLIError(str(error)) from None
    except ValueError as error:
        # Unknown weights names and similar argument errors.
        raise CLIError(str(error)) from None
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(result.format_table())
    if args.profile:
        _print_profile(profile, engine, why)
    return 0


def _check_onnxruntime_arguments(args):
    """--engine onnxruntime runs the fused float32 RGB I3D only."""
    option = _option_onnxruntime_cannot_run(args)
    if option is not None:
        raise CLIError(
            f"--engine onnxruntime runs the fused float32 RGB I3D only; drop {option} "
            "or use --engine tensorflow",
            2,
        )


def _option_onnxruntime_cannot_run(args):
    """The first option ONNX Runtime cannot run (`--no-fuse`, ...), or None."""
    from keras_i3d.tasks.classify import onnxruntime_unsupported

    unsupported = onnxruntime_unsupported(args.stream, args.fused, args.precision)
    if unsupported is None:
        return None
    name, value = unsupported
    return {"stream": f"--stream {value}", "fused": "--no-fuse"}.get(name, f"--{name} {value}")


def _choose_engine(args, clip_length):
    """`(engine, why)`: what runs the network, and why (for --profile)."""
    if args.engine != "auto":
        return args.engine, "--engine"
    from keras_i3d.tasks.onnx_classifier import CONVERSION_MODULES
    from keras_i3d.tasks.onnx_classifier import missing_modules

    if _option_onnxruntime_cannot_run(args) is not None:
        return "tensorflow", "auto: ONNX Runtime runs the fused float32 RGB I3D only"
    if not args.model_cache:
        return "tensorflow", "auto: --no-model-cache (ONNX Runtime would convert each run)"
    # The conversion's modules include the runtime's.
    missing = missing_modules(CONVERSION_MODULES)
    if missing:
        return "tensorflow", f"auto: {', '.join(missing)} not installed"
    frames = _expected_frames(args.video, args.max_frames)
    clips = 1 if args.whole_video else -(-frames // clip_length)
    if clips > AUTO_ONNXRUNTIME_MAX_CLIPS:
        return "tensorflow", (
            f"auto: about {clips} clips; TensorFlow runs each faster "
            f"(ONNX Runtime up to {AUTO_ONNXRUNTIME_MAX_CLIPS})"
        )
    return "onnxruntime", f"auto: about {clips} clip(s), ONNX Runtime starts sooner"


def _expected_frames(video, max_frames):
    """The frames predict will read, from the container's metadata (0 when
    it does not say or cannot be read: the reading reports that)."""
    from keras_i3d.video import VideoReadError
    from keras_i3d.video import count_frames

    try:
        frames = count_frames(video)
    except VideoReadError:
        frames = 0
    return frames if max_frames is None else min(frames, max_frames)


def _import_tensorflow_if_needed(engine, args, profile):
    """Imports TensorFlow quietly for the TensorFlow engine, or to convert
    the network for ONNX Runtime the first time (which it says on stderr)."""
    import time

    from keras_i3d.cli.main import quiet_tensorflow

    started = time.perf_counter()
    if engine == "onnxruntime":
        from keras_i3d.tasks.onnx_classifier import onnx_graph_is_cached
        from keras_i3d.weights.model_cache import model_cache_dir

        if args.model_cache and onnx_graph_is_cached(args.weights):
            return
        where = model_cache_dir() if args.model_cache else "a temporary folder"
        print(
            "keras-i3d predict: converting I3D to ONNX for ONNX Runtime (about 15 s), "
            f"once, into {where}",
            file=sys.stderr,
        )
    quiet_tensorflow()
    profile.add("import TensorFlow", time.perf_counter() - started)


def _seconds_since_process_start():
    """Wall seconds since this process started (Linux), else 0."""
    import os

    try:
        with open("/proc/self/stat") as stat:
            # Field 22, after the parenthesised command name: start time in
            # clock ticks since boot.
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as uptime:
            uptime_seconds = float(uptime.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime_seconds - started_ticks / os.sysconf("SC_CLK_TCK"))


def _print_profile(profile, engine, why):
    """The engine, the phases and the total on stderr (decoding overlaps the others)."""
    sys.stdout.flush()
    lines = profile.format_lines()
    total = _seconds_since_process_start()
    print(f"engine: {engine} ({why})", file=sys.stderr)
    print("profile (decode runs in a thread, beside the other phases):", file=sys.stderr)
    print("\n".join(lines), file=sys.stderr)
    print(f"{'total (process wall time)':>24}: {total:7.2f} s", file=sys.stderr)
