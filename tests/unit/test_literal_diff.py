import math

from flyteidl.core import literals_pb2
from hypothesis import given
from hypothesis import strategies as st

from flyte_parity.idl.diff import diff_messages
from flyte_parity.sdk import outcome


def lit(**primitive):
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**primitive)))


def lmap(**literals):
    return literals_pb2.LiteralMap(literals=literals)


def test_equal_maps_have_no_difference():
    assert diff_messages(lmap(fib5=lit(integer=5)), lmap(fib5=lit(integer=5))) == []


def test_seeded_mismatch_is_reported_with_path_and_both_values():
    comparison = outcome.compare(outcome.RunOutcome(lmap(fib5=lit(integer=5))), outcome.RunOutcome(lmap(fib5=lit(integer=6))))
    (difference,) = comparison.differences
    assert difference.path == 'outputs.literals["fib5"].scalar.primitive.integer'
    assert (difference.left, difference.right) == ("5", "6")
    text = comparison.explain()
    assert 'outputs.literals["fib5"].scalar.primitive.integer: 5 != 6' in text
    assert "JVM succeeded with" in text and "integer: 5" in text
    assert "Python succeeded with" in text and "integer: 6" in text


def test_type_of_value_differs_is_one_oneof_difference():
    (difference,) = diff_messages(lmap(x=lit(integer=1)), lmap(x=lit(string_value="1")))
    assert difference.path == 'literals["x"].scalar.primitive.value'
    assert difference.left == "integer=1" and difference.right == "string_value='1'"


def test_missing_and_extra_keys():
    differences = diff_messages(lmap(a=lit(integer=1)), lmap(b=lit(integer=1)))
    assert [(d.path, d.left == "<absent>", d.right == "<absent>") for d in differences] == [
        ('literals["a"]', False, True),
        ('literals["b"]', True, False),
    ]


def test_collections_compare_by_position_and_length():
    left = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[lit(integer=1), lit(integer=2)]))
    right = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[lit(integer=1)]))
    differences = diff_messages(lmap(xs=left), lmap(xs=right))
    assert [d.path for d in differences] == ['literals["xs"].collection.literals.length']


def test_nan_equals_nan_but_not_a_number():
    assert diff_messages(lmap(f=lit(float_value=math.nan)), lmap(f=lit(float_value=math.nan))) == []
    assert diff_messages(lmap(f=lit(float_value=math.nan)), lmap(f=lit(float_value=1.0)))


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(-(2**63), 2**63 - 1), max_size=5))
def test_a_map_equals_itself_and_any_single_change_is_found(values):
    left = lmap(**{k: lit(integer=v) for k, v in values.items()})
    assert diff_messages(left, left) == []
    for key, value in values.items():
        right = literals_pb2.LiteralMap()
        right.CopyFrom(left)
        right.literals[key].scalar.primitive.integer = value + 1 if value < 2**63 - 1 else value - 1
        (difference,) = diff_messages(left, right)
        assert difference.path.startswith("literals[")
        assert difference.left == str(value)


def test_durations_and_timestamps_compare_by_value():
    from google.protobuf import duration_pb2

    def dur(seconds, nanos):
        return lmap(d=lit(duration=duration_pb2.Duration(seconds=seconds, nanos=nanos)))

    assert diff_messages(dur(-1, 500_000_000), dur(0, -500_000_000)) == []
    (difference,) = diff_messages(dur(-1, 500_000_000), dur(-1, -500_000_000))
    assert difference.path == 'literals["d"].scalar.primitive.duration'
    assert difference.left.endswith("(= -0.500000000 s)") and difference.right.endswith("(= -1.500000000 s)")
