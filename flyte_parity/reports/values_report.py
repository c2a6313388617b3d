"""The values mode's numbers: per type row, the values tried, how many agreed, which value rules
explained the rest (with the smallest value each rule explained) and what failed (``reports/values.md``)."""

from __future__ import annotations

from typing import Any, Mapping


def render(runs: Mapping[str, Any], seed: int, header: str) -> str:
    """``runs``: type row -> what the values mode saw there (``values.search.KindRun``)."""
    lines = ["# Generated values", "", f"{header} Seed {seed} (replay with `--values-seed={seed}`).", "",
             "| type row | tried | agreed | explained by rule (values) | unexplained | stale rules |",
             "| --- | ---: | ---: | --- | --- | --- |"]
    tried = agreed = 0
    for row in sorted(runs):
        run = runs[row]
        tried, agreed = tried + run.tried, agreed + run.agreed
        rules = ", ".join(f"{name} ({count})" for name, count in sorted(run.explained.items())) or "-"
        failed = "minimal value: `" + _short(_first(run.unexplained)) + "`" if run.unexplained is not None else "-"
        lines.append(f"| {row} | {run.tried} | {run.agreed} | {rules} | {failed} | {', '.join(run.stale) or '-'} |")
    lines += ["", f"{tried} values tried, {agreed} agreed.", "", "## Each rule's smallest example (the smallest value it explained)", ""]
    minimal = sorted({(name, example) for run in runs.values() for name, example in run.minimal.items()})
    lines += [f"- {name}: `{_short(example)}`" for name, example in minimal] or ["(no rule explained anything)"]
    lines += ["", "## Values every run sends", "", "| type row | value | verdict |", "| --- | --- | --- |"]
    lines += [f"| {row} | `{_short(value)}` | {verdict} |" for row in sorted(runs) for value, verdict in runs[row].always]
    return "\n".join(lines) + "\n"


def _first(unexplained) -> str:
    return unexplained.describe()[0].removeprefix("minimal value: ")


def _short(text: str, limit: int = 300) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[:limit] + "…"
