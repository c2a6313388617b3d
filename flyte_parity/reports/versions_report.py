"""Two runs of the parity suite at different flytekit-java versions, side by side: each ledger
topic and each pair × mode cell at each version, and what appeared, disappeared or changed.

Reads the ``matrix.json`` each run writes into its reports folder; writes markdown. Pure apart
from reading and writing those files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Mapping

from flyte_parity.data.version_spec import as_version

NOT_A_ROW = {"kind": "", "text": "(no such row)", "reason": ""}


def _label(run: Mapping[str, Any]) -> str:
    commit = run.get("flytekit_java_commit")
    return f"flytekit-java {run['flytekit_java']} ({commit[:7] if commit else 'Maven Central'})"


def _show(cell: Mapping[str, str]) -> str:
    text = cell.get("text", "")
    if cell.get("kind") == "failed":
        return "**failed**"
    return f"{text}: {cell['reason']}" if cell.get("reason") else text


def change(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """How one cell moved from the old run to the new one."""
    if _show(old) == _show(new):
        return ""
    kinds = (old.get("kind"), new.get("kind"))
    if kinds == ("n/a", "n/a"):
        return ""  # run at neither version (the reasons may differ, the agreement did not change)
    if kinds[0] == "n/a" and kinds[1] != "n/a":
        return "appeared"
    if kinds[1] == "n/a" and kinds[0] != "n/a":
        return "disappeared"
    if kinds == ("ledger", "same"):
        return "now the same"
    if kinds == ("same", "ledger"):
        return "now differs"
    return "changed"


def topic_counts(run: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in run.get("topics", {}).items()}


def render(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The markdown report: ``old`` is the earlier flytekit-java, ``new`` the later one."""
    a, b = _label(old), _label(new)
    lines = [f"# Parity across flytekit-java versions: {old['flytekit_java']} → {new['flytekit_java']}", "",
             f"Two runs of the parity suite with flytekit {new['flytekit']}: **{a}** and **{b}**. "
             "Each ledger topic and each pair × mode cell at each version, and what changed between them. "
             "Written by `make versions` from each run's `matrix.json`.", ""]
    old_topics, new_topics = topic_counts(old), topic_counts(new)
    lines += ["## Ledger topics", "", f"| topic | {old['flytekit_java']} | {new['flytekit_java']} | change |",
              "| --- | --- | --- | --- |"]
    for topic in sorted(set(old_topics) | set(new_topics)):
        x, y = old_topics.get(topic, 0), new_topics.get(topic, 0)
        moved = "appeared" if not x else "disappeared" if not y else "" if x == y else f"{y - x:+d} entries"
        lines.append(f"| {topic} | {x or '—'} | {y or '—'} | {moved} |")
    lines.append("")
    old, new = {**old, "cells": cells(old)}, {**new, "cells": cells(new)}
    modes = list(dict.fromkeys([*_modes(old), *_modes(new)]))
    rows = list(dict.fromkeys([*old.get("cells", {}), *new.get("cells", {})]))
    moves: dict[str, int] = {}
    table = [f"| pair | mode | {old['flytekit_java']} | {new['flytekit_java']} | change |",
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        for mode in modes:
            x = old.get("cells", {}).get(row, {}).get(mode)
            y = new.get("cells", {}).get(row, {}).get(mode)
            if x is None and y is None:
                continue
            x, y = x or NOT_A_ROW, y or NOT_A_ROW
            moved = change(x, y)
            if moved:
                moves[moved] = moves.get(moved, 0) + 1
            table.append(f"| {row} | {mode} | {_show(x)} | {_show(y)} | {moved} |")
    summary = ", ".join(f"{n} {what}" for what, n in sorted(moves.items())) or "nothing"
    changed = table[:2] + [line for line in table[2:] if not line.endswith("|  |")]
    lines += ["## What changed", "", f"Between the two versions: {summary}.", "", *changed, "",
              "## Every cell", "", *table, "", f"{a}: {_counts(old)}", "", f"{b}: {_counts(new)}", ""]
    return "\n".join(lines)


def cells(run: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A run's cells, with each pair absent at its versions as an n/a cell (its reason) in every pair column."""
    columns = run.get("tables", {}).get("pairs", {}).get("columns", [])
    absent = {pair: {mode: {"kind": "n/a", "text": "n/a", "reason": why} for mode in columns}
              for pair, why in run.get("absent", {}).items()}
    return {**run.get("cells", {}), **absent}


def _modes(run: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(mode for cells in run.get("cells", {}).values() for mode in cells))


def _counts(run: Mapping[str, Any]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(run.get("counts", {}).items()))


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SystemExit(f"flyte-parity: cannot read {path} ({err}); run the parity suite first (make versions)")
    if "flytekit_java" not in data or "cells" not in data:
        raise SystemExit(f"flyte-parity: {path} is not a parity run's matrix.json; run the parity suite first")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flyte_parity.reports.versions_report", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs=2, type=Path, help="two matrix.json files (any order)")
    parser.add_argument("--out", type=Path, help="write the markdown here (default: print it)")
    args = parser.parse_args(argv)
    first, second = (_load(p) for p in args.runs)
    old, new = sorted((first, second), key=lambda run: as_version(run["flytekit_java"]))
    text = render(old, new)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
