"""`keras_i3d.weights` never imports a model builder (no import cycle)."""

import ast
import pathlib

import keras_i3d.weights

WEIGHTS_DIR = pathlib.Path(keras_i3d.weights.__file__).parent
FORBIDDEN = ("keras_i3d.models", "keras_i3d.training")


def _imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_weights_package_imports_no_builder():
    offenders = [
        f"{path.name}: {module}"
        for path in sorted(WEIGHTS_DIR.glob("*.py"))
        for module in _imported_modules(path)
        if module.startswith(FORBIDDEN)
    ]
    assert offenders == []


def test_the_scan_sees_a_builder_import(tmp_path):
    # The check above can fail: a module importing a builder is reported.
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from keras_i3d.models.i3d import I3D\n")
    assert list(_imported_modules(module)) == ["keras_i3d.models.i3d"]
