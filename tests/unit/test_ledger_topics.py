"""Ledger topics: each cause is explained once, in a [topics.<name>] table, and reaches every entry
that names it; unknown, unused and empty topics, and entries with their own explanation, are refused."""

import tomllib
from dataclasses import replace

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.data.ledger import load_ledger, parse_ledger

LEDGER = paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"
TOPICS = {"deck": {"why": "deck unset", "source": "ProtoUtil.java"},
          "enum": {"why": "enum as string", "source": "VariableMapVisitor.java", "issue": "an upstream report"}}


def entry(**changes):
    return {"pair": "p/s", "mode": "idl", "path": "x", "topic": "deck", "jvm": "1", "python": "2",
            "flytekit_java": ">=0.3", **changes}


def parse(*entries, topics=TOPICS):
    return parse_ledger({"topics": topics, "divergence": list(entries)}, "ledger.toml")


def test_a_topics_explanation_reaches_every_entry_that_names_it():
    ledger = parse(entry(mode=["idl", "register"]), entry(path="y"), entry(path="z", topic="enum"))
    assert [(d.path, d.mode, d.why, d.source, d.issue) for d in ledger] == [
        ("x", "idl", "deck unset", "ProtoUtil.java", ""), ("x", "register", "deck unset", "ProtoUtil.java", ""),
        ("y", "idl", "deck unset", "ProtoUtil.java", ""),
        ("z", "idl", "enum as string", "VariableMapVisitor.java", "an upstream report")]
    assert ledger.topics["enum"].issue == "an upstream report" and ledger.topics["deck"].why == "deck unset"


def test_an_entry_naming_an_unknown_topic_is_refused():
    with pytest.raises(UsageError) as raised:
        parse(entry(), entry(path="y", topic="enum"), entry(path="z", topic="dekc"))
    message = str(raised.value)
    assert "divergence #3" in message and "'dekc'" in message and "[topics.dekc]" in message
    assert "\n" not in message


def test_a_topic_no_entry_names_is_refused():
    with pytest.raises(UsageError, match=r"\[topics.enum\] explains no divergence entry"):
        parse(entry())


@pytest.mark.parametrize("own", [{"why": "w"}, {"source": "s"}, {"why": "w", "source": "s"}])
def test_an_entry_with_its_own_explanation_is_refused(own):
    with pytest.raises(UsageError, match=r"the explanation belongs to its topic: move it to \[topics.deck\]"):
        parse(entry(**own), entry(path="z", topic="enum"))


@pytest.mark.parametrize("table, words", [
    ({"why": "", "source": "s"}, "lacks why"), ({"why": "  ", "source": "s"}, "lacks why"),
    ({"source": "s"}, "lacks why"), ({"why": "w", "source": ""}, "lacks source"),
    ({"why": "w", "source": "s", "cause": "c"}, "unknown keys ['cause']"),
    ({"why": "w", "source": "s", "issue": 7}, "issue must be a string"),
])
def test_an_empty_or_malformed_topic_is_refused(table, words):
    with pytest.raises(UsageError) as raised:
        parse(entry(), topics={"deck": table})
    assert "[topics.deck]" in str(raised.value) and words in str(raised.value)


def test_the_real_ledger_writes_each_explanation_once():
    ledger = load_ledger(LEDGER)
    text = LEDGER.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    ruled = {t.name for t in ledger.topics.values() if t.value_rule}  # their evidence is the values mode's
    assert ledger.topics and set(ledger.topics) == {d.topic for d in ledger} | ruled
    assert all(e["topic"] in ledger.topics and "why" not in e and "source" not in e for e in raw["divergence"])
    for topic in ledger.topics.values():
        assert text.count(topic.why) == 1, f"{topic.name}: its why is written more than once"
        assert all(d.why == topic.why and d.source == topic.source for d in ledger if d.topic == topic.name)


def test_a_topic_with_a_value_rule_needs_no_entry_and_any_other_does():
    topics = {"deck": {"why": "w", "source": "s"}, "rounding": {"why": "w2", "source": "s2", "value_rule": "rounding"}}
    ledger = parse(entry(), topics=topics)
    assert ledger.topics["rounding"].value_rule == "rounding" and not [d for d in ledger if d.topic == "rounding"]
    with pytest.raises(UsageError, match=r"\[topics.unused\] explains no divergence entry"):
        parse(entry(), topics={**topics, "unused": {"why": "w3", "source": "s3"}})
    with pytest.raises(UsageError, match="value_rule must be the name of a rule"):
        parse(entry(), topics={**topics, "rounding": {"why": "w2", "source": "s2", "value_rule": 3}})


def test_every_value_rule_belongs_to_exactly_one_real_topic():
    from flyte_parity.modes.values import check_rules
    from flyte_parity.values.rules import RULES
    topics = load_ledger(LEDGER).topics
    assert check_rules(topics) == []
    named = [t.value_rule for t in topics.values() if t.value_rule]
    assert sorted(named) == sorted(RULES) and len(set(named)) == len(named)
    broken = {**topics, "x": replace(next(iter(topics.values())), name="x", value_rule="no-such-rule")}
    assert any("does not define" in p for p in check_rules(broken))
