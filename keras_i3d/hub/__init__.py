"""keras-hub presets for I3D (the `[hub]` extra, docs/keras_hub.md).

`I3DBackbone` is a keras-hub `Backbone`; `I3DVideoClassifier` a task modelled
on keras-hub's `ImageClassifier` (backbone, pooling, dropout, a `Dense`
named `predictions`), with a preprocessor that applies
`keras_i3d.preprocess_input` to uint8 frames. keras-hub finds a preset's class
in Keras's registry of serializable objects, so these classes must be
registered before `from_preset` runs.

This module does not import keras-hub: `import keras_i3d` would otherwise pay
for it (and for TensorFlow Text, which keras-hub imports) in every process.
Instead `import keras_i3d` asks, through `register_when_keras_hub_is_imported`,
that the classes be defined and registered as soon as keras-hub is imported,
before or after keras_i3d. The public names below import keras-hub when first
used.

Example:

```python
import keras_hub
import keras_i3d

backbone = keras_hub.models.Backbone.from_preset("./i3d_rgb_kinetics400_tfhub")
classifier = keras_i3d.hub.VideoClassifier.from_preset("./i3d_rgb_kinetics400_tfhub")
logits = classifier.predict(uint8_clip)  # (batch, frames, 224, 224, 3)
```
"""

import importlib
import warnings

EXTRA_INSTALL = 'pip install "keras-i3d[hub]"'

# Public name -> the module of this room that defines it.
_PUBLIC_NAMES = {
    "I3DBackbone": "backbone",
    "i3d_backbone": "backbone",
    "VideoClassifier": "video_classifier",
    "VideoClassifierPreprocessor": "video_classifier",
    "I3DVideoConverter": "video_classifier",
    "I3DVideoClassifierPreprocessor": "video_classifier",
    "I3DVideoClassifier": "video_classifier",
    "i3d_video_classifier": "video_classifier",
    "video_classifier_from_model": "video_classifier",
}

__all__ = sorted(_PUBLIC_NAMES) + [
    "EXTRA_INSTALL",
    "MissingKerasHubError",
    "import_keras_hub",
    "register_when_keras_hub_is_imported",
]


class MissingKerasHubError(ImportError):
    """keras-hub, which `keras_i3d.hub` builds on, is not installed."""


def import_keras_hub():
    """Imports keras-hub, or says which extra provides it.

    Returns:
        The `keras_hub` module.

    Raises:
        MissingKerasHubError: keras-hub cannot be imported.
    """
    try:
        return importlib.import_module("keras_hub")
    except ImportError as error:
        raise MissingKerasHubError(
            f"keras_i3d.hub needs the optional package 'keras-hub' ({error}). "
            f"Install the hub extra: {EXTRA_INSTALL}"
        ) from None


def _define_and_register():
    """Imports the modules that define (and register) the keras-hub classes."""
    for module in sorted(set(_PUBLIC_NAMES.values())):
        importlib.import_module(f"{__name__}.{module}")


def _register_after_keras_hub_import(_keras_hub_module):
    """The post-import hook: registers, or warns why it could not.

    An error here would surface as a failed `import keras_hub` in the
    user's code, about a package they may not be using; a warning keeps
    keras-hub importable, and `from keras_i3d.hub import ...` raises the
    error itself.
    """
    try:
        _define_and_register()
    except Exception as error:  # noqa: BLE001 (reported, not hidden)
        warnings.warn(
            "keras_i3d could not register its keras-hub classes, so "
            f"from_preset will not find keras_i3d presets: {type(error).__name__}: {error}",
            stacklevel=2,
        )


def register_when_keras_hub_is_imported():
    """Registers the keras-hub classes once keras-hub is imported.

    Runs at once when keras-hub is already imported; otherwise, the first
    `import keras_hub` of the process runs it (a post-import hook), so that
    `keras_hub.models.Backbone.from_preset` finds `keras_i3d>I3DBackbone`
    whatever the order of the imports. Costs nothing when keras-hub is not
    used.
    """
    import wrapt

    wrapt.register_post_import_hook(_register_after_keras_hub_import, "keras_hub")


def __getattr__(name):
    if name not in _PUBLIC_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import_keras_hub()
    module = importlib.import_module(f"{__name__}.{_PUBLIC_NAMES[name]}")
    return getattr(module, name)
