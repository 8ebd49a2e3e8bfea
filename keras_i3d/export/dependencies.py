"""The optional packages each export format needs, imported when used."""

import importlib

EXTRA_INSTALL = 'pip install "keras-i3d[export]"'
# The formats whose packages are dependencies of keras-i3d itself (ONNX's,
# which `keras-i3d predict` runs on), not of the export extra.
FORMATS_OF_THE_BASE_INSTALL = ("onnx",)

# Format -> the modules it imports (beyond TensorFlow), and the PyPI names.
FORMAT_DEPENDENCIES = {
    "savedmodel": (),
    "onnx": (("tf2onnx", "tf2onnx"), ("onnx", "onnx"), ("onnxruntime", "onnxruntime")),
    "tflite": (("ai_edge_litert.interpreter", "ai-edge-litert"),),
}


class MissingExportDependencyError(ImportError):
    """An export format's optional package is not installed."""


def import_optional(module_name, package, export_format):
    """Imports `module_name`, or says which extra provides it.

    Args:
        module_name: the module to import (e.g. `"tf2onnx"`).
        package: its PyPI name, for the message.
        export_format: the format that needs it, for the message.

    Returns:
        The module.

    Raises:
        MissingExportDependencyError: the module cannot be imported.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        if export_format in FORMATS_OF_THE_BASE_INSTALL:
            how = f"It is a dependency of keras-i3d; install it: pip install {package}"
        else:
            how = f"Install the export extra: {EXTRA_INSTALL}"
        raise MissingExportDependencyError(
            f"Exporting to {export_format} needs the package {package!r} ({error}). {how}"
        ) from None


def check_dependencies(export_format):
    """Imports every optional package `export_format` needs (see above).

    Raises:
        MissingExportDependencyError: one of them is not installed.
    """
    for module_name, package in FORMAT_DEPENDENCIES[export_format]:
        import_optional(module_name, package, export_format)
