from collections import Counter
from pathlib import Path

from flyte_parity.catalogue import parse_catalogue
from flyte_parity.ledger import Divergence
from flyte_parity.matrix import build, render

DATA = {
    "not_applicable": {"bad-inputs": "one pair per language"},
    "sources": {"s": {"lib": "x"}},
    "inputs": {"i": {"one": {"n": 1}}},
    "pairs": [
        {"name": "a", "jvm_source": "s", "jvm": "A", "python": "m:a", "inputs": "i",
         "modes": ["execute-local", "idl", "entrypoint"]},
        {"name": "b", "jvm_source": "s", "jvm": "B", "python": "m:b", "inputs": "i", "modes": ["idl"],
         "not_applicable": {"execute-local": "fails by design", "entrypoint": "no task"}},
    ],
    "types": [{"kind": "blob", "jvm_source": "s", "unavailable": "no blob type"}],
}


def test_cells_say_what_the_run_found():
    catalogue = parse_catalogue(DATA, Path("/r"))
    outcomes = {("a/s", "execute-local"): ["passed", "passed"], ("a/s", "idl"): ["passed"],
                ("a/s", "entrypoint"): ["passed", "failed"], ("b/s", "idl"): ["passed"]}
    ledger = [Divergence("a/s", "idl", "p", "1", "2", "w", "s"), Divergence("a/s", "idl", "q", "1", "2", "w", "s")]
    rows, counts = build(catalogue, outcomes, ledger)
    assert rows[0] == ("a/s", ["same", "ledger (2)", "**failed**", "n/a: one pair per language"])
    assert rows[1] == ("b/s", ["n/a: fails by design", "same", "n/a: no task", "n/a: one pair per language"])
    assert rows[2][0] == "types/blob/s" and rows[2][1][0] == "n/a: no blob type"
    assert counts == Counter({"same": 2, "ledger": 1, "failed": 1, "n/a": 5})
    text = render(rows, counts, "versions")
    assert "| a/s | same | ledger (2) | **failed** |" in text
    assert text.rstrip().endswith("parity matrix: 2 same, 1 ledger, 5 n/a, 0 pending, 1 failed, 0 skipped, 0 not run")


def test_pending_entities_are_rows_with_their_reason():
    catalogue = parse_catalogue({**DATA, "pending": {"s": {"org.x.SubWorkflow": "no Python twin yet"}}}, Path("/r"))
    rows, counts = build(catalogue, {}, [])
    assert rows[-1] == ("org.x.SubWorkflow (s)", ["pending: no Python twin yet", "", "", ""])
    assert counts["pending"] == 4


def test_a_mode_without_run_or_reason_is_refused():
    import pytest

    from flyte_parity.errors import UsageError

    data = {**DATA, "not_applicable": {}}
    with pytest.raises(UsageError, match=r"modes \['bad-inputs'\] are neither run nor given a reason"):
        parse_catalogue(data, Path("/r"))
