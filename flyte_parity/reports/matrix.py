"""The parity matrix: rows are catalogue pairs (and type-table rows), columns are modes, cells
say what the run found — same, ledger (the known divergences, by topic), not applicable (with
the reason), pending (applicable, not built yet, with the reason), failed, or not run in this
session. Pure: outcomes in, markdown and counts out; ``splice`` puts the compact table into the
README between its markers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from flyte_parity.data.catalogue import MODES, Catalogue
from flyte_parity.data.ledger import Divergence

BEGIN = "<!-- parity-matrix:begin (written by the last full run; do not edit) -->"
END = "<!-- parity-matrix:end -->"
ORDER = ("same", "ledger", "n/a", "pending", "failed", "skipped", "not run")


@dataclass(frozen=True)
class Cell:
    kind: str  # one of ORDER, or "" for a row's unused columns
    text: str  # what the cell says (for ledger: the topics)
    reason: str = ""  # why, for n/a and pending

    def full(self) -> str:
        if self.kind == "failed":
            return "**failed**"
        return f"{self.text}: {self.reason}" if self.reason else self.text


EMPTY = Cell("", "")


def _topics(entries: list[Divergence]) -> str:
    counted = Counter(d.topic for d in entries)
    return ", ".join(f"{topic} ×{n}" if n > 1 else topic for topic, n in sorted(counted.items()))


def cell(outcomes: list[str] | None, ledger: list[Divergence], reason: str | None,
         pending: str | None = None) -> Cell:
    """One pair and mode. ``outcomes`` are the pytest outcomes of its tests."""
    if reason is not None:
        return Cell("n/a", "n/a", reason)
    if pending is not None:
        return Cell("pending", "pending", pending)
    if not outcomes:
        return Cell("not run", "not run in this session")
    if any(o == "failed" for o in outcomes):
        return Cell("failed", "failed")
    if any(o == "skipped" for o in outcomes):
        return Cell("skipped", "skipped")
    if ledger:
        return Cell("ledger", f"ledger: {_topics(ledger)}")
    return Cell("same", "same")


def build(
    catalogue: Catalogue, outcomes: Mapping[tuple[str, str], list[str]], ledger: Iterable[Divergence]
) -> tuple[list[tuple[str, list[Cell]]], Counter]:
    """Rows of (row id, a cell per mode) for pairs, type rows and pending entities, and the count
    per cell kind."""
    per_key: dict[tuple[str, str], list[Divergence]] = {}
    for entry in ledger:
        per_key.setdefault((entry.pair, entry.mode), []).append(entry)
    counts: Counter = Counter()
    rows = []
    for pair in catalogue.pairs:
        cells = []
        for mode in MODES:
            pending = pair.pending.get(mode)
            reason = None if mode in pair.modes or pending else pair.not_applicable.get(mode, "not in this pair's modes")
            cells.append(cell(outcomes.get((pair.id, mode)), per_key.get((pair.id, mode), []), reason, pending))
        if pair.absent:
            cells += [Cell("n/a", "n/a", pair.absent) for _ in catalogue.service_modes]
        else:
            cells += [Cell("pending", "pending", why) for why in catalogue.service_modes.values()]
        counts.update(c.kind for c in cells)
        rows.append((pair.id, cells))
    width = len(columns(catalogue))
    for entry in catalogue.types:
        first = cell(outcomes.get((entry.id, "types")), per_key.get((entry.id, "types"), []), entry.unavailable)
        counts[first.kind] += 1
        rows.append((entry.id, [first] + [EMPTY] * (width - 1)))
    for (source, cls), reason in sorted(catalogue.pending.items()):
        counts["pending"] += width
        rows.append((f"{cls} ({source})", [Cell("pending", "pending", reason)] + [EMPTY] * (width - 1)))
    return rows, counts


def columns(catalogue: Catalogue) -> tuple[str, ...]:
    """The matrix's columns: the modes the suite runs, then those that wait for a service."""
    return MODES + tuple(catalogue.service_modes)


LEGEND = (
    "Cells: `same` — the SDKs agree; `ledger: <topic>` — they differ exactly by known divergences "
    "(tests/parity/ledger.toml; each topic is explained in docs/divergences.md); `n/a` — the mode does "
    "not apply, with the reason; `pending` — it applies but is not built yet, with the reason; "
    "`failed` — a difference the ledger does not explain (or a stale entry). Type-table rows "
    "(`types/...`) have one cell, in the first column; see docs/type-table.md."
)


def _table(rows: list[tuple[str, list[Cell]]], show, names: tuple[str, ...]) -> list[str]:
    lines = ["| pair | " + " | ".join(names) + " |", "| --- | " + " | ".join("---" for _ in names) + " |"]
    lines += [f"| {row_id} | " + " | ".join(show(c) for c in cells) + " |" for row_id, cells in rows]
    return lines


def render(rows: list[tuple[str, list[Cell]]], counts: Counter, header: str,
           names: tuple[str, ...] = MODES) -> str:
    """The full report: every reason written in its cell."""
    lines = ["# Parity matrix", "", header, "", LEGEND, "", *_table(rows, Cell.full, names), "", summary(counts)]
    return "\n".join(lines) + "\n"


def render_compact(rows: list[tuple[str, list[Cell]]], counts: Counter, header: str,
                   names: tuple[str, ...] = MODES) -> str:
    """The README form: reasons as numbered notes under the table, each written once."""
    notes: dict[str, int] = {}

    def show(c: Cell) -> str:
        if c.kind == "failed":
            return "**failed**"
        if not c.reason:
            return c.text
        number = notes.setdefault(c.reason, len(notes) + 1)
        return f"{c.text} [{number}]"

    table = _table(rows, show, names)
    lines = [header, "", *table, "", *(f"{n}. {reason}" for reason, n in notes.items()), "", summary(counts)]
    return "\n".join(lines) + "\n"


def splice(readme: str, block: str) -> str:
    """The README with the text between its matrix markers replaced by ``block``."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README lacks the matrix markers {BEGIN!r} ... {END!r}")
    return readme[: start + len(BEGIN)] + "\n" + block + readme[end:]


def summary(counts: Counter) -> str:
    return "parity matrix: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ORDER)
