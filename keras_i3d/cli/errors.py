"""The CLI's error type (its own module, so `python -m` and the console
script raise and catch the same class)."""

EXIT_ERROR = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """An error the CLI reports on stderr, without a traceback."""

    def __init__(self, message, exit_code=EXIT_ERROR):
        super().__init__(message)
        self.exit_code = exit_code
