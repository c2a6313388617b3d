"""What an SDK cannot do, declared once per SDK (per version where it changes): a ``Limit`` says
that one of its verbs, as a mode uses it, cannot take one kind of entity (a pair's kind, such as
``task`` or ``launch-plan``, or a feature the catalogue names, such as ``dynamic``). The modes
derive "not applicable" cells from these, as Arrow's integration runner derives skips from each
implementation's flags; the catalogue keeps only the reasons that belong to one pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flyte_parity.data.version_spec import matches


@dataclass(frozen=True)
class Limit:
    """One thing one SDK's verb cannot run."""

    mode: str  # the mode whose verb it is (execute-local: jflyte execute-local / a local flytekit run)
    what: str  # a pair kind or a catalogue feature
    why: str  # what happens, as a user reads it
    versions: tuple[str, ...] = ()  # the SDK versions it holds at (PEP 440 specifiers; () = every version)

    def holds(self, mode: str, kinds: Iterable[str], version: str) -> bool:
        return self.mode == mode and self.what in set(kinds) and matches(self.versions, version)


def reasons(limits: Iterable[Limit], mode: str, kinds: Iterable[str], version: str) -> list[str]:
    """Why this SDK cannot run a pair of these kinds and features in ``mode`` (empty: it can)."""
    kinds = set(kinds)
    return [limit.why for limit in limits if limit.holds(mode, kinds, version)]
