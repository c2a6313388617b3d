import datetime
import math

import pytest

from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.idl.literal_text import NotPassable, cli_text, python_value


@pytest.mark.parametrize(
    "spec, text",
    [
        ({"integer": -9223372036854775808}, "-9223372036854775808"),
        ({"float": "nan"}, "NaN"),
        ({"float": "inf"}, "Infinity"),
        ({"float": "-inf"}, "-Infinity"),
        ({"float": 0.1}, "0.1"),
        ({"string": "a, b=c"}, "a, b=c"),
        ({"boolean": False}, "false"),
        ({"datetime": "2023-01-16T10:20:30.123456789+02:00"}, "2023-01-16T08:20:30.123456789Z"),
        ({"datetime": "1969-12-31T23:59:59.5Z"}, "1969-12-31T23:59:59.500000000Z"),
        ({"duration": {"seconds": -1, "nanos": -500000000}}, "PT-1.5S"),
        ({"duration": {"seconds": 86400}}, "PT86400S"),
        ({"duration": {"nanos": 1}}, "PT0.000000001S"),
    ],
)
def test_command_line_text(spec, text):
    assert cli_text(literal_from_spec(spec)) == text


@pytest.mark.parametrize(
    "spec, words",
    [({"string": "a\x00b"}, "NUL"), ({"list": []}, "only simple values"), ({"struct": {"a": 1}}, "only simple values")],
)
def test_values_without_a_command_line_form(spec, words):
    with pytest.raises(NotPassable, match=words):
        cli_text(literal_from_spec(spec))


def test_python_values():
    assert python_value(literal_from_spec({"datetime": "2023-01-16T10:20:30.5Z"})) == datetime.datetime(
        2023, 1, 16, 10, 20, 30, 500000, tzinfo=datetime.timezone.utc)
    assert python_value(literal_from_spec({"duration": {"seconds": -1, "nanos": -500000000}})) == datetime.timedelta(
        seconds=-1.5)
    assert math.isnan(python_value(literal_from_spec({"float": "nan"})))


def test_specs_build_typed_literals():
    nested = literal_from_spec({"map": {"k": {"list": [{"integer": 1}, {"list": []}]}}})
    inner = nested.map.literals["k"].collection.literals
    assert inner[0].scalar.primitive.integer == 1
    assert inner[1].HasField("collection") and len(inner[1].collection.literals) == 0
    struct = literal_from_spec({"struct": {"y": 2, "tags": ["a"]}})
    assert struct.scalar.generic.fields["y"].number_value == 2.0


@pytest.mark.parametrize("spec", [{"integer": 1, "float": 2.0}, {"color": "red"}, {"datetime": "2023-01-16"}])
def test_bad_specs(spec):
    with pytest.raises(ValueError):
        literal_from_spec(spec)


def test_blob_specs_are_references_with_format_and_dimensionality():
    single = literal_from_spec({"blob": {"uri": "s3://b/dätä.csv", "format": "csv"}}).scalar.blob
    assert (single.uri, single.metadata.type.format, single.metadata.type.dimensionality) == ("s3://b/dätä.csv", "csv", 0)
    multi = literal_from_spec({"blob": {"uri": "s3://b/d/", "dimensionality": "multipart"}}).scalar.blob
    assert (multi.metadata.type.format, multi.metadata.type.dimensionality) == ("", 1)


def test_binary_specs_carry_msgpack_or_base64_bytes():
    import msgpack

    packed = literal_from_spec({"binary": {"tag": "msgpack", "msgpack": {"a": [1.5]}}}).scalar.binary
    assert packed.tag == "msgpack" and msgpack.unpackb(packed.value) == {"a": [1.5]}
    raw = literal_from_spec({"binary": {"tag": "raw", "base64": "AAH/"}}).scalar.binary
    assert (raw.tag, raw.value) == ("raw", b"\x00\x01\xff")
    with pytest.raises(ValueError, match="exactly one of msgpack or base64"):
        literal_from_spec({"binary": {"tag": "raw"}})
