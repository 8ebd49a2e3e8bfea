"""int8 I3D on ONNX Runtime: static quantization of the fused graph, timed against float32.

Issue 12 lists int8 as an idea to measure. This quantizes the fused float32
graph that `keras-i3d export` writes with ONNX Runtime's static quantization
(QDQ format, int8 weights per output channel, uint8 activations, the
convolutions only), calibrated on four 32-frame windows of the bundled
sample, then runs both graphs on the sample's 250-frame clip (centre crop,
as `keras-i3d predict` decodes it) and prints the seconds per clip (the
median of `--runs` runs after one warm-up), the top-5 classes and the
largest logit difference.

    keras-i3d export kinetics400 --format onnx --out i3d_rgb.onnx
    python benchmarks/int8_onnxruntime.py i3d_rgb.onnx [--runs 3]

Calibrating on the clip it is then measured on flatters the int8 graph's
logits; the speed does not depend on it.
"""

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"
CALIBRATION_STARTS = (0, 64, 128, 192)
CALIBRATION_FRAMES = 32


def sample_clip():
    """The sample's 250 frames, short side 256, centre 224 crop: `(1, 250, 224, 224, 3)` uint8."""
    from keras_i3d.conventions import CROP_SIZE
    from keras_i3d.conventions import center_crop_offsets
    from keras_i3d.video import read_video

    frames = read_video(SAMPLE, short_side=256).frames
    top, left = center_crop_offsets(*frames.shape[1:3])
    return frames[None, :, top : top + CROP_SIZE, left : left + CROP_SIZE]


def quantize(float_path, int8_path, clip):
    """Writes the statically quantized graph of `float_path` to `int8_path`."""
    from onnxruntime import quantization

    class Windows(quantization.CalibrationDataReader):
        def __init__(self):
            self._windows = iter(
                {"frames": clip[:, start : start + CALIBRATION_FRAMES]}
                for start in CALIBRATION_STARTS
            )

        def get_next(self):
            return next(self._windows, None)

    with tempfile.TemporaryDirectory() as temporary:
        prepared = pathlib.Path(temporary) / "prepared.onnx"
        quantization.shape_inference.quant_pre_process(
            str(float_path), str(prepared), skip_symbolic_shape=True
        )
        quantization.quantize_static(
            str(prepared),
            str(int8_path),
            Windows(),
            quant_format=quantization.QuantFormat.QDQ,
            per_channel=True,
            activation_type=quantization.QuantType.QUInt8,
            weight_type=quantization.QuantType.QInt8,
            op_types_to_quantize=["Conv"],
        )


def timed(path, clip, runs):
    """(median seconds per clip, logits) of the graph at `path` on `clip`."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    logits = session.run(["logits"], {"frames": clip})[0][0]  # warm-up
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        session.run(["logits"], {"frames": clip})
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), logits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onnx", type=pathlib.Path, help="the file `keras-i3d export` wrote")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.argv[0] = "keras-i3d"  # `import keras_i3d` then imports no TensorFlow.
    import numpy as np

    from keras_i3d.labels import load_labels

    clip = sample_clip()
    labels = load_labels("kinetics400")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as temporary:
        int8_path = pathlib.Path(temporary) / "i3d_int8.onnx"
        started = time.perf_counter()
        quantize(args.onnx, int8_path, clip)
        print(f"quantized in {time.perf_counter() - started:.1f} s")
        results = {
            name: timed(path, clip, args.runs)
            for name, path in (("float32", args.onnx), ("int8", int8_path))
        }
    print(f"load average after: {os.getloadavg()}")
    reference = results["float32"][1]
    for name, (seconds, logits) in results.items():
        top5 = np.argsort(-logits)[:5]
        print(
            f"{name:>8}: {seconds:5.2f} s per 250-frame clip "
            f"({results['float32'][0] / seconds:.2f}x float32), top-5 "
            f"{[labels[i] for i in top5]}, max |logit diff| "
            f"{np.max(np.abs(logits - reference)):.3f}"
        )


if __name__ == "__main__":
    main()
