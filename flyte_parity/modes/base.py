"""What a mode is: a way of comparing the two SDKs, as one object.

A mode says its name (the matrix column, the ``-k`` selector), which subjects it takes from the
catalogue (pairs, input cases, type rows, situations of its own), which matrix table its column
sits in, what it needs (a FlyteAdmin, flytectl), whether its SDK work may run ahead of its test in
the case runner, and how one subject runs: ``work`` (the SDK work, each SDK invocation its own
process; may run in a worker thread) and ``judge`` (the comparison, into a ``Verdict`` whose
differences the ledger must explain exactly). Both take the session (``modes.run.ParityRun``):
its catalogue, SDK drivers, services and reports folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from flyte_parity.data.catalogue import Catalogue, Pair
from flyte_parity.idl.diff import Difference

PAIRS, TYPES, SITUATIONS = "pairs", "types", "situations"  # the matrix's tables


@dataclass(frozen=True)
class Subject:
    """One thing a mode runs: a test of its own, one cell of the matrix."""

    mode: str
    id: str  # unique within the mode; the test id is "<mode>:<id>"
    row: str  # the matrix row (and the ledger's pair) it fills
    value: Any = None  # the Pair, Case, TypeEntry or situation name

    @property
    def test_id(self) -> str:
        return f"{self.mode}:{self.id}"


@dataclass
class Verdict:
    """What comparing one subject found: differences for the ledger (limited to paths under
    ``within``), problems that fail the subject whatever the ledger says, and what a reader
    needs to see when it fails."""

    found: list[Difference] = field(default_factory=list)
    within: str = ""
    problems: list[str] = field(default_factory=list)
    detail: str = ""
    explained: list = field(default_factory=list)  # Divergences a mode matched itself (value rules)


class Mode:
    """A way of comparing the SDKs. Subclasses set the class attributes and ``subjects``,
    ``work`` and ``judge``; ``cells`` says which rows the column fills and why others are n/a."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it compares (README, ``flyte-parity modes``)
    table: ClassVar[str] = PAIRS
    needs: ClassVar[tuple[str, ...]] = ()  # "admin" (a FlyteAdmin backend), "flytectl"
    ahead: ClassVar[bool] = False  # its work may start ahead of its test (the case runner)
    # Pair modes: the pair kinds this mode does not take, each with why (a catalogue entry that
    # lists the mode for such a pair is refused; its cell is n/a with that reason).
    refuses: ClassVar[Mapping[str, str]] = {}

    def subjects(self, catalogue: Catalogue) -> list[Subject]:
        raise NotImplementedError

    def cells(self, catalogue: Catalogue) -> dict[str, tuple[str, str]]:
        """Row -> ("run", "") for a row this mode fills, or ("n/a" | "pending", why)."""
        return {s.row: ("run", "") for s in self.subjects(catalogue)}

    def work(self, subject: Subject, run: Any) -> Any:
        """The SDK work of one subject (nothing by default: ``judge`` does it all)."""
        return None

    def judge(self, subject: Subject, run: Any, result: Any) -> Verdict:
        raise NotImplementedError


class PairMode(Mode):
    """A mode whose subjects are catalogue pairs: one per pair that runs in it."""

    def subjects(self, catalogue: Catalogue) -> list[Subject]:
        return [Subject(self.name, pair.id, pair.id, pair) for pair in catalogue.pairs_in(self.name)]

    def cells(self, catalogue: Catalogue) -> dict[str, tuple[str, str]]:
        return {pair.id: pair_cell(pair, self.name) for pair in catalogue.pairs if not pair.absent}


class CaseMode(PairMode):
    """A pair mode run once per input case of each pair (the cell is the pair's)."""

    def subjects(self, catalogue: Catalogue) -> list[Subject]:
        return [Subject(self.name, case.id, case.pair.id, case) for case in catalogue.cases(self.name)]


def pair_cell(pair: Pair, mode: str) -> tuple[str, str]:
    """How a resolved pair stands in a mode: run, pending (with why) or n/a (with why)."""
    if mode in (pair.modes or ()):
        return ("run", "")
    if mode in pair.pending:
        return ("pending", pair.pending[mode])
    return ("n/a", pair.not_applicable.get(mode, "not in this pair's modes"))
