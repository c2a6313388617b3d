"""The type table: for each literal kind, identity tasks on both sides (value in, same value
out) run through the container entrypoint on the same inputs.pb, then cross-fed with each
other's outputs — the row's first value, in each SDK's own process (the other hand-picked values
go through the long-lived testees of the values mode, which the harness holds to the entrypoints'
answers) — and each of the row's values through execute-local (command-line text, which no
testee reads). Produces ledger findings per row and docs/type-table.md.

Run ``python -m flyte_parity.modes.type_table --write docs/type-table.md`` to regenerate the document
(it builds nothing: run ``make jvm`` first).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flyteidl.core import literals_pb2

from flyte_parity.sdk import outcome
from flyte_parity.base import paths, versions
from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import Catalogue, TypeEntry, load_catalogue
from flyte_parity.sdk.container import TaskResult, same_bytes
from flyte_parity.modes.entrypoint_walk import result_findings
from flyte_parity.idl.diff import Difference, diff_messages
from flyte_parity.idl.entities import EntitySet
from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.idl.literal_text import NotPassable, cli_text, python_value
from flyte_parity.idl.literals import canonical_literal
from flyte_parity.data.ledger import Divergence

DIRECTIONS = ("execute-local", "same inputs", "python → jvm", "jvm → python")
_PREFIX = {"execute-local": "execute_local.", "same inputs": "", "python → jvm": "python_to_jvm.",
           "jvm → python": "jvm_to_python."}


@dataclass
class TypeRow:
    entry: TypeEntry
    found: dict[str, list[Difference]] = field(default_factory=dict)  # value name -> findings
    crashed: dict[str, str] = field(default_factory=dict)  # value name -> what happened
    not_run: dict[str, str] = field(default_factory=dict)  # "execute-local" or a value name -> why

    def all_found(self) -> list[Difference]:
        return [f for name in self.entry.values for f in self.found.get(name, [])]


def _returned(result: TaskResult) -> literals_pb2.Literal | None:
    if result.outputs is None or "value" not in result.outputs.literals:
        return None
    return canonical_literal(result.outputs.literals["value"])


def _both_changed(prefix: str, sent: literals_pb2.Literal, jvm: TaskResult, python: TaskResult) -> list[Difference]:
    """Both sides returned the same value, and it is not what they were sent: each such field,
    with what both returned (what was sent is the catalogue's value)."""
    jvalue, pvalue = _returned(jvm), _returned(python)
    if jvalue is None or pvalue is None or diff_messages(jvalue, pvalue):
        return []
    return [Difference(f"{prefix}{d.path}", d.right, d.right) for d in diff_messages(sent, jvalue)]


def run_row(entry: TypeEntry, entities: Sides[EntitySet], sdks: Sides, work: Path) -> TypeRow:
    row = TypeRow(entry)
    if entry.unavailable:
        row.not_run.update({direction: entry.unavailable for direction in DIRECTIONS})
        return row
    jvm_driver, python_driver = sdks
    jtask, ptask = entities.jvm.tasks[entry.jvm], entities.python.tasks[entry.python_entity]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, spec in list(entry.values.items())[:1]:
            sent = literal_from_spec(spec)
            inputs = literals_pb2.LiteralMap()
            inputs.literals["value"].CopyFrom(sent)
            here = work / name
            jfut = pool.submit(jvm_driver.run_entrypoint, jtask, inputs, here / "jvm")
            pfut = pool.submit(python_driver.run_entrypoint, ptask, inputs, here / "python", dict(entry.python_env))
            jres, pres = jfut.result(), pfut.result()
            found = result_findings(f'value["{name}"]', jres, pres)
            found += _both_changed(f'value["{name}"].both_returned.', sent, jres, pres)
            cross = {}
            if pres.outputs is not None and not same_bytes(pres.outputs, inputs):
                cross["python → jvm"] = (pool.submit(jvm_driver.run_entrypoint, jtask, pres.outputs, here / "python-to-jvm"), pres)
            if jres.outputs is not None and not same_bytes(jres.outputs, inputs):
                cross["jvm → python"] = (pool.submit(python_driver.run_entrypoint, ptask, jres.outputs,
                                                     here / "jvm-to-python", dict(entry.python_env)), jres)
            for direction, (future, producer) in cross.items():
                consumer = future.result()
                prefix = f'value["{name}"].{_PREFIX[direction]}'
                # The consumer must hand back what the producer wrote (it is an identity task).
                # Slots stay JVM | Python: what the JVM side wrote or returned | the Python side's.
                jvm_side, python_side = (consumer, producer) if direction == "python → jvm" else (producer, consumer)
                if consumer.outputs is None:
                    found += result_findings(prefix.rstrip("."), jvm_side, python_side)
                else:
                    jvalue, pvalue = _returned(jvm_side), _returned(python_side)
                    found += [Difference(f"{prefix}returned.{d.path}", d.left, d.right)
                              for d in diff_messages(jvalue, pvalue)]
            if jres.outputs is None and jres.error is None:
                row.crashed[name] = f"jvm: {jres.describe()}"
            if pres.outputs is None and pres.error is None:
                row.crashed[name] = f"python: {pres.describe()}"
            row.found[name] = found
    if entry.jvm_workflow and entry.python_workflow:
        for name, spec in entry.values.items():
            sent = literal_from_spec(spec)
            row.found.setdefault(name, []).extend(_execute_local(entry, name, sent, jvm_driver, python_driver, row))
    else:
        row.not_run["execute-local"] = entry.execute_local_not_run
    return row


def _execute_local(entry: TypeEntry, name: str, sent: literals_pb2.Literal, jvm_driver, python_driver,
                   row: TypeRow) -> list[Difference]:
    """The value through jflyte execute-local (as command-line text) and a local flytekit run."""
    try:
        text, native = cli_text(sent), python_value(sent)
    except NotPassable as why:
        row.not_run[name] = str(why)
        return []
    jvm = outcome.attempt(lambda: jvm_driver.execute_local(entry.source, entry.jvm_workflow, {"value": text}))
    python = outcome.attempt(lambda: python_driver.run_workflow(entry.python_workflow, {"value": native}))
    prefix = f'value["{name}"].execute_local.'
    found = outcome.compare(jvm, python).found(prefix)
    if not found and jvm.ok and python.ok:
        found += [Difference(f"{prefix}both_returned.{d.path}", d.right, d.right)
                  for d in diff_messages(sent, jvm.outputs.literals["value"])]
    return found


def cell(row: TypeRow, direction: str, ledger: list[Divergence]) -> str:
    """'same', 'ledger' (every finding is a ledger entry) or 'differs', over the row's values."""
    prefix = _PREFIX[direction]
    mine = []
    for name in row.entry.values:
        for f in row.found.get(name, []):
            rest = f.path[len(f'value["{name}"].'):] if f.path.startswith(f'value["{name}"].') else ""
            others = [p for p in _PREFIX.values() if p]
            in_direction = rest.startswith(prefix) if prefix else not any(rest.startswith(p) for p in others)
            if in_direction:
                mine.append(f)
    if direction in row.not_run:
        return f"not run: {row.not_run[direction]}"
    skipped = [name for name in row.entry.values if name in row.not_run] if direction == "execute-local" else []
    note = f"; not run for {', '.join(skipped)}: {row.not_run[skipped[0]]}" if skipped else ""
    if not mine:
        return "same" + note
    listed = {(d.path, d.jvm, d.python) for d in ledger if d.pair == row.entry.id and d.mode == "types"}
    values = sorted({f.path.split("]")[0][len('value["'):-1] for f in mine})
    verdict = "ledger" if all((f.path, f.jvm, f.python) in listed for f in mine) else "differs"
    return f"{verdict} ({', '.join(values)}){note}"


def render_markdown(rows: list[TypeRow], ledger: list[Divergence], versions: str) -> str:
    lines = [
        "# Type table",
        "",
        "Generated by `python -m flyte_parity.modes.type_table --write docs/type-table.md` (checked by",
        "`tests/parity/test_modes.py`); do not edit by hand.",
        "",
        f"{versions}. A row's first value (in bold) is sent as the same `inputs.pb` to an identity task",
        "on each side (`jflyte execute` / `pyflyte-execute`, no server); then each side's `outputs.pb`",
        "is fed to the other. A cell is `same` when both sides returned what they were given and agree, `ledger`",
        "when every difference is a ledger entry (tests/parity/ledger.toml, mode `types`), `differs`",
        "otherwise; the values involved are named. The execute-local column runs identity workflows",
        "through `jflyte execute-local` (the value as command-line text, the outputs read back from",
        "its printed map, see docs/jflyte-outputs.md) and a local flytekit run. A row whose kind the",
        "JVM side cannot express says why in every column. Rows that exist from one flytekit-java",
        "version on (the catalogue's `flytekit_java`) appear in the runs at that version.",
        "",
        "The first value checks each SDK's own process for the kind (`jflyte execute`,",
        "`pyflyte-execute`: process start, files, placeholders), and every value goes through",
        "execute-local (command-line text). Every value of a row — the first included — is also sent",
        "by the values mode, with hundreds of generated ones, through one long-lived testee per SDK,",
        "which leaves those steps out and keeps the conversion (literal in, the task's `run` /",
        "`dispatch_execute`, literal or error document out; the harness holds each testee's answers to",
        "its entrypoint's for every value here); each value's verdict there is in reports/values.md.",
        "See docs/values.md, and below for the cross-SDK problems users reported upstream.",
        "",
        "| kind | JVM source | Python setting | values | " + " | ".join(DIRECTIONS) + " |",
        "| --- | --- | --- | --- | " + " | ".join("---" for _ in DIRECTIONS) + " |",
    ]
    for row in rows:
        cells = [cell(row, d, ledger) for d in DIRECTIONS]
        setting = ", ".join(f"`{k}={v}`" for k, v in sorted(row.entry.python_env.items())) or "default"
        names = [f"**{name}**" if i == 0 else name for i, name in enumerate(row.entry.values)]
        lines.append(f"| {row.entry.kind} | {row.entry.source.name} | {setting} | {', '.join(names)} | "
                     + " | ".join(cells) + " |")
    lines += ["", *reported_section(REPORTED)]
    return "\n".join(lines) + "\n"


REPORTED = paths.REPO_ROOT / "tests" / "parity" / "reported.toml"


def reported_section(source: Path) -> list[str]:
    """The cross-SDK problems users reported upstream (``source``), each with the rows that cover it
    and what the values mode sees there."""
    import tomllib
    with source.open("rb") as handle:
        reported = tomllib.load(handle).get("reported", [])
    lines = ["## Cross-SDK problems users reported upstream", "",
             f"From `{source.relative_to(paths.REPO_ROOT)}`: each problem, the rows and values that cover it",
             "(the hand-picked values above and the generated ones of docs/values.md), and what the values",
             "mode sees there (flytekit-java 0.4.62, flytekit 1.16). The flytekit-java numbers are pull",
             "requests (the fixes), not issues; \"not covered\" names the next identity tasks to add.", "",
             "| reported | what | covered by | what the values mode sees |", "| --- | --- | --- | --- |"]
    for problem in reported:
        lines.append(f"| {problem['reported']} | {problem['what']} | {problem['covered_by']} | {problem['seen']} |")
    return lines


def versions_line() -> str:
    return versions.line()


def run_all(catalogue: Catalogue, sdks: Sides, load, work: Path) -> list[TypeRow]:
    rows = []
    for entry in catalogue.types:
        entities = Sides.of(lambda side: load(sdks[side].serialize(entry.sources[side])))
        rows.append(run_row(entry, entities, sdks, work / entry.kind / entry.source.name))
    return rows


def main(argv: list[str] | None = None) -> int:
    from flyte_parity.sdk.jvm import JvmDriver
    from flyte_parity.sdk.python import PythonDriver
    from flyte_parity.data.ledger import load_ledger
    from flyte_parity.sdk.package import load_entities

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="write the table here (default: print it)")
    args = parser.parse_args(argv)
    java = versions.flytekit_java()
    catalogue = load_catalogue(paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml", paths.REPO_ROOT).at(java)
    ledger = load_ledger(paths.REPO_ROOT / "tests" / "parity" / "ledger.toml").applicable(java, versions.flytekit())
    with tempfile.TemporaryDirectory(prefix="flyte-parity-types-") as tmp:
        work = Path(tmp)
        python = PythonDriver(work / "python")
        try:
            rows = run_all(catalogue, Sides(JvmDriver(work / "jvm"), python), load_entities, work / "runs")
        finally:
            python.close()
    text = render_markdown(rows, ledger, versions_line())
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
