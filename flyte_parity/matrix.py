"""The parity matrix: rows are catalogue pairs (and type-table rows), columns are modes, cells
say what the run found — same, ledger (known divergences, counted), not applicable (with the
reason), failed, or not run in this session. Pure: outcomes in, markdown and counts out."""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from .catalogue import MODES, Catalogue
from .ledger import Divergence



def cell(outcomes: list[str] | None, ledger_count: int, reason: str | None,
         pending: str | None = None) -> tuple[str, str]:
    """(kind, text) for one pair and mode. ``outcomes`` are pytest outcomes of its tests."""
    if reason is not None:
        return "n/a", f"n/a: {reason}"
    if pending is not None:
        return "pending", f"pending: {pending}"
    if not outcomes:
        return "not run", "not run in this session"
    if any(o == "failed" for o in outcomes):
        return "failed", "**failed**"
    if any(o == "skipped" for o in outcomes):
        return "skipped", "skipped"
    if ledger_count:
        return "ledger", f"ledger ({ledger_count})"
    return "same", "same"


def build(
    catalogue: Catalogue, outcomes: Mapping[tuple[str, str], list[str]], ledger: Iterable[Divergence]
) -> tuple[list[tuple[str, list[str]]], Counter]:
    """Rows of (row id, cell texts per column) for pairs then type rows, and the count per kind."""
    per_key = Counter((d.pair, d.mode) for d in ledger)
    counts: Counter = Counter()
    rows = []
    for pair in catalogue.pairs:
        texts = []
        for mode in MODES:
            pending = pair.pending.get(mode)
            reason = None if mode in pair.modes or pending else pair.not_applicable.get(mode, "not in this pair's modes")
            kind, text = cell(outcomes.get((pair.id, mode)), per_key[(pair.id, mode)], reason, pending)
            counts[kind] += 1
            texts.append(text)
        rows.append((pair.id, texts))
    for entry in catalogue.types:
        reason = entry.unavailable
        kind, text = cell(outcomes.get((entry.id, "types")), per_key[(entry.id, "types")], reason)
        counts[kind] += 1
        rows.append((entry.id, [text] + [""] * (len(MODES) - 1)))
    for (source, cls), reason in sorted(catalogue.pending.items()):
        counts["pending"] += len(MODES)
        rows.append((f"{cls} ({source})", [f"pending: {reason}"] + [""] * (len(MODES) - 1)))
    return rows, counts


def render(rows: list[tuple[str, list[str]]], counts: Counter, header: str) -> str:
    columns = list(MODES)
    lines = [
        "# Parity matrix", "", header, "",
        "Cells: `same` — the SDKs agree; `ledger (n)` — they differ exactly by n known divergences "
        "(tests/parity/ledger.toml); `n/a` — the mode does not apply, with the reason; `failed` — "
        "a difference the ledger does not explain (or a stale entry); `pending` — a registered JVM "
        "entity with no pair yet, with the reason (one cell, counted once per mode). Type-table rows "
        "(`types/...`) have one cell, in the first column; see docs/type-table.md.", "",
        "| pair | " + " | ".join(columns) + " |",
        "| --- | " + " | ".join("---" for _ in columns) + " |",
    ]
    lines += [f"| {row_id} | " + " | ".join(texts) + " |" for row_id, texts in rows]
    lines += ["", summary(counts)]
    return "\n".join(lines) + "\n"


def summary(counts: Counter) -> str:
    order = ("same", "ledger", "n/a", "pending", "failed", "skipped", "not run")
    return "parity matrix: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in order)
