"""IDL parity: what `jflyte serialize` and pyflyte emit for each pair, compared in canonical form.

Semantic differences must be exactly the ledger's entries for the pair; identity differences
are written to reports/idl/ and never fail.
"""

from flyte_parity.idl.compare import compare_workflows
from flyte_parity.ledger import Found, check

from .serialized import load as _load


def test_idl_matches_ledger(idl_pair, jvm_driver, python_driver, ledger, reports_dir):
    jvm = _load(jvm_driver.serialize(idl_pair.source))
    python = _load(python_driver.serialize())
    report = compare_workflows(jvm, idl_pair.jvm, python, idl_pair.python_entity)

    out = reports_dir / "idl" / f"{idl_pair.id.replace('/', '__')}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "\n".join(["# semantic (jvm != python)", *map(str, report.semantic),
                   "# identity (recorded, not a difference)", *map(str, report.identity)]) + "\n",
        encoding="utf-8",
    )
    result = check(ledger, idl_pair.id, "idl", [Found(d.path, d.left, d.right) for d in report.semantic])
    assert result.ok, result.explain(idl_pair.id, "idl") + f"\n(full report: {out})"
