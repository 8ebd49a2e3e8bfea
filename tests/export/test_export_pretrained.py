"""Real weights, real clip: every format matches Keras within 1e-4 (slow)."""

import re

import pytest

from keras_i3d.cli.main import main


@pytest.mark.slow
@pytest.mark.parametrize(
    "export_format, out",
    [
        ("savedmodel", "i3d_rgb"),
        ("onnx", "i3d_rgb.onnx"),
        ("tflite", "i3d_rgb.tflite"),
    ],
)
def test_kinetics400_export_matches_keras_on_the_example_clip(tmp_path, capsys, export_format, out):
    code = main(
        [
            "export",
            "kinetics400",
            "--format",
            export_format,
            "--out",
            str(tmp_path / out),
            "--clip-length",
            "16",
        ]
    )
    printed = capsys.readouterr().out
    print(printed)
    assert code == 0, printed
    difference = float(re.search(r"max \|logit diff\| (\S+),", printed)[1])
    assert difference <= 1e-4
    # The example is a Kinetics-400 "arm wrestling" clip (class 6).
    assert "top-1 class 6 (Keras 6): ok" in printed
