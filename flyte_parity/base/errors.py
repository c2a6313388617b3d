"""The one error type for bad input: a single line naming the problem and the fix (exit code 2)."""


class UsageError(Exception):
    """Bad input or a missing prerequisite; ``str(err)`` is the one line shown to the user."""

    exit_code = 2
