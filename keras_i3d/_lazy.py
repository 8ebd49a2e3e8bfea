"""Module-level names that resolve on first use (PEP 562).

Packages export their public names through `lazy_exports`, so importing
them (and the CLI's `--help`) does not start TensorFlow.
"""

import importlib


def lazy_exports(module_name, exports, namespace):
    """Returns `(__getattr__, __dir__)` for a module with lazy exports.

    Args:
        module_name: the exporting module's name, for error messages.
        exports: dict of public name to the module that defines it.
        namespace: the exporting module's `globals()`; a resolved name is
            cached there.
    """

    def __getattr__(name):
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r}"
        )

    def __dir__():
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
