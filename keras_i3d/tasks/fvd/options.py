"""The check every named FVD option goes through."""


def check_option(argument, value, choices):
    """Returns `value` if it is one of `choices`, else raises ValueError.

    Example:

    >>> check_option("ddof", 1, (0, 1))
    1
    """
    if value not in choices:
        raise ValueError(
            f"`{argument}` must be one of {tuple(choices)}. Received: {argument}={value!r}"
        )
    return value
