"""Pretrained inference graphs, loaded from the model cache after the first build.

`cached_pretrained_inference_model` returns what
`keras_i3d.models.fused.pretrained_inference_model` returns, the same
logits bit for bit, but keeps it in `$KERAS_I3D_HOME/model_cache/`
(`keras_i3d.weights.model_cache`) so that the next process loads it in
about half the time of building the reference graph, loading the
checkpoint and fusing. The cache key names what the graph depends on:

- the weights file's sha256 (read each time: about 0.1 s for the 51 MB
  Kinetics-400 file), so a reinstalled or edited file is never mistaken
  for the one cached;
- the versions of keras-i3d, Keras and TensorFlow, and the sha256 of the
  source files of `keras_i3d/layers`, `keras_i3d/models` and
  `keras_i3d/weights`, so a change to the code that builds or loads the
  graph rebuilds it even within one version;
- the stream, `fused` and `precision`.

Example:

```python
model, origin = cached_pretrained_inference_model("kinetics400")
origin  # "built" the first time, "loaded" after
```
"""

from keras_i3d.models.fused import DEFAULT_INFERENCE_PRECISION

# The packages whose source the cached graph depends on.
_GRAPH_SOURCE_PACKAGES = ("layers", "models", "weights")


def cached_pretrained_inference_model(
    weights,
    stream="rgb",
    fused=True,
    precision=DEFAULT_INFERENCE_PRECISION,
    cache_dir=None,
):
    """`pretrained_inference_model(...)`, loaded from the model cache if there.

    Args:
        weights, stream, fused, precision: see
            `keras_i3d.models.fused.pretrained_inference_model`.
        cache_dir: the cache folder (default:
            `keras_i3d.weights.model_cache.model_cache_dir()`).

    Returns:
        `(model, origin)`: the model and `"loaded"` (from the cache) or
        `"built"` (then saved to it, unless it is not writable).

    Raises:
        ValueError: unknown weights, or a bad `precision`.
        keras_i3d.weights.WeightsFileError: the weights cannot be loaded.
    """
    from keras_i3d.models.fused import check_inference_precision
    from keras_i3d.models.fused import pretrained_inference_model
    from keras_i3d.weights.model_cache import load_or_build

    check_inference_precision(precision, fused)
    key = inference_cache_key(weights, stream, fused, precision)
    return load_or_build(
        key,
        lambda: pretrained_inference_model(weights, stream, fused=fused, precision=precision),
        cache_dir=cache_dir,
    )


def inference_cache_key(weights, stream, fused, precision):
    """The model cache key of `pretrained_inference_model(weights, ...)`."""
    import keras
    import tensorflow as tf

    from keras_i3d import __version__
    from keras_i3d.weights.hashing import file_sha256
    from keras_i3d.weights.resolving import resolve_weights

    resolved = resolve_weights(weights, stream, None)
    return {
        "builder": "keras_i3d.models.fused.pretrained_inference_model",
        "weights_sha256": file_sha256(resolved.path),
        "stream": stream,
        "fused": bool(fused),
        "precision": precision,
        "keras_i3d": __version__,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "graph_source_sha256": graph_source_sha256(),
    }


def graph_source_sha256():
    """The sha256 of the source files the cached graph is built and loaded by."""
    from keras_i3d.weights.model_cache import package_source_sha256

    return package_source_sha256(_GRAPH_SOURCE_PACKAGES)
