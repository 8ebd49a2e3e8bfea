"""`keras-i3d export`: exit codes, messages and the printed parity numbers."""

import sys

import pytest

from keras_i3d.cli.main import main
from tests.export.small_model import CLIP_LENGTH
from tests.export.small_model import small_classifier


@pytest.fixture(scope="module")
def small_model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "small.keras"
    small_classifier("rgb").save(path)
    return str(path)


def test_export_cli_writes_and_prints_the_parity_numbers(tmp_path, small_model_file, capsys):
    out = tmp_path / "small.tflite"
    code = main(
        [
            "export",
            small_model_file,
            "--format",
            "tflite",
            "--out",
            str(out),
            "--clip-length",
            str(CLIP_LENGTH),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert out.is_file()
    assert "max |logit diff|" in printed
    assert f"(1, {CLIP_LENGTH}, 224, 224, 3)" in printed
    assert ": ok" in printed


@pytest.mark.parametrize(
    "cli_args, message",
    [
        (["--format", "onnx", "--out", "x.tflite"], "ending in .onnx"),
        (["--format", "onnx", "--out", "x.onnx", "--stream", "flow"], "rgb-stream model"),
    ],
)
def test_export_cli_usage_errors_exit_2(small_model_file, capsys, cli_args, message):
    assert main(["export", small_model_file, *cli_args]) == 2
    assert message in capsys.readouterr().err


def test_a_clip_length_below_one_is_a_usage_error(small_model_file, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "export",
                small_model_file,
                "--format",
                "onnx",
                "--out",
                "x.onnx",
                "--clip-length",
                "0",
            ]
        )
    assert exit_info.value.code == 2
    assert "--clip-length: must be at least 1" in capsys.readouterr().err


def test_export_cli_keeps_an_existing_out(tmp_path, small_model_file, capsys):
    out = tmp_path / "small.onnx"
    out.write_bytes(b"previous")
    code = main(
        [
            "export",
            small_model_file,
            "--format",
            "onnx",
            "--out",
            str(out),
            "--clip-length",
            str(CLIP_LENGTH),
        ]
    )
    assert code == 1
    assert "pass --overwrite" in capsys.readouterr().err
    assert out.read_bytes() == b"previous"


def test_export_cli_names_the_missing_package(tmp_path, small_model_file, capsys, monkeypatch):
    # ONNX's packages are dependencies of keras-i3d; LiteRT's are the export extra.
    monkeypatch.setitem(sys.modules, "tf2onnx", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    for export_format, advice in (
        ("onnx", "It is a dependency of keras-i3d; install it: pip install tf2onnx"),
        ("tflite", 'Install the export extra: pip install "keras-i3d[export]"'),
    ):
        out = tmp_path / f"small.{export_format}"
        code = main(["export", small_model_file, "--format", export_format, "--out", str(out)])
        error = capsys.readouterr().err
        assert code == 1
        assert advice in error
        assert len(error.strip().splitlines()) == 1


def test_export_cli_reports_a_missing_check_video(tmp_path, small_model_file, capsys):
    code = main(
        [
            "export",
            small_model_file,
            "--format",
            "savedmodel",
            "--out",
            str(tmp_path / "sm"),
            "--check-video",
            str(tmp_path / "missing.mp4"),
        ]
    )
    assert code == 1
    assert "missing.mp4" in capsys.readouterr().err
