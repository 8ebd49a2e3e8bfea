"""Writes tfgan_golden.json: tfgan's FVD distance on seeded activations.

Run once, outside the test suite, with tfgan's `classifier_metrics` module
loaded on its own (the `tensorflow_gan` package `__init__` fails on
TF 2.21, the module itself works):

    pip install --target /tmp/tfgan_env --no-deps tensorflow-gan==2.1.0 \\
        tensorflow-probability==0.25.0 "tf-keras>=2.21,<2.22" dm-tree \\
        cloudpickle decorator attrs
    PYTHONPATH=. python tests/tasks/fvd/tfgan_golden.py /tmp/tfgan_env

The activations come from `fvd_activations` (seeded numpy), so the test
regenerates them instead of storing megabytes of floats.
"""

import importlib.util
import json
import os
import sys
import types

import numpy as np

GOLDEN_PATH = os.path.join(os.path.dirname(__file__), "tfgan_golden.json")
SAMPLE_SIZES = (16, 256, 2048)
DIMENSION = 400


def fvd_activations(num_videos, seed):
    """Seeded float32 `(real, generated)` logit-like activations, `(N, 400)`.

    Correlated dimensions (a random mixing matrix) and a shifted, rescaled
    generated set, so that every term of the distance matters.
    """
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((DIMENSION, DIMENSION)) / 10.0
    real = rng.standard_normal((num_videos, DIMENSION)) @ mixing
    generated = (
        1.2 * rng.standard_normal((num_videos, DIMENSION)) @ mixing
        + rng.standard_normal(DIMENSION) * 0.5
    )
    return real.astype(np.float32), generated.astype(np.float32)


def load_classifier_metrics(tfgan_root):
    """tfgan's `classifier_metrics` module, without the package `__init__`."""
    sys.path.insert(0, tfgan_root)
    package_root = os.path.join(tfgan_root, "tensorflow_gan")
    for name in ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval"):
        package = types.ModuleType(name)
        relative = name[len("tensorflow_gan") :].replace(".", os.sep)
        package.__path__ = [package_root + relative]
        sys.modules[name] = package
    modules = {}
    for name in ("eval_utils", "classifier_metrics"):
        full_name = f"tensorflow_gan.python.eval.{name}"
        spec = importlib.util.spec_from_file_location(
            full_name, os.path.join(package_root, "python", "eval", f"{name}.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[full_name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["classifier_metrics"]


def main(tfgan_root):
    import tensorflow as tf

    classifier_metrics = load_classifier_metrics(tfgan_root)
    cases = []
    for num_videos in SAMPLE_SIZES:
        real, generated = fvd_activations(num_videos, seed=num_videos)
        fvd_float32 = classifier_metrics.frechet_classifier_distance_from_activations(
            tf.constant(real), tf.constant(generated)
        )
        fvd_float64 = classifier_metrics.frechet_classifier_distance_from_activations(
            tf.constant(real, tf.float64), tf.constant(generated, tf.float64)
        )
        cases.append(
            {
                "num_videos": num_videos,
                "seed": num_videos,
                "tfgan_float32": float(fvd_float32.numpy()),
                "tfgan_float64": float(fvd_float64.numpy()),
            }
        )
    record = {
        "source": (
            "tensorflow_gan 2.1.0 python/eval/classifier_metrics.py "
            "frechet_classifier_distance_from_activations, TF "
            f"{tf.__version__}, activations from fvd_activations"
        ),
        "cases": cases,
    }
    with open(GOLDEN_PATH, "w") as file:
        json.dump(record, file, indent=2)
        file.write("\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
