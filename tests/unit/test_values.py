"""Generated values: the testee framing, the strategies' reach, what an exchange's findings are,
and how the two Hypothesis passes count, shrink and call a rule stale (synthetic answers: pure)."""

import io
import math

import pytest
from flyteidl.core import errors_pb2, literals_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from flyte_parity.sdk import testee
from flyte_parity.values import strategies
from flyte_parity.values.exchange import Exchange, exchange, findings, inputs_of, returned
from flyte_parity.values.rules import ValueRule
from flyte_parity.values.search import search


# --- framing ---------------------------------------------------------------------------------------

@given(st.lists(st.binary(max_size=300), max_size=6))
def test_frames_round_trip(payloads):
    stream = io.BytesIO()
    for payload in payloads:
        testee.write_frame(stream, payload)
    stream.seek(0)
    assert [testee.read_frame(stream) for _ in payloads] == payloads
    assert testee.read_frame(stream) is None


def test_a_frame_cut_short_is_an_error_not_an_end():
    stream = io.BytesIO()
    testee.write_frame(stream, b"abcdef")
    with pytest.raises(EOFError):
        testee.read_frame(io.BytesIO(stream.getvalue()[:-2]))
    with pytest.raises(EOFError):
        testee.read_frame(io.BytesIO(stream.getvalue()[:2]))


def test_an_answer_is_outputs_or_an_error_document_and_nothing_else():
    outputs = literals_pb2.LiteralMap()
    outputs.literals["value"].scalar.primitive.integer = 3
    assert testee.Answer.parse(b"O" + outputs.SerializeToString()).outputs == outputs
    error = errors_pb2.ErrorDocument()
    error.error.code = "USER:ValueError"
    assert testee.Answer.parse(b"E" + error.SerializeToString()).error == error
    with pytest.raises(testee.TesteeError, match="must start with O or E"):
        testee.Answer.parse(b"X")


# --- strategies ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(strategies.KINDS))
def test_every_kind_yields_serializable_literals_of_its_shape(kind):
    shapes = {"list": "collection", "nested-list": "collection", "struct-list": "collection",
              "blob-list": "collection", "map": "map", "nested-map": "map", "struct-map": "map"}
    seen = []

    @settings(max_examples=40, database=None)
    @given(strategies.literals_of(kind))
    def check(literal):
        assert literal.WhichOneof("value") == shapes.get(kind, "scalar")
        assert literals_pb2.Literal.FromString(literal.SerializeToString()) == literal or _has_nan(literal)
        seen.append(literal)
    check()
    assert seen


def _has_nan(literal) -> bool:
    return "nan" in str(literal).lower()


def test_an_unknown_kind_names_where_to_add_it():
    with pytest.raises(KeyError, match="flyte_parity/values/strategies.py"):
        strategies.literals_of("no-such-kind")


def test_the_edges_users_trip_over_are_in_the_strategies():
    assert {2 ** 53, 2 ** 53 + 1, -(2 ** 31), 2 ** 63 - 1, -(2 ** 63)} <= set(strategies.EDGE_INTEGERS)
    floats = strategies.EDGE_FLOATS
    assert any(f == 0 and math.copysign(1, f) < 0 for f in floats) and any(math.isnan(f) for f in floats)
    assert 5e-324 in floats and math.inf in floats and -math.inf in floats
    assert "\x00" in strategies.EDGE_STRINGS and any(ord(c) > 0xFFFF for s in strategies.EDGE_STRINGS for c in s)
    assert strategies.TIMESTAMP_SECONDS[0] in strategies.EDGE_TIMESTAMP_SECONDS  # year 1
    assert strategies.TIMESTAMP_SECONDS[1] in strategies.EDGE_TIMESTAMP_SECONDS  # year 9999


@settings(max_examples=200, database=None)
@given(strategies.durations())
def test_durations_keep_one_sign(pair):
    seconds, nanos = pair
    assert not (seconds > 0 and nanos < 0) and not (seconds < 0 and nanos > 0)
    assert abs(nanos) < 10 ** 9 and abs(seconds) <= strategies.DURATION_SECONDS


def test_a_struct_carries_its_integer_as_a_double():
    literal = strategies.struct_literal({"y": 2 ** 53 + 1, "inner": {"flag": True}, "tags": ["a"]})
    assert literal.scalar.generic.fields["y"].number_value == float(2 ** 53)
    assert literal.scalar.generic.fields["inner"].struct_value.fields["flag"].bool_value is True


# --- exchange --------------------------------------------------------------------------------------

def _int(value: int) -> literals_pb2.Literal:
    return strategies.integer_literal(value)


def _answer(literal=None, code: str = "") -> testee.Answer:
    if literal is not None:
        return testee.Answer(outputs=inputs_of(literal))
    error = errors_pb2.ErrorDocument()
    error.error.code = code
    error.error.message = "trace"
    return testee.Answer(error=error)


def _call(change):
    """A fake side: answers with ``change(value)``, an error for None."""
    def call(inputs):
        v = inputs.literals["value"].scalar.primitive.integer
        out = change(v)
        if out is not None and not -(2 ** 63) <= out < 2 ** 63:
            out = v - 1  # a fake's change beyond int64 stays a change
        return _answer(_int(out)) if out is not None else _answer(code="USER:ValueError")
    return call


def test_agreeing_sides_have_no_findings_and_are_not_cross_fed():
    done = exchange(_int(5), _call(lambda v: v), _call(lambda v: v))
    assert findings(done) == [] and done.python_to_jvm is None and done.jvm_to_python is None


def test_a_changed_value_is_cross_fed_and_the_consumer_compared_with_the_producer():
    done = exchange(_int(5), _call(lambda v: v), _call(lambda v: v + 1))  # python adds one
    assert returned(done.python).scalar.primitive.integer == 6
    assert returned(done.python_to_jvm).scalar.primitive.integer == 6  # the JVM hands back what it got
    assert done.jvm_to_python is None  # the JVM returned what it was sent
    assert [(d.path, d.jvm, d.python) for d in findings(done)] == [
        ("outputs.scalar.primitive.integer", "5", "6")]


def test_one_side_failing_is_one_outcome_difference_with_both_answers():
    done = exchange(_int(5), _call(lambda v: None), _call(lambda v: v))
    (only,) = findings(done)
    assert only.path == "outcome"
    assert only.jvm.startswith("failed ") and 'USER:ValueError' in only.jvm and "trace" not in only.jvm
    assert only.python == "returned {scalar { primitive { integer: 5 } }}"


def test_both_failing_compares_the_error_documents_without_their_text():
    done = exchange(_int(5), _call(lambda v: None), _call(lambda v: None))
    assert findings(done) == []


def test_both_changing_the_value_alike_is_a_finding_too():
    tens = _call(lambda v: v - v % 10)  # both round down to tens (and hand back what they returned)
    done = exchange(_int(15), tens, tens)
    assert [(d.path, d.jvm, d.python) for d in findings(done)] == [
        ("both_returned.scalar.primitive.integer", "10", "10")]


def test_a_consumer_that_does_not_hand_back_what_the_producer_gave_is_found():
    done = exchange(_int(5), _call(lambda v: v if v == 5 else v * 10), _call(lambda v: v + 1))
    paths = {d.path for d in findings(done)}
    assert "python_to_jvm.outputs.scalar.primitive.integer" in paths


# --- search: counting, shrinking, rules ------------------------------------------------------------

def _rule(name, predicate, witnesses=()):
    return ValueRule(name, "synthetic", ("integer",), predicate, {"integer": tuple(map(_int, witnesses))})


def test_a_rule_holds_for_a_kind_or_for_one_source_of_it():
    both = ValueRule("a", "", ("duration",), lambda *_: True)
    java = ValueRule("b", "", ("duration/own-java",), lambda *_: True)
    assert both.holds_for("duration", "own-java") and both.holds_for("duration", "own-scala")
    assert java.holds_for("duration", "own-java") and not java.holds_for("duration", "own-scala")
    assert not both.holds_for("datetime", "own-java")


def test_a_difference_no_rule_explains_is_shrunk_to_the_minimal_value():
    jvm = _call(lambda v: v if v < 1000 else v - 1)  # wrong from 1000 up
    run = search("integer", jvm, _call(lambda v: v), [], examples=300, run_seed=7, shrink_rules=False)
    assert run.unexplained is not None
    assert run.unexplained.value.scalar.primitive.integer == 1000  # the boundary, found by shrinking
    assert any("outputs.scalar.primitive.integer" in str(d) for d in run.unexplained.found)


def test_a_rule_explains_exactly_its_values_and_counts_them():
    jvm = _call(lambda v: v if v >= 0 or v == -(2 ** 63) else -v)  # the JVM drops the sign
    exact = _rule("sign", lambda sent, d, done: d.path == "outputs.scalar.primitive.integer"
                  and returned(done.jvm).scalar.primitive.integer == abs(sent.scalar.primitive.integer)
                  and returned(done.python).scalar.primitive.integer == sent.scalar.primitive.integer, [-1])
    run = search("integer", jvm, _call(lambda v: v), [exact], examples=200, run_seed=3, shrink_rules=False)
    assert run.unexplained is None and run.stale == []
    assert run.explained["sign"] > 0 and run.tried == run.agreed + run.explained["sign"]


def test_a_rule_that_claims_other_values_than_the_sides_give_explains_nothing():
    jvm = _call(lambda v: v if v >= 0 or v == -(2 ** 63) else -v)
    wrong = _rule("sign-off-by-one", lambda sent, d, done: d.path == "outputs.scalar.primitive.integer"
                  and returned(done.jvm).scalar.primitive.integer == -sent.scalar.primitive.integer + 1, [-1])
    run = search("integer", jvm, _call(lambda v: v), [wrong], examples=100, run_seed=3, shrink_rules=False)
    assert run.unexplained is not None and run.unexplained.value.scalar.primitive.integer == -1


def test_a_rule_whose_divergence_is_gone_is_stale():
    gone = _rule("gone", lambda sent, d, done: True, [-1])
    run = search("integer", _call(lambda v: v), _call(lambda v: v), [gone], examples=50, run_seed=1,
                 shrink_rules=False)
    assert run.unexplained is None and run.stale == ["gone"] and run.agreed == run.tried


def test_the_same_seed_tries_the_same_values():
    def tried(seed):
        seen = []

        def record(inputs):
            seen.append(inputs.literals["value"].scalar.primitive.integer)
            return testee.Answer(outputs=inputs)
        search("integer", record, _call(lambda v: v), [], examples=30, run_seed=seed, shrink_rules=False)
        return seen
    assert tried(11) == tried(11) and tried(11) != tried(12)


def test_a_rule_gets_a_minimal_example():
    jvm = _call(lambda v: v if not 100 <= v < 2 ** 63 - 1 else v + 1)
    over = _rule("over-100", lambda sent, d, done: 100 <= sent.scalar.primitive.integer < 2 ** 63 - 1
                 and returned(done.jvm).scalar.primitive.integer == sent.scalar.primitive.integer + 1, [100])
    run = search("integer", jvm, _call(lambda v: v), [over], examples=50, run_seed=5, shrink_rules=True)
    assert run.minimal["over-100"] == "{scalar { primitive { integer: 100 } }}"


def test_without_shrinking_a_rule_is_shown_with_the_smallest_value_it_explained():
    jvm = _call(lambda v: v if not 1000 <= v < 2 ** 63 - 1 else v + 1)
    over = _rule("over-1000", lambda sent, d, done: 1000 <= sent.scalar.primitive.integer < 2 ** 63 - 1
                 and returned(done.jvm).scalar.primitive.integer == sent.scalar.primitive.integer + 1, [2 ** 40])
    run = search("integer", jvm, _call(lambda v: v), [over], examples=300, run_seed=5)
    shown = int(run.minimal["over-1000"].split("integer: ")[1].split()[0])
    assert 1000 <= shown < 2 ** 40  # a value the run explained, smaller on the wire than the witness


def test_the_report_counts_each_row_and_names_each_rules_minimal_example():
    from flyte_parity.reports.values_report import render
    jvm = _call(lambda v: v if not 100 <= v < 2 ** 63 - 1 else v + 1)
    over = _rule("over-100", lambda sent, d, done: 100 <= sent.scalar.primitive.integer < 2 ** 63 - 1
                 and returned(done.jvm).scalar.primitive.integer == sent.scalar.primitive.integer + 1, [100])
    explained = search("integer", jvm, _call(lambda v: v), [over], examples=40, run_seed=5)
    failing = search("integer", jvm, _call(lambda v: v), [], examples=40, run_seed=5, shrink_rules=False)
    text = render({"types/integer/a": explained, "types/integer/b": failing}, 5, "versions.")
    counts = text.split("## Each rule")[0]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in counts.splitlines() if line.startswith("| types/")}
    assert f"| {explained.tried} | {explained.agreed} | over-100 ({explained.explained['over-100']}) | - | - |" \
        in rows["types/integer/a"]
    assert "minimal value: `{scalar { primitive { integer: 100 } }}`" in rows["types/integer/b"]
    assert "- over-100: `{scalar { primitive { integer: 100 } }}`" in text and "--values-seed=5" in text


def test_exchanging_many_values_at_once_gives_what_one_at_a_time_gives():
    from flyte_parity.values.exchange import exchange_many, one_by_one
    jvm, python = _call(lambda v: v if v % 3 else None), _call(lambda v: v - v % 2)
    values = [_int(v) for v in range(-7, 12)]
    assert exchange_many(values, one_by_one(jvm), one_by_one(python)) == [exchange(v, jvm, python) for v in values]


def _through_double(v: int) -> int:
    """What a side that decodes integers through a double gives back (int64 range kept)."""
    return max(min(int(float(v)), 2 ** 63 - 1), -(2 ** 63))


def _precision_rule(name, claimed):
    def explains(sent, difference, done):
        v = sent.scalar.primitive.integer
        return (difference.path == "outputs.scalar.primitive.integer"
                and returned(done.python).scalar.primitive.integer == v
                and returned(done.jvm).scalar.primitive.integer == claimed(v))
    return _rule(name, explains, [2 ** 53 + 1])


def test_the_true_double_rule_explains_every_integer_beyond_2_to_53():
    right = _precision_rule("through-double", _through_double)
    run = search("integer", _call(_through_double), _call(lambda v: v), [right], examples=400, run_seed=13,
                 shrink_rules=False)
    assert run.unexplained is None and run.explained["through-double"] > 0


def test_a_rule_claiming_precision_is_lost_from_2_to_52_in_steps_of_two_fails_with_a_shrunk_value():
    """A deliberately wrong rule: it claims the JVM keeps every even integer above 2^52 (doubles
    round half to even above 2^53, so 2^53 + 3 becomes 2^53 + 4); the run fails with the smallest
    value the rule gets wrong."""
    def even(v: int) -> int:
        return (abs(v) - abs(v) % 2) * (1 if v >= 0 else -1) if abs(v) > 2 ** 52 else v
    wrong = _precision_rule("steps-of-two", even)
    run = search("integer", _call(_through_double), _call(lambda v: v), [wrong], examples=400, run_seed=13,
                 shrink_rules=False)
    assert run.unexplained is not None
    shrunk = abs(run.unexplained.value.scalar.primitive.integer)
    # every integer up to 2^53 is a double: the first difference, right or wrong, lies above it
    first_wrong = next(v for v in range(2 ** 53 - 64, 2 ** 53 + 64) if v != _through_double(v) != even(v))
    assert first_wrong == 2 ** 53 + 3
    assert shrunk == first_wrong, f"not shrunk to the first value the rule gets wrong: {shrunk}"
    assert any(d.path == "outputs.scalar.primitive.integer" for d in run.unexplained.found)


def test_the_values_every_run_sends_are_sent_and_reported_with_their_verdict():
    from flyte_parity.values.strategies import ALWAYS
    sent = []

    def record(inputs):
        sent.append(inputs.literals["value"].SerializeToString(deterministic=True))
        return testee.Answer(outputs=inputs)
    run = search("integer", record, _call(lambda v: v if v <= 2 ** 53 else v + 1), [], examples=5, run_seed=1,
                 shrink_rules=False)
    always = [v.SerializeToString(deterministic=True) for v in ALWAYS["integer"]]
    assert set(always) <= set(sent)
    assert (_one(2 ** 53 + 1), "unexplained") in run.always and (_one(-(2 ** 63)), "agreed") in run.always
    assert len(run.always) == len(always)


def _one(v: int) -> str:
    return "{scalar { primitive { integer: %d } }}" % v


def test_a_struct_holding_2_to_53_plus_1_is_always_sent():
    from flyte_parity.values.strategies import ALWAYS
    ys = [v.scalar.generic.fields["y"].number_value for v in ALWAYS["struct"]]
    assert float(2 ** 53 + 1) in ys  # the nearest double: a Struct cannot hold the int itself


def test_a_rows_own_values_are_sent_first_and_reported_by_name_even_when_every_run_sends_them_too():
    from flyte_parity.values.strategies import integer_literal
    sent = []

    def record(inputs):
        sent.append(inputs.literals["value"].scalar.primitive.integer)
        return testee.Answer(outputs=inputs)
    # int64-max is also one of the values every run sends: both get a verdict
    named = (("zero", integer_literal(0)), ("int64-max", integer_literal(2 ** 63 - 1)))
    run = search("integer", record, _call(lambda v: v if v <= 2 ** 53 else v + 1), [], examples=5, run_seed=1,
                 named=named)
    assert sent[:2] == [0, 2 ** 63 - 1]
    assert run.always[:2] == [(f"zero = {_one(0)}", "agreed"), (f"int64-max = {_one(2 ** 63 - 1)}", "unexplained")]
    assert (_one(2 ** 63 - 1), "unexplained") in run.always[2:]


# --- answers kept by the request that produced them ------------------------------------------------

def test_remembered_sends_each_request_once_and_answers_every_one():
    from flyte_parity.values.exchange import remembered
    from flyte_parity.values.strategies import integer_literal
    batches = []

    def many(maps):
        batches.append([m.literals["value"].scalar.primitive.integer for m in maps])
        return [testee.Answer(outputs=m) for m in maps]
    kept = {}
    call = remembered(many, kept)
    first = call([inputs_of(integer_literal(v)) for v in (1, 2, 1, 3)])
    assert [returned(a).scalar.primitive.integer for a in first] == [1, 2, 1, 3]
    assert batches == [[1, 2, 3]]  # the repeat inside a batch is sent once
    second = call([inputs_of(integer_literal(v)) for v in (3, 4)])
    assert [returned(a).scalar.primitive.integer for a in second] == [3, 4]
    assert batches == [[1, 2, 3], [4]]
    assert call([inputs_of(integer_literal(2))]) == [first[1]] and batches[-1] == [4]


# --- drawing ahead, in a process of its own -------------------------------------------------------

def test_values_drawn_ahead_are_the_values_drawn_in_process_and_the_process_ends():
    import multiprocessing

    from flyte_parity.values.drawing import Drawing
    from flyte_parity.values.search import drawn
    with Drawing(["integer", "struct", "integer"], examples=15, run_seed=7) as drawing:
        ahead = {kind: drawing.values(kind) for kind in ("integer", "struct")}
        with pytest.raises(KeyError, match="'float' was not drawn ahead"):
            drawing.values("float")
    for kind, values in ahead.items():
        assert [v.SerializeToString(deterministic=True) for v in values] == \
            [v.SerializeToString(deterministic=True) for v in drawn(kind, 15, 7)]
    assert multiprocessing.active_children() == []


def test_drawing_a_kind_with_no_strategy_is_refused_before_any_process_starts():
    from flyte_parity.values.drawing import Drawing
    with pytest.raises(ValueError, match="no value strategy for kind 'decimal'"):
        Drawing(["integer", "decimal"], examples=5, run_seed=1).__enter__()
