"""The error contract through the container entrypoint: what each SDK writes when a task fails
(the `error` pair, a task that raises), and when its inputs.pb has a wrongly typed input or none.
Exit codes and error documents (code, kind, origin, message present) are compared; findings must
be exactly the ledger's entries (mode `bad-inputs`; the raising task is in mode `entrypoint`)."""

import json

from flyte_parity.data.ledger import check


def test_bad_inputs_match_ledger(bad_inputs_pair, case_runner, ledger, reports_dir):
    pair = bad_inputs_pair
    found, results = case_runner.result("bad-inputs", pair)
    out = reports_dir / "bad-inputs" / f"{pair.id.replace('/', '__')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        case: {side: {"exit_code": r.exit_code, "outputs": r.outputs is not None,
                      "error_code": r.error.error.code if r.error else None}
               for side, r in sides.items()}
        for case, sides in results.items()
    }, indent=2), encoding="utf-8")
    verdict = check(ledger, pair.id, "bad-inputs", found)
    shown = "\n".join(f"{case} {side}: {r.describe()}" for case, sides in results.items() for side, r in sides.items())
    assert verdict.ok, verdict.explain(pair.id, "bad-inputs") + "\n" + shown
