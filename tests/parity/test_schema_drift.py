"""Schema drift: Flyte IDL as flytekit sees it (flyteidl from PyPI) against the IDL compiled into
the JVM side (flyteidl-protos on jflyte's classpath), from the real descriptors of both. The full
list goes to reports/schema-drift.md (and into the parity matrix report); a field that one SDK
writes in this run's entities and the other's IDL lacks, or declares with another number or type,
must be a ledger entry."""

from flyte_parity.base import versions
from flyte_parity.idl.schema import drift, index
from flyte_parity.data.ledger import Found, check
from flyte_parity.modes.schema_drift import emitted, emitted_note, jvm_descriptors, python_descriptors, render

from .serialized import load

PAIR, MODE = "schema/flyteidl", "schema-drift"


def test_schema_drift_matches_ledger(parity_catalogue, jvm_driver, python_driver, ledger, reports_dir, tmp_path):
    jvm_set, python_set = jvm_descriptors(tmp_path / "jvm-idl.pb"), python_descriptors()
    for side, files in (("jvm", jvm_set), ("python", python_set)):
        assert "flyteidl.core.TaskTemplate" in index(files)[0], f"{side}: no flyteidl.core descriptors were read"
    items = drift(jvm_set, python_set)
    jvm_emits = emitted(load(jvm_driver.serialize(s)) for s in parity_catalogue.sources.values())
    python_emits = emitted([load(python_driver.serialize())])
    (reports_dir / "schema-drift.md").write_text(render(items, jvm_emits, python_emits, versions.line() + "."),
                                                 encoding="utf-8")
    found = []
    for item in items:
        note = emitted_note(item, jvm_emits, python_emits)
        if note:
            found.append(Found(item.name, *item.values()))
    result = check(ledger, PAIR, MODE, found)
    assert result.ok, result.explain(PAIR, MODE) + "\n(full list: reports/schema-drift.md)"
