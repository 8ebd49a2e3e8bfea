"""The error the optical-flow package raises for bad input."""


class FlowError(ValueError):
    """Frames that flow cannot be computed from, or an unreadable flow file.

    The message names the input (file or array) and what is wrong with it.
    """


# `keras_i3d.data` exported this name for unreadable flow folders when it had
# a reader of its own; the one reader is `keras_i3d.flow.storage`, and the
# name is kept so that `except keras_i3d.data.FlowReadError` still works.
FlowReadError = FlowError
