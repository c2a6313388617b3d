"""Version specifiers for the SDK versions a catalogue entry or a ledger entry applies to.

A specifier is PEP 440's (``">=0.4.0"``, ``"==0.3.20"``, ``">=0.4,<0.5"``); a list of them means
any of them. Maven's ``-SNAPSHOT`` versions read as development releases (``0.4.63.dev0``).
"""

from __future__ import annotations

import re
from typing import Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from flyte_parity.base.errors import UsageError


def as_version(text: str) -> Version:
    """A version as PEP 440 reads it; Maven's ``-SNAPSHOT`` is a development release."""
    cleaned = re.sub(r"-SNAPSHOT$", ".dev0", text.strip())
    try:
        return Version(cleaned)
    except InvalidVersion:
        raise UsageError(f"{text!r} is not a version flyte-parity can compare; use X.Y.Z") from None


def matches(specifiers: Sequence[str], version: str) -> bool:
    """Whether ``version`` is in any of ``specifiers`` (no specifiers: every version)."""
    if not specifiers:
        return True
    parsed = as_version(version)
    return any(SpecifierSet(spec).contains(parsed, prereleases=True) for spec in specifiers)


def parse_specifiers(value, where: str, name: str) -> tuple[str, ...]:
    """A specifier or a list of them, checked; a bad one is refused naming ``where``."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise UsageError(f"{where}: {name} must be a version specifier such as \">=0.4.0\" or a list of them")
    for spec in items:
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise UsageError(f"{where}: {name} {spec!r} is not a version specifier; write e.g. \"==0.3.20\"") from None
    return tuple(items)
