"""The TF1 converter, on a checkpoint written in DeepMind's exact layout."""

import numpy as np
import pytest

from keras_i3d import I3D
from keras_i3d.weights import porting
from weights_conversion import convert_deepmind_tf1 as converter


@pytest.fixture(scope="module")
def deepmind_checkpoint(kinetics400_arrays, tmp_path_factory):
    prefix = tmp_path_factory.mktemp("ckpt") / "model.ckpt"
    extras = {
        "global_step": np.int64(115000),
        "RGB/inception_i3d/Conv3d_1a_7x7/conv_3d/w/Momentum": np.zeros((7, 7, 7, 3, 64), "float32"),
    }
    return converter.write_checkpoint_in_deepmind_layout(
        kinetics400_arrays, "rgb", prefix, extra_variables=extras
    )


def test_checkpoint_has_deepmind_names_and_shapes(deepmind_checkpoint):
    variables = converter.read_checkpoint(deepmind_checkpoint)
    assert variables[
        "RGB/inception_i3d/Mixed_4c/Branch_1/Conv3d_0b_3x3/batch_norm/moving_mean"
    ].shape == (1, 1, 1, 1, 224)
    assert "RGB/inception_i3d/Logits/Conv3d_0c_1x1/conv_3d/b" in variables


def test_round_trip_gives_the_same_logits(deepmind_checkpoint, kinetics400_arrays, tmp_path):
    out = tmp_path / "converted.weights.h5"
    assert (
        converter.main(
            ["--checkpoint", str(deepmind_checkpoint), "--stream", "rgb", "--out", str(out)]
        )
        == 0
    )
    reference = I3D(weights=None, classifier_activation=None)
    porting.assign_canonical_weights(reference, kinetics400_arrays, "ref")
    converted = I3D(weights=str(out), classifier_activation=None)
    clip = np.random.default_rng(0).uniform(-1, 1, (1, 9, 224, 224, 3)).astype("float32")
    np.testing.assert_array_equal(
        converted.predict(clip, verbose=0), reference.predict(clip, verbose=0)
    )


def test_wrong_stream_and_class_count_are_refused(deepmind_checkpoint, tmp_path, capsys):
    out = str(tmp_path / "x.weights.h5")
    assert (
        converter.main(["--checkpoint", str(deepmind_checkpoint), "--stream", "flow", "--out", out])
        == 1
    )
    assert "other stream" in capsys.readouterr().err
    assert (
        converter.main(
            [
                "--checkpoint",
                str(deepmind_checkpoint),
                "--stream",
                "rgb",
                "--classes",
                "600",
                "--out",
                out,
            ]
        )
        == 1
    )
    assert "--classes 400" in capsys.readouterr().err


def test_not_a_checkpoint_is_refused(tmp_path, capsys):
    (tmp_path / "junk.index").write_bytes(b"junk")
    assert (
        converter.main(
            [
                "--checkpoint",
                str(tmp_path / "junk"),
                "--stream",
                "rgb",
                "--out",
                str(tmp_path / "o.h5"),
            ]
        )
        == 1
    )
    assert "not a readable TensorFlow checkpoint" in capsys.readouterr().err
