"""The parity dashboard: static HTML written next to the markdown reports (``html/index.html`` and
a page per ledger topic), no server and no external assets. The pair × mode matrix coloured by
outcome, each cell's details (the differences with both values and the topic explaining each, or
what a failed cell's tests said) shown when the cell is clicked; each topic with its why, upstream
source and upstream issues (or a note that none is known: a candidate to file) and the cells it
covers at each flytekit-java version the reports hold; those versions as a pair × version grid;
the type table's rows with the generated values tried. Rendered with Jinja2 templates
(``reports/templates``), autoescaped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

from jinja2 import Environment, PackageLoader, select_autoescape

from flyte_parity.data.version_spec import as_version
from flyte_parity.reports.matrix import ORDER, replayed_line

REFERENCE = re.compile(r"\b([A-Za-z0-9][\w.-]*/[\w.-]+)#(\d+)\b")


def upstream_links(issue: str) -> list[dict[str, str]]:
    """Each ``owner/repo#N`` an issue text names, as a link (GitHub sends an issue URL on to a pull
    request of that number), with the text that follows it up to the next reference as its note."""
    found = list(REFERENCE.finditer(issue or ""))
    links = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(issue)
        note = issue[match.end():end].strip(" ;,")
        links.append({"ref": match.group(0), "note": note,
                      "url": f"https://github.com/{match.group(1)}/issues/{match.group(2)}"})
    return links


def history(root: Path, current: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The matrices of the runs these reports hold, oldest flytekit-java first: this run's and each
    ``versions/*/matrix.json`` beside it (``make versions`` writes those)."""
    runs = [current]
    for path in sorted(root.glob("versions/*/matrix.json")):
        try:
            other = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if other.get("header") != current.get("header") and "cells" in other:
            runs.append(other)
    return sorted(runs, key=lambda m: as_version(str(m.get("flytekit_java", "0"))))


def _label(matrix: Mapping[str, Any]) -> str:
    commit = matrix.get("flytekit_java_commit")
    return f"flytekit-java {matrix.get('flytekit_java')} ({commit[:7] if commit else 'Maven Central'})"


def _covered(runs: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """topic -> for each run, the cells (row, mode, entries) whose ledger entries name it."""
    covered: dict[str, list[dict[str, Any]]] = {}
    for matrix in runs:
        per_topic: dict[str, list[tuple[str, str, int]]] = {}
        for row, cells in sorted(matrix.get("cells", {}).items()):
            for mode, cell in sorted(cells.items()):
                for topic, count in sorted(cell.get("topics", {}).items()):
                    per_topic.setdefault(topic, []).append((row, mode, count))
        for topic, cells in per_topic.items():
            covered.setdefault(topic, []).append({"version": _label(matrix), "cells": cells})
    return covered


def _cell_id(row: str, mode: str) -> str:
    return "cell-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{row}--{mode}").strip("-")


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("flyte_parity.reports", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["cell_id"] = lambda pair: _cell_id(*pair)
    return env


def write(folder: Path, matrix: Mapping[str, Any], topics: Mapping[str, Any], root: Path,
          value_runs: Mapping[str, Any] | None = None) -> Path:
    """Write the dashboard into ``folder`` (replacing an earlier one there); ``topics``: the
    ledger's topics (why, source, issue); ``root``: the reports folder (other versions' matrices);
    ``value_runs``: the values mode's numbers per type row, when it ran. Returns index.html."""
    runs = history(root, matrix)
    covered = _covered(runs)
    env = _environment()
    pages = folder / "topics"
    pages.mkdir(parents=True, exist_ok=True)
    for old in pages.glob("*.html"):
        old.unlink()
    topic_rows = []
    for name, topic in sorted(topics.items()):
        links, related = upstream_links(topic.issue), upstream_links(getattr(topic, "related", ""))
        (pages / f"{name}.html").write_text(env.get_template("topic.html.j2").render(
            name=name, topic=topic, links=links, related=related, covered=covered.get(name, []),
            header=matrix.get("header", ""), value_rule=topic.value_rule), encoding="utf-8")
        topic_rows.append({"name": name, "links": links, "related": related,
                           "cells": matrix.get("topics", {}).get(name, 0), "value_rule": topic.value_rule})
    all_rows = list(dict.fromkeys(row for m in runs for row in m.get("cells", {})))
    grid = [{"row": row, "cells": [_summary(m.get("cells", {}).get(row)) for m in runs]} for row in all_rows]
    values = [{"row": row, "kind": run.kind, "tried": run.tried, "agreed": run.agreed,
               "explained": dict(sorted(run.explained.items())), "seed": run.seed,
               "unexplained": run.unexplained is not None, "stale": list(run.stale)}
              for row, run in sorted((value_runs or {}).items())]
    index = folder / "index.html"
    index.write_text(env.get_template("index.html.j2").render(
        matrix=matrix, order=ORDER, tables=matrix.get("tables", {}), cells=matrix.get("cells", {}),
        topics=topic_rows, versions=[_label(m) for m in runs], grid=grid, values=values,
        cell_count=sum(matrix.get("counts", {}).values()), replayed=replayed_line(matrix.get("replayed"))),
        encoding="utf-8")
    return index


SEVERITY = ("failed", "not run", "skipped", "pending", "ledger", "same", "n/a")


def _summary(by_mode: Mapping[str, Mapping[str, Any]] | None) -> dict[str, str]:
    """A row at one version, over its modes: the most severe outcome, and for a ledger row the
    topics of all its cells."""
    if not by_mode:
        return {"kind": "absent", "text": "not at this version"}
    kinds = {cell.get("kind", "") for cell in by_mode.values()}
    kind = next((k for k in SEVERITY if k in kinds), "absent")
    if kind == "ledger":
        topics = sorted({t for cell in by_mode.values() for t in cell.get("topics", {})})
        return {"kind": kind, "text": "ledger: " + ", ".join(topics)}
    if kind == "failed":
        return {"kind": kind, "text": "FAILED: " + ", ".join(m for m, c in sorted(by_mode.items()) if c.get("kind") == "failed")}
    return {"kind": kind, "text": kind}
