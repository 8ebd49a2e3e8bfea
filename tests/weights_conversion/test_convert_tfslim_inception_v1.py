import importlib.util

import numpy as np
import pytest
import tensorflow as tf

from keras_i3d.models.inception_v1 import InceptionV1
from tests.conftest import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "weights_conversion" / "convert_tfslim_inception_v1.py"

# TF-slim's nets/inception_v1.py, written out independently of the package:
# (block, [(branch, conv scope, kernel, filters), ...]).
STEM = (("Conv2d_1a_7x7", 7, 3, 64), ("Conv2d_2b_1x1", 1, 64, 64), ("Conv2d_2c_3x3", 3, 64, 192))
MIXED = (
    ("Mixed_3b", 192, (64, 96, 128, 16, 32, 32)),
    ("Mixed_3c", 256, (128, 128, 192, 32, 96, 64)),
    ("Mixed_4b", 480, (192, 96, 208, 16, 48, 64)),
    ("Mixed_4c", 512, (160, 112, 224, 24, 64, 64)),
    ("Mixed_4d", 512, (128, 128, 256, 24, 64, 64)),
    ("Mixed_4e", 512, (112, 144, 288, 32, 64, 64)),
    ("Mixed_4f", 528, (256, 160, 320, 32, 128, 128)),
    ("Mixed_5b", 832, (256, 160, 320, 32, 128, 128)),
    ("Mixed_5c", 832, (384, 192, 384, 48, 128, 128)),
)


def slim_variable_shapes(classes):
    shapes = {}

    def conv(scope, kernel, cin, cout):
        shapes[f"{scope}/weights"] = (kernel, kernel, cin, cout)
        for name in ("beta", "moving_mean", "moving_variance"):
            shapes[f"{scope}/BatchNorm/{name}"] = (cout,)

    for name, kernel, cin, cout in STEM:
        conv(f"InceptionV1/{name}", kernel, cin, cout)
    for block, cin, (b0, b1a, b1b, b2a, b2b, b3) in MIXED:
        scope = f"InceptionV1/{block}"
        conv_2b = "Conv2d_0a_3x3" if block == "Mixed_5b" else "Conv2d_0b_3x3"
        conv(f"{scope}/Branch_0/Conv2d_0a_1x1", 1, cin, b0)
        conv(f"{scope}/Branch_1/Conv2d_0a_1x1", 1, cin, b1a)
        conv(f"{scope}/Branch_1/Conv2d_0b_3x3", 3, b1a, b1b)
        conv(f"{scope}/Branch_2/Conv2d_0a_1x1", 1, cin, b2a)
        conv(f"{scope}/Branch_2/{conv_2b}", 3, b2a, b2b)
        conv(f"{scope}/Branch_3/Conv2d_0b_1x1", 1, cin, b3)
    shapes["InceptionV1/Logits/Conv2d_0c_1x1/weights"] = (1, 1, 1024, classes)
    shapes["InceptionV1/Logits/Conv2d_0c_1x1/biases"] = (classes,)
    return shapes


def random_variables(classes, seed=0):
    rng = np.random.default_rng(seed)
    variables = {}
    for name, shape in slim_variable_shapes(classes).items():
        if name.endswith("moving_variance"):
            value = rng.uniform(0.5, 2.0, shape)
        elif name.endswith("/weights"):
            fan_in = np.prod(shape[:-1])
            value = rng.normal(0, np.sqrt(2.0 / fan_in), shape)
        else:
            value = rng.normal(0, 0.1, shape)
        variables[name] = value.astype("float32")
    return variables


def write_checkpoint(prefix, variables):
    """Writes a TF checkpoint with exactly these variable names."""
    names = sorted(variables)
    tf.raw_ops.SaveV2(
        prefix=str(prefix),
        tensor_names=names,
        shape_and_slices=[""] * len(names),
        tensors=[tf.constant(variables[name]) for name in names],
    )
    return str(prefix)


@pytest.fixture(scope="module")
def converter():
    spec = importlib.util.spec_from_file_location("convert_slim", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def slim_variables():
    variables = random_variables(classes=1001)
    variables["global_step"] = np.array(1000, dtype="int64")
    return variables


def test_slim_layout_is_the_models(converter, slim_variables):
    model = InceptionV1(weights=None, input_shape=(None, None, 3))
    mapping = converter.variable_map(model)
    expected = set(slim_variables) - {"global_step"}
    assert set(mapping) == expected
    assert len(mapping) == len(model.weights)
    assert "InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/weights" in mapping


def test_converts_checkpoint_and_matches_reference(converter, slim_variables, tmp_path, capsys):
    checkpoint = write_checkpoint(tmp_path / "model.ckpt", slim_variables)
    output = tmp_path / "out" / "inception_v1.weights.h5"
    status = converter.main([checkpoint, "--out", str(output), "--image-size", "64"])
    assert status == 0, capsys.readouterr().err
    assert "ignored: ['global_step']" in capsys.readouterr().out
    model = InceptionV1(weights=output, input_shape=(64, 64, 3), classifier_activation=None)
    image = np.random.default_rng(5).uniform(-1, 1, (1, 64, 64, 3))
    image = image.astype("float32")
    reference = converter.reference_logits(slim_variables, image)
    np.testing.assert_allclose(model.predict(image, verbose=0), reference, rtol=1e-4, atol=1e-4)


def test_thousand_class_checkpoint(converter, tmp_path):
    variables = random_variables(classes=1000, seed=1)
    model = converter.convert(variables)
    assert model.output_shape == (None, 1000)
    assert converter.compare(model, variables, image_size=32) < 1e-4


@pytest.mark.parametrize(
    "change, message",
    [
        ("drop", "1 variables missing"),
        ("extra", "1 unused"),
        ("shape", "has shape"),
    ],
)
def test_mismatched_checkpoint_exits_non_zero(
    converter, slim_variables, tmp_path, capsys, change, message
):
    variables = dict(slim_variables)
    name = "InceptionV1/Mixed_4c/Branch_1/Conv2d_0b_3x3/weights"
    if change == "drop":
        del variables[name]
    elif change == "extra":
        variables["InceptionV1/Mixed_6a/Branch_0/Conv2d_0a_1x1/weights"] = np.zeros(
            (1, 1, 4, 4), "float32"
        )
    else:
        variables[name] = np.zeros((3, 3, 112, 225), "float32")
    checkpoint = write_checkpoint(tmp_path / "bad.ckpt", variables)
    output = tmp_path / "bad.weights.h5"
    status = converter.main([checkpoint, "--out", str(output)])
    assert status == 1
    assert message in capsys.readouterr().err
    assert not output.exists()


def test_numeric_mismatch_exits_non_zero(converter, slim_variables, tmp_path, capsys, monkeypatch):
    checkpoint = write_checkpoint(tmp_path / "model.ckpt", slim_variables)
    original = converter.reference_logits
    monkeypatch.setattr(
        converter,
        "reference_logits",
        lambda variables, images: original(variables, images) + 1e-2,
    )
    status = converter.main(
        [checkpoint, "--out", str(tmp_path / "x.weights.h5"), "--image-size", "32"]
    )
    assert status == 1
    assert "differ from the reference" in capsys.readouterr().err


def test_unreadable_checkpoint(converter, tmp_path, capsys):
    status = converter.main(
        [str(tmp_path / "missing.ckpt"), "--out", str(tmp_path / "x.weights.h5")]
    )
    assert status == 1
    assert "Cannot read checkpoint" in capsys.readouterr().err
