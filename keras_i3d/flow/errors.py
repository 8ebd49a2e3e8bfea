"""The error the optical-flow package raises for bad input."""


class FlowError(ValueError):
    """Frames that flow cannot be computed from, or an unreadable flow file.

    The message names the input (file or array) and what is wrong with it.
    """
