"""Reads a dotenv file (``.env.local``): ``KEY=VALUE`` lines, ``#`` comments, optional ``export``
and quotes. A malformed line is a UsageError naming the file and line number, never its content
(the line may hold a secret)."""

from __future__ import annotations

import re
from pathlib import Path

from flyte_parity.base.errors import UsageError

_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def parse_env_text(text: str, origin: str) -> dict[str, str]:
    """Parse dotenv text; ``origin`` names the source in error messages."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise UsageError(
                f"{origin}:{number}: not a KEY=VALUE line; fix or comment out that line"
            )
        key, value = match.group(1), match.group(2).strip()
        if value[:1] in ("'", '"'):
            quote = value[0]
            if len(value) < 2 or not value.endswith(quote):
                raise UsageError(
                    f"{origin}:{number}: unterminated {quote} quote in the value of {key}; close the quote"
                )
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        values[key] = value
    return values


def load_env_file(path: Path) -> dict[str, str]:
    """Read and parse a dotenv file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read env file {path}: {err.strerror}; pass an existing file") from None
    return parse_env_text(text, str(path))
