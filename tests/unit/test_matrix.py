from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flyte_parity.data.ledger import Divergence
from flyte_parity.reports.matrix import BEGIN, END, WIDTH, Column, build, cell, ledger_text, merge, render, splice


def entry(pair, mode, path, topic):
    return Divergence(pair, mode, path, topic, "1", "2", "why", "source")


def by_key(entries):
    """Ledger entries as the session records them: what explained each row and mode."""
    found = {}
    for e in entries:
        found.setdefault((e.pair, e.mode), []).append(e)
    return found


PAIRS = [
    Column("idl", "pairs", {"a/s": ("run", ""), "b/s": ("run", "")}),
    Column("entrypoint", "pairs", {"a/s": ("run", ""), "b/s": ("n/a", "a launch plan runs no task")}),
    Column("bad-inputs", "pairs", {"a/s": ("n/a", "one pair per language"), "b/s": ("n/a", "one pair per language")}),
]
TYPES = [Column("types", "types", {"types/blob/s": ("n/a", "no blob type"), "types/int/s": ("run", "")})]


def test_cells_say_what_the_run_found_and_reasons_are_numbered_notes_written_once():
    outcomes = {("a/s", "idl"): ["passed"], ("b/s", "idl"): ["passed"], ("a/s", "entrypoint"): ["passed", "failed"],
                ("types/int/s", "types"): ["passed"]}
    ledger = [entry("a/s", "idl", "p", "deck"), entry("a/s", "idl", "q", "deck"), entry("b/s", "idl", "p", "lp")]
    matrix = build(PAIRS + TYPES, outcomes, by_key(ledger), header="versions", absent={"old/s": "not in flytekit-java 0.3.20"},
                   pending={"org.x.Sub (s)": "no twin yet"})
    assert matrix["tables"] == {"pairs": {"columns": ["idl", "entrypoint", "bad-inputs"], "rows": ["a/s", "b/s"]},
                                "types": {"columns": ["types"], "rows": ["types/blob/s", "types/int/s"]}}
    assert matrix["cells"]["a/s"]["idl"]["text"] == "ledger: deck ×2"
    assert matrix["cells"]["a/s"]["entrypoint"]["kind"] == "failed"
    assert matrix["counts"] == {"ledger": 2, "failed": 1, "n/a": 4, "same": 1}
    assert matrix["topics"] == {"deck": 2, "lp": 1}
    text = render(matrix)
    assert "| a/s | ledger: deck ×2 | FAILED | n/a [1] |" in text
    assert "| b/s | ledger: lp | n/a [2] | n/a [1] |" in text
    assert "| type row | types |" in text and "| types/blob/s | n/a [3] |" in text
    assert "Not in this run's SDK versions: old/s [4]." in text
    assert "Registered JVM entities with no pair yet: org.x.Sub (s) [5]." in text
    assert text.count("one pair per language") == 1
    assert "1. one pair per language" in text and "5. no twin yet" in text
    assert text.rstrip().endswith("parity matrix cells: 1 same, 2 ledger, 4 n/a, 0 pending, 1 failed, 0 skipped, 0 not run")


def test_a_column_appears_only_for_a_mode_that_ran_and_unrun_cells_say_not_run():
    matrix = build(PAIRS[:1], {("a/s", "idl"): ["passed"]}, {}, header="h")
    assert matrix["tables"]["pairs"]["columns"] == ["idl"]
    assert matrix["cells"]["b/s"]["idl"]["kind"] == "not run"
    assert "entrypoint" not in render(matrix)


@pytest.mark.parametrize("outcomes, kind", [(["passed"], "same"), (["passed", "skipped"], "skipped"),
                                            (["skipped", "failed"], "failed"), (None, "not run"), ([], "not run")])
def test_outcomes_decide_a_run_cell(outcomes, kind):
    assert cell("run", "", outcomes, []).kind == kind


def test_pending_and_not_applicable_cells_keep_their_reason():
    assert cell("pending", "needs a runner", None, []) == cell("pending", "needs a runner", ["passed"], [])
    assert cell("n/a", "no task", None, []).reason == "no task"


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z-]{0,40}", fullmatch=True), st.integers(1, 9)), max_size=12))
def test_no_ledger_cell_is_longer_than_the_width_and_every_topic_is_named(topics):
    entries = [entry("a/s", "idl", f"p{i}-{n}", topic) for i, (topic, count) in enumerate(topics) for n in range(count)]
    if not entries:
        return
    text, note = ledger_text(entries)
    assert len(text) <= WIDTH
    named = text + " " + note
    assert all(topic in named for topic, _ in topics)


def test_splice_replaces_only_the_block():
    readme = f"intro\n{BEGIN}\nold\n{END}\nrest\n"
    assert splice(readme, "new\n") == f"intro\n{BEGIN}\nnew\n{END}\nrest\n"
    with pytest.raises(ValueError):
        splice("no markers", "x")


def test_counts_and_summary_come_from_the_cells():
    matrix = build(PAIRS, {}, {}, header="h")
    assert Counter(matrix["counts"]) == Counter({"not run": 3, "n/a": 3})


# --- partial runs keep the last results ---------------------------------------------------------

def _full():
    outcomes = {("a/s", "idl"): ["passed"], ("b/s", "idl"): ["passed"], ("a/s", "entrypoint"): ["passed"],
                ("types/int/s", "types"): ["passed"]}
    ledger = [entry("a/s", "idl", "p", "deck")]
    return build(PAIRS + TYPES, outcomes, by_key(ledger), header="h", ran_at="2026-12-01 10:00 UTC",
                 versions={"flytekit_java": "0.4.62"})


def test_a_partial_run_keeps_the_cells_it_did_not_run_marked_with_their_time():
    partial = build(PAIRS[:1], {("a/s", "idl"): ["failed"]}, {}, header="h", ran_at="2026-12-01 11:00 UTC",
                    versions={"flytekit_java": "0.4.62"})
    merged = merge(_full(), partial)
    assert merged["cells"]["a/s"]["idl"]["kind"] == "failed"  # what this run found
    assert "as_of" not in merged["cells"]["a/s"]["idl"]
    assert merged["cells"]["b/s"]["idl"] == {**_full()["cells"]["b/s"]["idl"], "as_of": "2026-12-01 10:00 UTC"}
    assert merged["cells"]["a/s"]["entrypoint"]["as_of"] == "2026-12-01 10:00 UTC"
    assert "as_of" not in merged["cells"]["b/s"]["entrypoint"]  # n/a is the catalogue's, not a result
    assert merged["tables"]["pairs"]["columns"] == ["idl", "entrypoint", "bad-inputs"]
    assert "types" in merged["tables"]
    assert merged["kept"] == 3 and merged["counts"] == {"failed": 1, "same": 3, "n/a": 4}
    assert merged["topics"] == {}  # the one ledger cell (a/s idl) is now this run's failure
    text = render(merged)
    assert "| b/s | same [1] |" in text and "1. kept from the run of 2026-12-01 10:00 UTC (not run in this one)" in text
    assert text.rstrip().endswith("(3 of them kept from earlier runs)")


def test_a_matrix_of_other_versions_is_not_merged():
    partial = build(PAIRS[:1], {("a/s", "idl"): ["passed"]}, {}, header="h", versions={"flytekit_java": "0.3.20"})
    merged = merge(_full(), partial)
    assert merged["kept"] == 0 and merged["cells"]["b/s"]["idl"]["kind"] == "not run"
    assert merge(None, partial)["kept"] == 0


def test_a_full_run_keeps_nothing():
    assert merge(_full(), _full())["kept"] == 0
