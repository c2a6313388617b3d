import math

import pytest
from flyteidl.core import types_pb2
from hypothesis import given
from hypothesis import strategies as st

from flyte_parity.sdk.jflyte_outputs import (
    AmbiguousOutputs,
    OutputsParseError,
    extract_outputs_text,
    parse_outputs,
    parse_value,
    split_outputs,
)

S = types_pb2.SimpleType


def simple(kind):
    return types_pb2.LiteralType(simple=kind)


def primitive(literal):
    return getattr(literal.scalar.primitive, literal.scalar.primitive.WhichOneof("value"))


def test_extract_takes_the_last_outputs_line_and_keeps_multiline_values():
    stderr = (
        "[main] INFO org.flyte.jflyte.ExecuteLocal - Outputs: {old=1}\n"
        "[main] INFO x - something\n"
        "[main] INFO org.flyte.jflyte.ExecuteLocal - Outputs: {s=line one\nline two}\n"
    )
    assert extract_outputs_text(stderr) == "{s=line one\nline two}"


def test_extract_without_outputs_line_fails():
    with pytest.raises(OutputsParseError, match="no 'Outputs:' line"):
        extract_outputs_text("[main] ERROR org.flyte.jflyte.ExecuteLocal - Unhandled exception\n")


def test_single_string_output_keeps_commas_and_equals():
    result = parse_outputs("{greeting=Welcome, a, b=c! greeting=x}", {"greeting": simple(S.STRING)})
    assert primitive(result.literals["greeting"]) == "Welcome, a, b=c! greeting=x"


def test_two_outputs_in_either_order():
    types = {"a": simple(S.INTEGER), "b": simple(S.STRING)}
    for text in ("{a=1, b=x, y}", "{b=x, y, a=1}"):
        result = parse_outputs(text, types)
        assert primitive(result.literals["a"]) == 1
        assert primitive(result.literals["b"]) == "x, y"


def test_ambiguous_split_is_refused():
    types = {"a": simple(S.STRING), "b": simple(S.STRING)}
    with pytest.raises(AmbiguousOutputs, match="split in 2 ways"):
        parse_outputs("{a=x, b=y, b=z}", types)


@pytest.mark.parametrize(
    "text, names, words",
    [
        ("greeting=x", {"greeting"}, "not a {...} map"),
        ("{other=x}", {"greeting"}, "do not match"),
        ("{x=1}", set(), "no outputs declared"),
    ],
)
def test_malformed(text, names, words):
    with pytest.raises(OutputsParseError, match=words.replace("{", r"\{").replace(".", r"\.")):
        split_outputs(text, names)


def test_empty_map_for_no_outputs():
    assert parse_outputs("{}", {}).literals == {}


@pytest.mark.parametrize(
    "raw, kind, expected",
    [
        ("-9223372036854775808", S.INTEGER, -(2**63)),
        ("9223372036854775807", S.INTEGER, 2**63 - 1),
        ("1.5", S.FLOAT, 1.5),
        ("1.0E-5", S.FLOAT, 1e-5),
        ("-Infinity", S.FLOAT, -math.inf),
        ("true", S.BOOLEAN, True),
        ("false", S.BOOLEAN, False),
        ("", S.STRING, ""),
    ],
)
def test_simple_values(raw, kind, expected):
    assert primitive(parse_value(raw, simple(kind))) == expected


def test_nan():
    assert math.isnan(primitive(parse_value("NaN", simple(S.FLOAT))))


def test_datetime_keeps_nanoseconds():
    value = parse_value("2023-01-16T10:20:30.123456789Z", simple(S.DATETIME)).scalar.primitive.datetime
    assert (value.seconds, value.nanos) == (1673864430, 123456789)
    assert parse_value("1970-01-01T00:00Z", simple(S.DATETIME)).scalar.primitive.datetime.seconds == 0


@pytest.mark.parametrize(
    "raw, seconds, nanos",
    [("PT0S", 0, 0), ("PT24H", 86400, 0), ("PT1H2M3.5S", 3723, 500_000_000),
     ("PT-0.5S", 0, -500_000_000), ("PT-1H-30M", -5400, 0), ("PT-1.25S", -1, -250_000_000)],
)
def test_durations(raw, seconds, nanos):
    value = parse_value(raw, simple(S.DURATION)).scalar.primitive.duration
    assert (value.seconds, value.nanos) == (seconds, nanos)


@pytest.mark.parametrize(
    "raw, kind",
    [("1.5", S.INTEGER), ("yes", S.BOOLEAN), ("1", S.FLOAT), ("2023-01-16", S.DATETIME), ("P1D", S.DURATION)],
)
def test_values_that_do_not_fit_their_type(raw, kind):
    with pytest.raises(OutputsParseError, match="is not a printed"):
        parse_value(raw, simple(kind))


def test_non_simple_types_are_refused_not_guessed():
    collection = types_pb2.LiteralType(collection_type=simple(S.INTEGER))
    with pytest.raises(OutputsParseError, match="collection_type cannot be read back"):
        parse_value("[1, 2]", collection, "xs")


names = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), min_size=1, max_size=4, unique=True)


@given(st.data())
def test_a_parse_is_either_exact_or_refused(data):
    """Rendered like Java's Map.toString in any order, a map of arbitrary strings parses back to
    exactly itself, or is refused as ambiguous; it is never read wrongly."""
    keys = data.draw(names)
    alphabet = st.sampled_from(list("ab=, xyz{}") + keys)
    values = {k: "".join(data.draw(st.lists(alphabet, max_size=8))) for k in keys}
    order = data.draw(st.permutations(keys))
    text = "{" + ", ".join(f"{k}={values[k]}" for k in order) + "}"
    try:
        parsed = split_outputs(text, set(keys))
    except AmbiguousOutputs:
        return
    assert parsed == values
