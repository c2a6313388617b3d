from collections import Counter
from pathlib import Path

from flyte_parity.data.catalogue import parse_catalogue
from flyte_parity.data.ledger import Divergence
from flyte_parity.reports.matrix import BEGIN, END, build, render, render_compact, splice

DATA = {
    "not_applicable": {"bad-inputs": "one pair per language"},
    "sources": {"s": {"lib": "x"}},
    "inputs": {"i": {"one": {"n": 1}}},
    "pairs": [
        {"name": "a", "jvm_source": "s", "jvm": "A", "python": "m:a", "inputs": "i",
         "modes": ["execute-local", "idl", "entrypoint", "register", "flytectl", "execution"]},
        {"name": "b", "jvm_source": "s", "jvm": "B", "python": "m:b", "inputs": "i", "modes": ["idl"],
         "not_applicable": {"execute-local": "fails by design", "entrypoint": "no task", "register": "no register",
                                                                 "flytectl": "no register", "execution": "no register"}},
    ],
    "types": [{"kind": "blob", "jvm_source": "s", "unavailable": "no blob type"}],
}


def test_cells_say_what_the_run_found():
    catalogue = parse_catalogue(DATA, Path("/r"))
    outcomes = {("a/s", "execute-local"): ["passed", "passed"], ("a/s", "idl"): ["passed"],
                ("a/s", "entrypoint"): ["passed", "failed"], ("b/s", "idl"): ["passed"], ("a/s", "register"): ["passed"],
                ("a/s", "flytectl"): ["passed"], ("a/s", "execution"): ["passed"]}
    ledger = [Divergence("a/s", "idl", "p", "t", "1", "2", "w", "s"), Divergence("a/s", "idl", "q", "t", "1", "2", "w", "s")]
    rows, counts = build(catalogue, outcomes, ledger)
    full = [(row, [c.full() for c in cells]) for row, cells in rows]
    assert full[0] == ("a/s", ["same", "ledger: t ×2", "**failed**", "n/a: one pair per language", "same", "same", "same"])
    assert full[1] == ("b/s", ["n/a: fails by design", "same", "n/a: no task", "n/a: one pair per language",
                               "n/a: no register", "n/a: no register", "n/a: no register"])
    assert full[2][0] == "types/blob/s" and full[2][1][0] == "n/a: no blob type"
    assert counts == Counter({"same": 5, "ledger": 1, "failed": 1, "n/a": 8})
    text = render(rows, counts, "versions")
    assert "| a/s | same | ledger: t ×2 | **failed** |" in text
    assert text.rstrip().endswith("parity matrix: 5 same, 1 ledger, 8 n/a, 0 pending, 1 failed, 0 skipped, 0 not run")


def test_pending_entities_are_rows_with_their_reason():
    catalogue = parse_catalogue({**DATA, "pending": {"s": {"org.x.SubWorkflow": "no Python twin yet"}}}, Path("/r"))
    rows, counts = build(catalogue, {}, [])
    assert (rows[-1][0], [c.full() for c in rows[-1][1]]) == ("org.x.SubWorkflow (s)", ["pending: no Python twin yet", "", "", "", "", "", ""])
    assert counts["pending"] == 7


def test_a_mode_without_run_or_reason_is_refused():
    import pytest

    from flyte_parity.base.errors import UsageError

    data = {**DATA, "not_applicable": {}}
    with pytest.raises(UsageError, match=r"modes \['bad-inputs'\] are neither run nor given a reason"):
        parse_catalogue(data, Path("/r"))


def test_ledger_cells_name_each_topic_once_with_its_count():
    catalogue = parse_catalogue(DATA, Path("/r"))
    ledger = [Divergence("a/s", "idl", p, t, "1", "2", "w", "s")
              for p, t in (("p", "deck"), ("q", "deck"), ("r", "launch-plan"))]
    rows, _ = build(catalogue, {("a/s", "idl"): ["passed"]}, ledger)
    assert rows[0][1][1].full() == "ledger: deck ×2, launch-plan"


def test_compact_form_numbers_each_reason_once():
    catalogue = parse_catalogue(DATA, Path("/r"))
    rows, counts = build(catalogue, {("a/s", "idl"): ["passed"], ("b/s", "idl"): ["passed"]}, [])
    text = render_compact(rows, counts, "versions")
    assert text.count("one pair per language") == 1  # two cells, one note
    assert "| b/s | n/a [2] | same | n/a [3] | n/a [1] | n/a [4] | n/a [4] | n/a [4] |" in text
    assert "1. one pair per language" in text and "2. fails by design" in text


def test_splice_replaces_only_the_marked_block():
    readme = f"intro\n{BEGIN}\nold table\n{END}\noutro\n"
    assert splice(readme, "new table\n") == f"intro\n{BEGIN}\nnew table\n{END}\noutro\n"
    import pytest
    with pytest.raises(ValueError, match="markers"):
        splice("no markers here", "x")


def test_service_modes_are_pending_columns_for_every_pair():
    from flyte_parity.reports.matrix import columns

    catalogue = parse_catalogue({**DATA, "service_modes": {"sandbox": "needs an admin"}}, Path("/r"))
    assert columns(catalogue)[-1] == "sandbox"
    rows, counts = build(catalogue, {}, [])
    assert [cells[-1].full() for _, cells in rows[:2]] == ["pending: needs an admin"] * 2
    assert rows[2][1][-1].full() == ""  # a type row has one cell only
    assert counts["pending"] == 2
    assert "| pair | execute-local | idl | entrypoint | bad-inputs | register | flytectl | execution | sandbox |" in render(rows, counts, "v", columns(catalogue))


def test_service_modes_must_not_shadow_a_run_mode_and_need_a_reason():
    import pytest

    from flyte_parity.base.errors import UsageError

    with pytest.raises(UsageError, match="is a mode the suite runs"):
        parse_catalogue({**DATA, "service_modes": {"idl": "x"}}, Path("/r"))
    with pytest.raises(UsageError, match="needs a reason"):
        parse_catalogue({**DATA, "service_modes": {"sandbox": ""}}, Path("/r"))
