"""The divergence ledger: known differences between the SDKs, as a reviewed TOML file.

Strict both ways, like protobuf's conformance failure lists: a difference not in the ledger
fails, and a ledger entry that no longer reproduces fails too (remove it: it was fixed).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import UsageError

FIELDS = ("pair", "mode", "path", "topic", "jvm", "python", "why", "source")
# topic: a short key naming the divergence (one per cause, shared by the entries it explains);
# the matrix cells name it and docs/divergences.md says what it means for a user.


@dataclass(frozen=True)
class Divergence:
    pair: str
    mode: str
    path: str
    topic: str
    jvm: str
    python: str
    why: str
    source: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.pair, self.mode, self.path)


@dataclass(frozen=True)
class Found:
    """A difference as a run found it (JVM on the left, Python on the right)."""

    path: str
    jvm: str
    python: str


@dataclass(frozen=True)
class LedgerCheck:
    unexpected: tuple[Found, ...]  # found, not in the ledger (or with other values)
    stale: tuple[Divergence, ...]  # in the ledger, not found (or with other values)
    explained: tuple[Divergence, ...]

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.stale

    def explain(self, pair: str, mode: str) -> str:
        lines = []
        if self.unexpected:
            lines.append(f"{pair} [{mode}]: {len(self.unexpected)} difference(s) not in the ledger (jvm != python):")
            lines += [f"  {f.path}: {f.jvm} != {f.python}" for f in self.unexpected]
        if self.stale:
            lines.append(f"{pair} [{mode}]: {len(self.stale)} ledger entr(y/ies) no longer reproduce (remove or update):")
            lines += [f"  {d.path}: {d.jvm} != {d.python}" for d in self.stale]
        return "\n".join(lines)


def parse_ledger(data: dict, origin: str = "ledger") -> list[Divergence]:
    entries = []
    seen = set()
    for number, entry in enumerate(data.get("divergence", []), start=1):
        missing = [k for k in FIELDS if not str(entry.get(k, "")).strip()]
        if missing:
            raise UsageError(f"{origin}: divergence #{number} lacks {', '.join(missing)}; every entry needs evidence")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise UsageError(f"{origin}: divergence #{number} has unknown keys {unknown}; use {list(FIELDS)}")
        divergence = Divergence(**{k: str(entry[k]) for k in FIELDS})
        if divergence.key in seen:
            raise UsageError(f"{origin}: divergence #{number} repeats {divergence.key}; keep one")
        seen.add(divergence.key)
        entries.append(divergence)
    return entries


def load_ledger(path: Path) -> list[Divergence]:
    try:
        return parse_ledger(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"cannot read ledger {path}: {err}; fix the file") from None


def check(ledger: Iterable[Divergence], pair: str, mode: str, found: Iterable[Found]) -> LedgerCheck:
    """Match what a run found for one pair and mode against the ledger."""
    listed = {d.path: d for d in ledger if d.pair == pair and d.mode == mode}
    unexpected, explained = [], []
    matched = set()
    for item in found:
        entry = listed.get(item.path)
        if entry is not None and entry.jvm == item.jvm and entry.python == item.python:
            explained.append(entry)
            matched.add(item.path)
        else:
            unexpected.append(item)
    stale = [d for path, d in sorted(listed.items()) if path not in matched]
    return LedgerCheck(tuple(unexpected), tuple(stale), tuple(explained))
