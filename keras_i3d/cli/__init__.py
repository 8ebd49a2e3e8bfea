"""The `keras-i3d` command line. Only this package knows argv and exit codes."""
