"""Version awareness: specifiers, the ledger's per-version strictness, catalogue entries that exist
only at some flytekit-java versions, and the report that puts two versions side by side."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flyte_parity.data.catalogue import parse_catalogue
from flyte_parity.base.errors import UsageError
from flyte_parity.data.ledger import check, parse_ledger
from flyte_parity.idl.diff import Difference
from flyte_parity.modes import registry
from flyte_parity.modes.base import pair_cell
from flyte_parity.data.version_spec import as_version, matches
from flyte_parity.reports.versions_report import change, render

ENTRY = {"pair": "p/s", "mode": "idl", "path": "x.y", "topic": "t", "jvm": "1", "python": "2"}
TOPICS = {"t": {"why": "w", "source": "f.java"}}
VERSIONS = {"flytekit_java": ["0.3.20", "0.4.62"], "flytekit": ["1.16.31"]}


def ledger(*entries, versions=VERSIONS):
    return parse_ledger({"versions": versions, "topics": TOPICS, "divergence": [dict(ENTRY, **e) for e in entries]})


# --- specifiers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, version, expected", [
    ((">=0.4.0",), "0.4.62", True), ((">=0.4.0",), "0.3.20", False), (("==0.3.20",), "0.3.20", True),
    ((">=0.4.0",), "0.4.63-SNAPSHOT", True), (("<0.4.63",), "0.4.63-SNAPSHOT", False),
    (("==0.3.20", ">=0.4.39"), "0.4.39", True), (("==0.3.20", ">=0.4.39"), "0.4.38", False), ((), "9.9.9", True),
])
def test_specifiers(spec, version, expected):
    assert matches(spec, version) is expected


def test_a_snapshot_sorts_before_its_release():
    assert as_version("0.4.63-SNAPSHOT") < as_version("0.4.63") and as_version("0.4.62") < as_version("0.4.63-SNAPSHOT")


@given(st.tuples(st.integers(0, 9), st.integers(0, 99), st.integers(0, 99)))
def test_every_release_is_in_exactly_one_of_a_split(parts):
    version = ".".join(map(str, parts))
    assert matches(("<0.4.0",), version) != matches((">=0.4.0",), version)


# --- the ledger ---------------------------------------------------------------------------------

def test_each_entry_applies_only_at_its_versions():
    entries = ledger({"flytekit_java": "==0.3.20"}, {"flytekit_java": ">=0.4", "path": "z", "flytekit": ">=1.16"})
    assert [d.path for d in entries.applicable("0.3.20", "1.16.31")] == ["x.y"]
    assert [d.path for d in entries.applicable("0.4.62", "1.16.31")] == ["z"]
    assert entries.applicable("0.4.62", "1.15.0") == []


def test_strictness_holds_per_version():
    """At 0.3.20 the entry must reproduce; at 0.4.62 it is no claim, so the same finding is unexpected."""
    entries = ledger({"flytekit_java": "==0.3.20"})
    found = [Difference("x.y", "1", "2")]
    assert check(entries.applicable("0.3.20"), "p/s", "idl", found).ok
    assert not check(entries.applicable("0.3.20"), "p/s", "idl", []).ok  # stops reproducing: stale
    at_new = check(entries.applicable("0.4.62"), "p/s", "idl", found)
    assert not at_new.ok and at_new.unexpected == tuple(found)
    assert check(entries.applicable("0.4.62"), "p/s", "idl", []).ok


def test_one_difference_may_have_other_values_at_other_versions():
    entries = ledger({"flytekit_java": "==0.3.20"}, {"flytekit_java": ">=0.4", "jvm": "3"})
    assert check(entries.applicable("0.4.62"), "p/s", "idl", [Difference("x.y", "3", "2")]).ok
    assert not check(entries.applicable("0.4.62"), "p/s", "idl", [Difference("x.y", "1", "2")]).ok


@pytest.mark.parametrize("entries, words", [
    (({"flytekit_java": ">=0.5"},), "applies to no flytekit-java version the suite runs (0.3.20, 0.4.62)"),
    (({"flytekit_java": ">=0.4", "flytekit": "<1.0"},), "applies to no flytekit version the suite runs"),
    (({"flytekit_java": ">=0.3"}, {"flytekit_java": ">=0.4"}), "repeats ('p/s', 'idl', 'x.y') for flytekit-java 0.4.62"),
    (({},), "lacks flytekit_java"),
    (({"flytekit_java": "0.4"},), "is not a version specifier"),
    (({"flytekit_java": []},), "lacks flytekit_java"),
    (({"flytekit_java": [">=0.4", 4]},), "must be a version specifier"),
    (({"flytekit_java": ">=0.4", "versions": "x"},), "unknown keys ['versions']"),
])
def test_bad_entries_are_refused(entries, words):
    with pytest.raises(UsageError) as raised:
        ledger(*entries)
    assert words in str(raised.value)


def test_entries_for_different_flytekit_versions_do_not_clash():
    entries = ledger({"flytekit_java": ">=0.4", "flytekit": "<1.16"}, {"flytekit_java": ">=0.4", "flytekit": ">=1.16"},
                     versions={"flytekit_java": ["0.4.62"], "flytekit": ["1.15.0", "1.16.31"]})
    assert len(entries.applicable("0.4.62", "1.16.31")) == 1


# --- the catalogue ------------------------------------------------------------------------------

CATALOGUE = {
    "not_applicable": {m.name: "not here" for m in registry.pair_modes() if m.name != "idl"},
    "sources": {"s": {"lib": "{build}/lib/s"}},
    "inputs": {"i": {"one": {"n": 1}}},
    "pairs": [
        {"name": "old", "jvm_source": "s", "jvm": "a.Old", "python": "m:wf", "inputs": "i", "modes": ["idl"]},
        {"name": "new", "jvm_source": "s", "jvm": "a.New", "python": "m:wf", "inputs": "i", "modes": ["idl"],
         "flytekit_java": ">=0.4", "absent_why": "the 0.3 examples have no such workflow"},
    ],
    "pending": {"s": {"a.Later": {"why": "twin not written", "flytekit_java": ">=0.4"}, "a.Always": "no twin"}},
}


def test_an_entry_absent_at_a_version_says_why_and_fills_no_cell():
    at_old = registry.resolve(parse_catalogue(CATALOGUE, Path("/r")).at("0.3.20"), "0.3.20", "1.16.31")
    new = next(p for p in at_old.pairs if p.name == "new")
    assert new.modes == () and "a.New exists at flytekit-java >=0.4" in new.absent
    assert "the 0.3 examples have no such workflow" in new.absent
    assert [p.name for p in at_old.pairs_in("idl")] == ["old"]
    for mode in registry.pair_modes():
        assert "new/s" not in mode.cells(at_old)
    assert pair_cell(next(p for p in at_old.pairs if p.name == "old"), "idl") == ("run", "")
    assert sorted(at_old.pending) == [("s", "a.Always")]
    at_new = parse_catalogue(CATALOGUE, Path("/r")).at("0.4.62")
    assert [p.name for p in at_new.pairs_in("idl")] == ["old", "new"]
    assert sorted(at_new.pending) == [("s", "a.Always"), ("s", "a.Later")]


def test_source_folders_follow_the_jvm_build(monkeypatch):
    monkeypatch.setenv("FLYTE_PARITY_JVM_BUILD", "mvn-0.3.20")
    catalogue = parse_catalogue(CATALOGUE, Path("/r"))
    assert catalogue.sources["s"].lib == Path("/r/jvm/target/mvn-0.3.20/lib/s")


def test_absent_why_without_versions_is_refused():
    data = {**CATALOGUE, "pairs": [dict(CATALOGUE["pairs"][0], absent_why="x")]}
    with pytest.raises(UsageError, match="absent_why needs flytekit_java"):
        parse_catalogue(data, Path("/r"))


# --- the report across versions -----------------------------------------------------------------

def run(version, cells, topics, commit=None):
    return {"flytekit_java": version, "flytekit_java_commit": commit, "flytekit": "1.16.31", "topics": topics,
            "counts": {}, "cells": cells}


def cell(kind, text=None, reason=""):
    return {"kind": kind, "text": text or kind, "reason": reason}


@pytest.mark.parametrize("old, new, expected", [
    (cell("same"), cell("same"), ""), (cell("n/a", reason="absent"), cell("same"), "appeared"),
    (cell("n/a", reason="absent"), cell("n/a", reason="not this mode"), ""),
    (cell("same"), cell("n/a", reason="absent"), "disappeared"), (cell("ledger", "ledger: a"), cell("same"), "now the same"),
    (cell("same"), cell("ledger", "ledger: a"), "now differs"),
    (cell("ledger", "ledger: a"), cell("ledger", "ledger: b"), "changed"),
])
def test_how_a_cell_moves(old, new, expected):
    assert change(old, new) == expected


def test_the_report_names_both_versions_topics_and_moves():
    old = run("0.3.20", {"w/s": {"idl": cell("ledger", "ledger: deck"), "entrypoint": cell("same")}}, {"deck": 2})
    new = run("0.4.62", {"w/s": {"idl": cell("same"), "entrypoint": cell("same")},
                         "n/s": {"idl": cell("same")}}, {"enum": 1}, commit="3e1a61780762")
    text = render(old, new)
    assert "flytekit-java 0.3.20 (Maven Central)" in text and "flytekit-java 0.4.62 (3e1a617)" in text
    assert "| deck | 2 | — | disappeared |" in text and "| enum | — | 1 | appeared |" in text
    assert "| w/s | idl | ledger: deck | same | now the same |" in text
    assert text.count("| w/s | entrypoint | same | same |  |") == 1  # unchanged: under "Every cell" only
    assert text.count("| w/s | idl | ledger: deck | same | now the same |") == 2  # also under "What changed"
    assert "| n/s | idl | (no such row) | same | changed |" in text
    assert "1 changed, 1 now the same" in text


def test_a_draft_records_unexplained_differences_as_entries_to_fill_in(tmp_path):
    import tomllib

    from flyte_parity.data.ledger import Draft, RunLedger

    draft = tmp_path / "draft.toml"
    run_ledger = RunLedger(ledger({"flytekit_java": "==0.3.20", "path": "gone"}).entries, Draft(draft, "0.3.20"))
    assert not check(run_ledger, "p/s", "idl", [Difference('t["a"].x', "<absent>", 'say "hi"')]).ok
    text = draft.read_text(encoding="utf-8")
    [entry] = tomllib.loads(text)["divergence"]
    assert (entry["path"], entry["jvm"], entry["python"], entry["flytekit_java"]) == (
        't["a"].x', "<absent>", 'say "hi"', ">=0.3.20")
    assert entry["topic"] == "" and "why" not in entry and "source" not in entry
    assert "add a [topics.<name>] table" in text and "# stale at flytekit-java 0.3.20: p/s [idl] gone" in text


def test_within_limits_a_check_to_one_input_case():
    entries = ledger({"flytekit_java": "==0.3.20", "path": 'case["a"].outcome'})
    assert check(entries, "p/s", "idl", [], within='case["b"].').ok
    assert not check(entries, "p/s", "idl", [], within='case["a"].').ok


def test_an_entry_may_name_several_modes_and_counts_once_per_mode():
    from flyte_parity.data.ledger import parse_ledger

    entry = {"pair": "p/s", "mode": ["idl", "register"], "path": "x", "topic": "t", "jvm": "1", "python": "2",
             "flytekit_java": ">=0.3"}
    ledger = parse_ledger({"topics": TOPICS, "divergence": [entry]})
    assert sorted(d.mode for d in ledger) == ["idl", "register"]
    assert {(d.pair, d.path, d.jvm, d.python) for d in ledger} == {("p/s", "x", "1", "2")}


@pytest.mark.parametrize("mode", [[], ["idl", "idl"], [""], "", [3]])
def test_a_bad_mode_list_is_refused(mode):
    from flyte_parity.data.ledger import parse_ledger

    entry = {"pair": "p/s", "mode": mode, "path": "x", "topic": "t", "jvm": "1", "python": "2",
             "flytekit_java": ">=0.3"}
    with pytest.raises(UsageError, match="mode"):
        parse_ledger({"topics": TOPICS, "divergence": [entry]})


def test_a_mode_list_repeating_an_entry_of_one_mode_is_refused():
    from flyte_parity.data.ledger import parse_ledger

    base = {"pair": "p/s", "path": "x", "topic": "t", "jvm": "1", "python": "2", "flytekit_java": ">=0.3"}
    with pytest.raises(UsageError, match="repeats"):
        parse_ledger({"topics": TOPICS, "divergence": [{**base, "mode": "idl"}, {**base, "mode": ["register", "idl"]}]})


def test_an_entry_with_other_jvm_forms_explains_each_form_exactly_and_nothing_else():
    entries = ledger({"flytekit_java": ">=0.4", "jvm": "refused: INTERNAL", "jvm_also": ["refused: INVALID_ARGUMENT"]})
    at = [d for d in entries if d.applies("0.4.62")]
    for form in ("refused: INTERNAL", "refused: INVALID_ARGUMENT"):
        assert check(at, "p/s", "idl", [Difference("x.y", form, "2")]).ok
    assert not check(at, "p/s", "idl", [Difference("x.y", "refused: NOT_FOUND", "2")]).ok
    assert not check(at, "p/s", "idl", [Difference("x.y", "refused: INVALID_ARGUMENT", "3")]).ok
    assert not check(at, "p/s", "idl", []).ok  # a divergence that disappears is still stale


@pytest.mark.parametrize("also", [[], "refused", ["1"], ["a", "a"], [""], [3]])
def test_bad_other_jvm_forms_are_refused(also):
    with pytest.raises(UsageError, match="jvm_also"):
        ledger({"flytekit_java": ">=0.4", "jvm_also": also})
