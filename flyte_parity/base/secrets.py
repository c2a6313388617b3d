"""Which environment variables hold secrets: their values are never printed or written to a report."""

from __future__ import annotations

_SECRET_NAMES = {"FLYTE_AWS_SECRET_ACCESS_KEY", "FLYTE_AWS_ACCESS_KEY_ID"}
_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD")


def is_secret(name: str) -> bool:
    """Whether an environment variable's value must never be shown."""
    upper = name.upper()
    return upper in _SECRET_NAMES or any(word in upper for word in _SECRET_WORDS)
