"""`import keras_i3d` registers every layer, in a new process."""

import os
import subprocess
import sys
import textwrap

import keras

from keras_i3d.models.i3d import I3D

REPOSITORY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code):
    environment = dict(os.environ, PYTHONPATH=REPOSITORY_ROOT)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )


def test_load_model_after_import_keras_i3d_in_a_new_process(tmp_path):
    model = I3D(weights=None, input_shape=(None, None, None, 3), classes=5)
    model_path = str(tmp_path / "finetuned.keras")
    model.save(model_path)

    result = run_python(f"""
        import keras_i3d, keras
        model = keras.saving.load_model({model_path!r})
        print(model.output_shape)
    """)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(None, 5)"


def test_import_keras_i3d_binds_every_public_name():
    import keras_i3d

    missing = [name for name in keras_i3d.__all__ if not hasattr(keras_i3d, name)]
    assert missing == []
    assert keras.saving.get_registered_object("keras_i3d>MinimumClipSize")


# Packages whose public names are not bound in the `keras-i3d` process
# (keras_i3d.IS_CLI_PROCESS): code the CLI may run imports from the modules
# that define a name, never through these packages' namespaces.
CLI_LIGHT_PACKAGES = ("keras_i3d", "keras_i3d.models", "keras_i3d.data")


def package_names_imported_through_namespaces(package_root):
    """`(file, line, statement)` for each `from PACKAGE import NAME` of a
    public name (not a submodule) of `CLI_LIGHT_PACKAGES` in the package."""
    import ast
    import pathlib

    package_root = pathlib.Path(package_root)
    offenders = []
    for path in sorted(package_root.rglob("*.py")):
        relative = path.relative_to(package_root.parent)
        module = ".".join(relative.with_suffix("").parts)
        if path.name == "__init__.py":
            module = module.rsplit(".", 1)[0]
        if module in CLI_LIGHT_PACKAGES:
            continue  # The packages themselves bind their names.
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level:
                continue
            if node.module not in CLI_LIGHT_PACKAGES:
                continue
            folder = package_root.parent.joinpath(*node.module.split("."))
            for alias in node.names:
                is_submodule = (folder / f"{alias.name}.py").is_file() or (
                    folder / alias.name / "__init__.py"
                ).is_file()
                always_bound = alias.name.startswith("__") or (alias.name == "IS_CLI_PROCESS")
                if not (is_submodule or always_bound):
                    offenders.append(
                        f"{relative}:{node.lineno}: from {node.module} import {alias.name}"
                    )
    return offenders


def test_package_code_imports_names_from_their_defining_modules():
    package_root = os.path.join(REPOSITORY_ROOT, "keras_i3d")

    assert package_names_imported_through_namespaces(package_root) == []


def test_the_namespace_check_finds_an_offender(tmp_path):
    package = tmp_path / "keras_i3d"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("")
    (package / "models" / "i3d.py").write_text("")
    (package / "tasks.py").write_text(
        "from keras_i3d.models import i3d\ndef build():\n    from keras_i3d.models import I3D\n"
    )

    assert package_names_imported_through_namespaces(package) == [
        "keras_i3d/tasks.py:3: from keras_i3d.models import I3D"
    ]
