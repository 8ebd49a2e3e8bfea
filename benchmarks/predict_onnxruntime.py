"""End to end without TensorFlow: how soon predict could answer on ONNX Runtime.

`keras-i3d predict` ends 4.0-4.9 s after its model's time, 2.4-2.6 s of it
importing TensorFlow and Keras (docs/inference.md). This measures the same
work in a process that never imports TensorFlow: OpenCV decodes the video in
a thread (25 fps, centre 224 crop of the 256-pixel short side, as predict
does; the video must already have that short side, as the bundled sample
has) while `onnxruntime` is imported and the session is made from the fused
graph that `keras-i3d export` writes (preprocessing inside), then the whole
clip runs once, and once more for the model's time after its first call.

    keras-i3d export kinetics400 --format onnx --out i3d_rgb.onnx
    python benchmarks/predict_onnxruntime.py i3d_rgb.onnx [--video VIDEO] [--runs 3]

Each run is a fresh process (`--runs` of them, in turn); the table gives each
phase and how long after the model's time the answer came.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "arm_wrestling.mp4"
CROP = 224
FPS = 25


def one_run(onnx_path, video_path):
    """Runs in a fresh process: the phases' seconds and the top class."""
    started = time.perf_counter()
    import threading

    import cv2
    import numpy as np

    clips = []

    def decode():
        capture = cv2.VideoCapture(str(video_path), cv2.CAP_FFMPEG)
        source_fps = capture.get(cv2.CAP_PROP_FPS)
        frames = []
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        capture.release()
        count = int(len(frames) / source_fps * FPS + 1e-6)
        picked = np.floor(np.arange(count) * source_fps / FPS + 1e-6).astype(int)
        video = np.stack([frames[i] for i in picked])
        top = (video.shape[1] - CROP) // 2
        left = (video.shape[2] - CROP) // 2
        clips.append(video[:, top : top + CROP, left : left + CROP])

    decoder = threading.Thread(target=decode)
    decoder.start()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    ready = time.perf_counter()
    decoder.join()
    decoded = time.perf_counter()
    logits = session.run(["logits"], {"frames": clips[0][None]})[0][0]
    answered = time.perf_counter()
    session.run(["logits"], {"frames": clips[0][None]})
    again = time.perf_counter()
    return {
        "seconds": {
            "start-up, import, session": ready - started,
            "wait for frames": decoded - ready,
            "first run": answered - decoded,
            "answer after": answered - started,
            "model (second run)": again - answered,
        },
        "tensorflow imported": "tensorflow" in sys.modules,
        "frames": int(clips[0].shape[0]),
        "top class": int(np.argmax(logits)),
        "top logit": round(float(np.max(logits)), 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "onnx", type=pathlib.Path, help="the file `keras-i3d export --format onnx` wrote"
    )
    parser.add_argument("--video", type=pathlib.Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.onnx, args.video)))
        return
    import os

    print(f"load average before: {os.getloadavg()}")
    for _ in range(args.runs):
        output = subprocess.run(
            [sys.executable, __file__, str(args.onnx), "--video", str(args.video), "--child"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        run = json.loads(output.strip().splitlines()[-1])
        seconds = run.pop("seconds")
        over = seconds["answer after"] - seconds["model (second run)"]
        phases = "  ".join(f"{name} {value:.2f} s" for name, value in seconds.items())
        facts = "  ".join(f"{name} {value}" for name, value in run.items())
        print(f"{phases}  {facts}  => answer {over:.2f} s after the model's time")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
