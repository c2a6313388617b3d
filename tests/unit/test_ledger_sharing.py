"""Known differences travel with the JVM entity: a pair that uses a JVM workflow another pair
already covers has that pair's differences explained without copying entries; only a pair's own
entries can be stale; a difference explained elsewhere is named so in a failure and in a draft."""

import tomllib

import pytest

from flyte_parity.data.ledger import Divergence, Draft, RunLedger, check
from flyte_parity.idl.diff import Difference

DECK = Divergence("welcome/own-java", "idl", 'task["G"].template.metadata.generates_deck', "generates-deck",
                  "<absent>", "BoolValue(False)", "why", "source")
LP = Divergence("welcome/own-java", "idl", "launch_plan (default)", "default-launch-plan", "<absent>", "present",
                "why", "source")
LEDGER = [DECK, LP]


def found(entry, python=None):
    return Difference(entry.path, entry.jvm, python or entry.python)


def test_a_pair_sharing_the_jvm_entity_has_its_known_differences_explained():
    result = check(LEDGER, "welcome-2/own-java", "idl", [found(DECK), found(LP)], sharing=["welcome/own-java"])
    assert result.ok and result.borrowed == (DECK, LP) and result.explained == (DECK, LP)


def test_without_sharing_the_same_differences_are_unexpected_and_named_as_known_elsewhere():
    result = check(LEDGER, "other/own-java", "idl", [found(DECK)])
    assert not result.ok and result.elsewhere == {DECK.path: DECK}
    assert "(known elsewhere: topic generates-deck, for welcome/own-java)" in result.explain("other/own-java", "idl")


def test_borrowing_needs_the_same_values():
    result = check(LEDGER, "welcome-2/own-java", "idl", [found(DECK, python="BoolValue(True)")],
                   sharing=["welcome/own-java"])
    assert [d.path for d in result.unexpected] == [DECK.path] and result.elsewhere == {}


def test_only_a_pairs_own_entries_can_be_stale():
    mine = Divergence("welcome-2/own-java", "idl", "x", "t", "1", "2", "why", "source")
    result = check([*LEDGER, mine], "welcome-2/own-java", "idl", [found(DECK)], sharing=["welcome/own-java"])
    assert result.stale == (mine,) and result.borrowed == (DECK,)


def test_the_lenders_own_check_is_unchanged():
    result = check(LEDGER, "welcome/own-java", "idl", [found(DECK)], sharing=["welcome-2/own-java"])
    assert result.stale == (LP,)


def test_a_draft_names_the_topic_that_already_explains_the_difference(tmp_path):
    draft = tmp_path / "draft.toml"
    check(RunLedger(LEDGER, Draft(draft, "0.4.62")), "other/own-java", "idl", [found(DECK)])
    written = draft.read_text()
    assert "# topic: the same difference is explained for welcome/own-java by topic generates-deck" in written
    (entry,) = tomllib.loads(written)["divergence"]
    assert entry["topic"] == "generates-deck" and entry["pair"] == "other/own-java"


# --- a topic that holds for every pair ------------------------------------------------------------

RULED = '''
[versions]
flytekit_java = ["0.4.62"]

[topics.generates-deck]
why = "w"
source = "s"
rule = { path = 'task\\["[^"]+"\\]\\.template\\.metadata\\.generates_deck', jvm = "<absent>", python = "BoolValue(False)", modes = ["idl"] }

[[divergence]]
pair = "welcome/own-java"
mode = "idl"
path = 'task["G"].template.metadata.generates_deck'
topic = "generates-deck"
flytekit_java = ">=0.4"
jvm = "<absent>"
python = "BoolValue(False)"
'''


def _ruled():
    from flyte_parity.data.ledger import parse_ledger

    ledger = parse_ledger(tomllib.loads(RULED))
    return RunLedger(ledger.applicable("0.4.62"), topics=ledger.topics)


def test_a_topics_rule_explains_its_difference_in_any_pair_without_an_entry():
    deck = Difference('task["org.x.NewTask"].template.metadata.generates_deck', "<absent>", "BoolValue(False)")
    result = check(_ruled(), "brand-new/upstream-java", "idl", [deck])
    assert result.ok and [d.topic for d in result.explained] == ["generates-deck"]


@pytest.mark.parametrize("mode, found", [
    ("register", Difference('task["T"].template.metadata.generates_deck', "<absent>", "BoolValue(False)")),
    ("idl", Difference('task["T"].template.metadata.generates_deck', "<absent>", "BoolValue(True)")),
    ("idl", Difference('task["T"].template.metadata.generates_deck.value', "<absent>", "BoolValue(False)")),
])
def test_a_rule_explains_only_its_modes_values_and_whole_paths(mode, found):
    assert not check(_ruled(), "brand-new/upstream-java", mode, [found]).ok


def test_entries_stay_strict_beside_a_rule():
    assert check(_ruled(), "welcome/own-java", "idl", []).stale  # the entry's difference is gone: stale


@pytest.mark.parametrize("rule, words", [
    ('rule = { path = "(", jvm = "a", python = "b", modes = ["idl"] }', "no regular expression"),
    ('rule = { path = "x", jvm = "a", python = "b" }', "exactly path, jvm, python, modes"),
    ('rule = { path = "x", jvm = "a", python = "b", modes = [] }', "modes a list of mode names"),
])
def test_a_bad_rule_is_refused_in_one_line(rule, words):
    from flyte_parity.base.errors import UsageError
    from flyte_parity.data.ledger import parse_ledger

    (line,) = [line for line in RULED.splitlines() if line.startswith("rule = ")]
    text = RULED.replace(line, rule)
    with pytest.raises(UsageError) as err:
        parse_ledger(tomllib.loads(text))
    assert words in str(err.value) and "\n" not in str(err.value)
