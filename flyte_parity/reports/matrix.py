"""The parity matrix: one table per kind of subject (pairs, type rows, situations), a column per
mode that ran, a cell per row and mode saying what the run found — ``same``, ``ledger: <topics>``
(the known divergences), ``n/a [k]`` and ``pending [k]`` (reason k in the notes under the
tables), ``FAILED``, ``skipped [k]`` or ``not run``. Pairs absent at the run's SDK versions are one
short list, not rows. Pure: columns, outcomes and ledger in; a JSON-able matrix and its markdown
out. ``splice`` puts the tables into the README between its markers (``make readme``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from flyte_parity.data.ledger import Divergence

BEGIN = "<!-- parity-matrix:begin (written by `make readme` from the last full run; do not edit) -->"
END = "<!-- parity-matrix:end -->"
ORDER = ("same", "ledger", "n/a", "pending", "failed", "skipped", "not run")
WIDTH = 80  # no cell is longer
HEADINGS = {"pairs": "pair", "types": "type row", "situations": "situation"}


@dataclass(frozen=True)
class Column:
    """One mode's column: for each row of its table, ("run", "") or ("n/a" | "pending", why)."""

    mode: str
    table: str
    rows: Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Cell:
    kind: str  # one of ORDER
    text: str  # what the cell says (at most WIDTH characters, note number aside)
    reason: str = ""  # why, for n/a, pending and skipped cells (and a ledger cell's topics when too many)
    topics: Mapping[str, int] = field(default_factory=dict)  # a ledger cell's entries per topic


def ledger_text(entries: list[Divergence]) -> tuple[str, str]:
    """A ledger cell: its topics, with counts; without counts when that is too long; else the
    number of topics, with the topics as the cell's note."""
    counted = Counter(d.topic for d in entries)
    with_counts = ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in sorted(counted.items()))
    plain = ", ".join(sorted(counted))
    for text in (f"ledger: {with_counts}", f"ledger: {plain}"):
        if len(text) <= WIDTH:
            return text, ""
    return f"ledger: {len(counted)} topics", f"topics: {with_counts}"


def cell(state: str, reason: str, outcomes: list[str] | None, ledger: list[Divergence]) -> Cell:
    """One row and mode. ``outcomes`` are the pytest outcomes of its tests (``not run: <why>`` for
    a test that could not run because the machine lacks a part it needs)."""
    if state in ("n/a", "pending"):
        return Cell(state, state, reason)
    if not outcomes:
        return Cell("not run", "not run")
    if "failed" in outcomes:
        return Cell("failed", "FAILED")
    missing = [o.partition(": ")[2] for o in outcomes if o.startswith("not run: ")]
    if missing:
        return Cell("not run", "not run", missing[0])
    if "skipped" in outcomes:
        return Cell("skipped", "skipped")
    if ledger:
        text, note = ledger_text(ledger)
        return Cell("ledger", text, note, dict(Counter(d.topic for d in ledger)))
    return Cell("same", "same")


def build(columns: Iterable[Column], outcomes: Mapping[tuple[str, str], list[str]],
          explained: Mapping[tuple[str, str], list[Divergence]],
          *, header: str, absent: Mapping[str, str] = {}, pending: Mapping[str, str] = {},
          versions: Mapping[str, object] = {}, ran_at: str = "",
          failures: Mapping[tuple[str, str], list[str]] = {}, replayed: int | None = None) -> dict:
    """The matrix as data (what matrix.json holds and ``render`` shows). ``explained``: for each row
    and mode, the ledger entries that explained what its tests found (a ledger cell's topics, and
    each entry's path and both values: the cell's details); ``failures``: what a failed cell's
    tests said; ``replayed``: how many SDK results the run replayed from its store (None: the store
    was off)."""
    tables: dict[str, dict[str, list[str]]] = {}
    cells: dict[str, dict[str, dict[str, str]]] = {}
    counts: Counter = Counter()
    topics: Counter = Counter()
    for column in columns:
        table = tables.setdefault(column.table, {"columns": [], "rows": []})
        table["columns"].append(column.mode)
        for row, (state, reason) in column.rows.items():
            if row not in table["rows"]:
                table["rows"].append(row)
            entries = explained.get((row, column.mode), [])
            found = cell(state, reason, outcomes.get((row, column.mode)), entries)
            details = {"entries": [{"path": d.path, "jvm": d.jvm, "python": d.python, "topic": d.topic}
                                   for d in entries]} if found.kind == "ledger" else {}
            if found.kind == "failed":
                details["problems"] = list(failures.get((row, column.mode), []))
            cells.setdefault(row, {})[column.mode] = {**found.__dict__, "topics": dict(found.topics), **details}
            counts[found.kind] += 1
            topics.update(found.topics)
    return {"header": header, **versions, "ran_at": ran_at, "replayed": replayed, "tables": tables, "cells": cells,
            "counts": dict(counts), "topics": dict(topics), "absent": dict(absent), "pending": dict(pending)}


RESULTS = ("same", "ledger", "failed", "skipped")  # what a run found (n/a and pending come from the catalogue)
SAME_RUN_KEYS = ("header", "flytekit_java", "flytekit_java_commit", "flytekit", "default_catalogue")


def merge(previous: Mapping | None, current: dict) -> dict:
    """``current`` with each cell it did not run (not selected) kept from ``previous`` — a matrix of
    the same SDK versions and catalogue — marked with the time of the run that found it, and the
    columns and rows only ``previous`` has. Counts, then, are of every cell shown; ``kept`` says
    how many came from earlier runs."""
    if not previous or any(previous.get(k) != current.get(k) for k in SAME_RUN_KEYS) or "tables" not in previous:
        return {**current, "kept": 0}
    merged = {**current, "tables": {}, "cells": {row: dict(c) for row, c in current["cells"].items()}}
    kept = 0
    for table in dict.fromkeys([*previous["tables"], *current["tables"]]):
        old, new = previous["tables"].get(table, {}), current["tables"].get(table, {})
        columns = list(dict.fromkeys([*old.get("columns", []), *new.get("columns", [])]))
        rows = list(dict.fromkeys([*new.get("rows", []), *old.get("rows", [])]))
        merged["tables"][table] = {"columns": columns, "rows": rows}
        for row in rows:
            for column in columns:
                mine = merged["cells"].get(row, {}).get(column)
                theirs = previous["cells"].get(row, {}).get(column)
                if theirs and theirs["kind"] != "not run" and (mine is None or (mine["kind"] == "not run"
                                                                                 and not mine["reason"])):
                    if theirs["kind"] in RESULTS:
                        theirs = {**theirs, "as_of": theirs.get("as_of") or previous.get("ran_at") or "an earlier run"}
                        kept += 1
                    merged["cells"].setdefault(row, {})[column] = theirs
    counts: Counter = Counter(c["kind"] for cells in merged["cells"].values() for c in cells.values())
    topics: Counter = Counter()
    for cells in merged["cells"].values():
        for found in cells.values():
            topics.update(found.get("topics", {}))
    merged["counts"], merged["topics"], merged["kept"] = dict(counts), dict(topics), kept
    return merged


LEGEND = (
    "Cells: `same` — the SDKs agree; `ledger: <topics>` — they differ exactly by known divergences "
    "(tests/parity/ledger.toml; each topic is explained there and in docs/divergences.md); `n/a [k]` — the "
    "mode does not apply, for reason k below; `pending [k]` — it applies but is not built yet; `FAILED` — a "
    "difference the ledger does not explain (or a stale entry); `skipped` — it could not run on this host "
    "(the test's skip says why); `not run` — not selected in this run, or `not run [k]`: the machine lacks "
    "a part it needs (reason k)."
)


def render(matrix: dict, full: bool = True) -> str:
    """The matrix in markdown: each table, the absent pairs, the pairs still pending, the notes and
    the counts (``full``: with a title and the legend, as reports/parity-matrix.md)."""
    notes: dict[str, int] = {}

    def note(reason: str) -> str:
        return f"[{notes.setdefault(reason, len(notes) + 1)}]"

    def show(found: dict | None) -> str:
        if not found:
            return ""
        reason = "; ".join(filter(None, [found["reason"], found.get("as_of") and
                                         f"kept from the run of {found['as_of']} (not run in this one)"]))
        return f"{found['text']} {note(reason)}" if reason else found["text"]

    lines = (["# Parity matrix", "", matrix["header"], "", LEGEND, ""] if full else [matrix["header"], ""])
    if full:
        lines[3:3] = [replayed_line(matrix.get("replayed")), ""]
    for table, shape in matrix["tables"].items():
        names = shape["columns"]
        lines += [f"| {HEADINGS.get(table, table)} | " + " | ".join(names) + " |",
                  "| --- | " + " | ".join("---" for _ in names) + " |"]
        lines += [f"| {row} | " + " | ".join(show(matrix["cells"][row].get(name)) for name in names) + " |"
                  for row in shape["rows"]]
        lines.append("")
    if matrix["absent"]:
        lines.append("Not in this run's SDK versions: " + ", ".join(
            f"{pair} {note(why)}" for pair, why in matrix["absent"].items()) + ".")
    if matrix["pending"]:
        lines.append("Registered JVM entities with no pair yet: " + ", ".join(
            f"{entity} {note(why)}" for entity, why in matrix["pending"].items()) + ".")
    if matrix["absent"] or matrix["pending"]:
        lines.append("")
    lines += [f"{n}. {reason}" for reason, n in notes.items()]
    lines += ["", summary(Counter(matrix["counts"]), matrix.get("kept", 0))]
    return "\n".join(lines) + "\n"


def splice(readme: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    """The README with the text between two markers (by default the matrix's) replaced by ``block``."""
    start, stop = readme.find(begin), readme.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"the README lacks the markers {begin!r} ... {end!r}")
    return readme[: start + len(begin)] + "\n" + block + readme[stop:]


def replayed_line(replayed: int | None) -> str:
    """What a report says of the SDK results its run replayed."""
    if replayed is None:
        return "Every SDK invocation of this run ran (the result store was off)."
    return (f"{replayed} SDK result(s) of this run were replayed from .flyte-parity/results (kept by everything "
            "that produced them); the comparisons, the ledger check and this report ran as always.")


def summary(counts: Counter, kept: int = 0) -> str:
    """The cells' counts in one line (cells, not tests: pytest counts those)."""
    line = "parity matrix cells: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in ORDER)
    return line + (f" ({kept} of them kept from earlier runs)" if kept else "")
