"""The error contract through the container entrypoint: what each SDK writes when a task fails
(the `error` pair, a task that raises), and when its inputs.pb has a wrongly typed input or none.
Exit codes and error documents (code, kind, origin, message present) are compared; findings must
be exactly the ledger's entries (mode `bad-inputs`; the raising task is in mode `entrypoint`)."""

import json

from flyte_parity.entrypoint_run import run_bad_inputs
from flyte_parity.ledger import check

from .serialized import load


def test_bad_inputs_match_ledger(bad_inputs_pair, jvm_driver, python_driver, ledger, reports_dir, tmp_path):
    pair = bad_inputs_pair
    found, results = run_bad_inputs(
        load(jvm_driver.serialize(pair.source)), pair.jvm, load(python_driver.serialize()), pair.python_entity,
        jvm_driver, python_driver, tmp_path,
    )
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
