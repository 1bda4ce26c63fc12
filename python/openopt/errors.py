"""The package's error type."""


class OpenOptError(Exception):
    """An error from the runtime, the compiler or the daemon. `status` is the runtime's status name
    ("shape mismatch", "cannot load", ...) or the daemon's error code, when there is one."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status
