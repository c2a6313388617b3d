"""Entrypoint parity: every task of a pair runs as its container would (`jflyte execute` /
`pyflyte-execute`, propeller's placeholders replaced by file:// locations, no server), on the
same inputs.pb both sides; then cross-fed with the other SDK's outputs. Findings must be exactly
the ledger's entries for the pair in mode `entrypoint`."""

import json

from flyte_parity.data.ledger import check


def test_entrypoint_matches_ledger(entrypoint_case, case_runner, ledger, reports_dir):
    pair = entrypoint_case.pair
    result = case_runner.result("entrypoint", entrypoint_case)
    matrix = {f"{producer}->{consumer}": state for (producer, consumer), state in sorted(result.matrix().items())}
    out = reports_dir / "entrypoint" / f"{entrypoint_case.id.replace('/', '__')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "matrix": matrix,
        "runs": [{"node": r.node, "path": r.path, "producer": r.producer, "consumer": r.consumer, "exit_code": r.result.exit_code,
                  "reused_straight_run": r.reused} for r in result.runs],
        "found": [f.__dict__ for f in result.found],
    }, indent=2), encoding="utf-8")
    failed = {cell: [r.result.describe() for r in result.runs if (r.producer, r.consumer) == tuple(cell.split("->"))
                     and r.result.outputs is None] for cell, state in matrix.items() if state != "outputs"}
    verdict = check(ledger, pair.id, "entrypoint", result.found)
    assert verdict.ok, (verdict.explain(pair.id, "entrypoint") + "\n" + result.explain()
                        + f"\nmatrix: {matrix}\n{failed}")
    assert set(matrix) == {"jvm->jvm", "python->python", "python->jvm", "jvm->python"}
