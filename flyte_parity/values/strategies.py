"""Hypothesis strategies: flyteidl literals of each kind the type table's identity tasks take.

Each strategy mixes a general draw with the values users trip over (the general draw first, so
that Hypothesis shrinks a failure towards the simplest value, not an edge): integers at ±2^31, ±2^53 and the int64 limits;
floats ±0.0, subnormals, ±inf, NaN; strings empty, with NUL and astral characters; timestamps at
years 1 and 9999 with nanoseconds; durations negative, sub-microsecond and huge; lists and maps
empty and nested, map keys empty and non-ASCII; structs with the edges above inside. A struct is
written as flytekit-java sends it (a protobuf Struct: every number a double).
"""

from __future__ import annotations

import math
from typing import Callable

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2
from hypothesis import strategies as st

INT64 = (-(2 ** 63), 2 ** 63 - 1)
EDGE_INTEGERS = sorted({v for base in (0, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 62) for v in (base - 1, base, base + 1)}
                       | {-v for base in (2 ** 31, 2 ** 32, 2 ** 53, 2 ** 62) for v in (base - 1, base, base + 1)}
                       | set(INT64) | {INT64[0] + 1, INT64[1] - 1})
EDGE_FLOATS = (0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
               math.inf, -math.inf, math.nan, 0.1, 1e-7, 2.0 ** 53, 2.0 ** 63, 9007199254740993.0)
EDGE_STRINGS = ("", "\x00", "a\x00b", "😀", "\U0010ffff", "Zoë Ångström 日本語", "\u200b", "\r\n", " ", "\ufeff")
# google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z
TIMESTAMP_SECONDS = (-62135596800, 253402300799)
EDGE_TIMESTAMP_SECONDS = (TIMESTAMP_SECONDS[0], TIMESTAMP_SECONDS[0] + 1, -1, 0, 1, TIMESTAMP_SECONDS[1] - 1,
                          TIMESTAMP_SECONDS[1], 2 ** 31 - 1, 2 ** 31)
# google.protobuf.Duration's range: ±10,000 years
DURATION_SECONDS = 315576000000
EDGE_DURATION_SECONDS = (0, 1, -1, 86400, -86400, DURATION_SECONDS, -DURATION_SECONDS, 2 ** 31, -(2 ** 31))
EDGE_NANOS = (0, 1, 999, 1000, 999999, 1000000, 500000000, 999999999)


def _primitive(**field) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    (name, value), = field.items()
    setattr(literal.scalar.primitive, name, value)
    return literal


def integers() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(*INT64), st.sampled_from(EDGE_INTEGERS),
                     st.integers(-(2 ** 53) - 4, -(2 ** 53) + 4), st.integers(2 ** 53 - 4, 2 ** 53 + 4))


def floats() -> st.SearchStrategy[float]:
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(EDGE_FLOATS),
                     st.floats(min_value=-1e-300, max_value=1e-300), st.integers(*INT64).map(float))


def texts(max_size: int = 12) -> st.SearchStrategy[str]:
    """Valid UTF-8 text (a protobuf string holds nothing else): no surrogates."""
    return st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size),
                     st.sampled_from(EDGE_STRINGS))


def nanos() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 999_999_999), st.sampled_from(EDGE_NANOS))


def timestamps() -> st.SearchStrategy[tuple[int, int]]:
    seconds = st.one_of(st.integers(*TIMESTAMP_SECONDS), st.sampled_from(EDGE_TIMESTAMP_SECONDS))
    return st.tuples(seconds, nanos())


def durations() -> st.SearchStrategy[tuple[int, int]]:
    """(seconds, nanos) with one sign, as google.protobuf.Duration requires."""
    seconds = st.one_of(st.integers(-DURATION_SECONDS, DURATION_SECONDS), st.sampled_from(EDGE_DURATION_SECONDS))

    def signed(pair):
        s, n = pair
        return (s, -n if s < 0 else n)
    negative_fraction = nanos().filter(bool).map(lambda n: (0, -n))
    return st.one_of(st.tuples(seconds, nanos()).map(signed), negative_fraction)


def integer_literal(value: int) -> literals_pb2.Literal:
    return _primitive(integer=value)


def float_literal(value: float) -> literals_pb2.Literal:
    return _primitive(float_value=value)


def string_literal(value: str) -> literals_pb2.Literal:
    return _primitive(string_value=value)


def datetime_literal(value: tuple[int, int]) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.scalar.primitive.datetime.seconds, literal.scalar.primitive.datetime.nanos = value
    return literal


def duration_literal(value: tuple[int, int]) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.scalar.primitive.duration.seconds, literal.scalar.primitive.duration.nanos = value
    return literal


def collection(items: list[literals_pb2.Literal]) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.collection.SetInParent()
    literal.collection.literals.extend(items)
    return literal


def literal_map(items: dict[str, literals_pb2.Literal]) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.map.SetInParent()
    for key, item in items.items():
        literal.map.literals[key].CopyFrom(item)
    return literal


def lists_of(items: st.SearchStrategy[literals_pb2.Literal], max_size: int = 4) -> st.SearchStrategy:
    return st.lists(items, max_size=max_size).map(collection)


def maps_of(items: st.SearchStrategy[literals_pb2.Literal], max_size: int = 4) -> st.SearchStrategy:
    return st.dictionaries(texts(8), items, max_size=max_size).map(literal_map)


def points() -> st.SearchStrategy[dict]:
    """The identity tasks' struct (Point: x float, y int, label str, tags [str], inner {flag bool})
    as JSON-like data; y is an integer, which a Struct can only carry as a double."""
    finite = floats().filter(math.isfinite)  # a protobuf Struct has no NaN or infinity in JSON
    return st.fixed_dictionaries({"x": finite, "y": integers(), "label": texts(),
                                  "tags": st.lists(texts(6), max_size=3),
                                  "inner": st.fixed_dictionaries({"flag": st.booleans()})})


def struct_literal(value: dict) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.scalar.generic.CopyFrom(_struct(value))
    return literal


def _struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    for key, item in value.items():
        _set(struct.fields[key], item)
    return struct


def _set(target: struct_pb2.Value, item) -> None:
    if isinstance(item, bool):
        target.bool_value = item
    elif isinstance(item, (int, float)):
        target.number_value = float(item)
    elif isinstance(item, str):
        target.string_value = item
    elif isinstance(item, dict):
        target.struct_value.CopyFrom(_struct(item))
    elif isinstance(item, list):
        target.list_value.SetInParent()
        for element in item:
            _set(target.list_value.values.add(), element)
    elif item is None:
        target.null_value = struct_pb2.NULL_VALUE
    else:
        raise TypeError(f"no Struct value for {type(item).__name__}")


def blob_literal(value: tuple[str, str, int]) -> literals_pb2.Literal:
    uri, fmt, dimensionality = value
    literal = literals_pb2.Literal()
    blob = literal.scalar.blob
    blob.uri, blob.metadata.type.format, blob.metadata.type.dimensionality = uri, fmt, dimensionality
    return literal


def blobs() -> st.SearchStrategy[literals_pb2.Literal]:
    scheme = st.sampled_from(("s3://my-bucket/", "gs://other/", "file:///no-such-folder/", "/no-such-folder/"))
    uri = st.tuples(scheme, texts(10)).map("".join)
    dimensionality = st.sampled_from((types_pb2.BlobType.SINGLE, types_pb2.BlobType.MULTIPART))
    return st.tuples(uri, st.sampled_from(("", "csv", "parquet")), dimensionality).map(blob_literal)


def msgpack_values(depth: int = 2) -> st.SearchStrategy:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(*INT64), floats(), texts(6))
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(texts(6), inner, max_size=3)), max_leaves=8)


def binary_literal(value: tuple[str, bytes]) -> literals_pb2.Literal:
    literal = literals_pb2.Literal()
    literal.scalar.binary.tag, literal.scalar.binary.value = value
    return literal


def binaries() -> st.SearchStrategy[literals_pb2.Literal]:
    packed = st.dictionaries(texts(6), msgpack_values(), max_size=4).map(
        lambda d: ("msgpack", msgpack.packb(d, use_bin_type=True)))
    other = st.tuples(st.sampled_from(("raw", "", "json")), st.binary(max_size=12))
    return st.one_of(packed, other).map(binary_literal)


ENUM_MEMBERS = ("RED", "GREEN", "BLUE")


def enum_strings() -> st.SearchStrategy[literals_pb2.Literal]:
    return st.one_of(st.sampled_from(ENUM_MEMBERS), texts(6), st.sampled_from(("red", " GREEN", ""))).map(string_literal)


def struct_literals() -> st.SearchStrategy[literals_pb2.Literal]:
    return points().map(struct_literal)


KINDS: dict[str, Callable[[], st.SearchStrategy[literals_pb2.Literal]]] = {
    "integer": lambda: integers().map(integer_literal),
    "float": lambda: floats().map(float_literal),
    "string": lambda: texts(40).map(string_literal),
    "boolean": lambda: st.booleans().map(lambda b: _primitive(boolean=b)),
    "datetime": lambda: timestamps().map(datetime_literal),
    "duration": lambda: durations().map(duration_literal),
    "list": lambda: lists_of(integers().map(integer_literal), 6),
    "map": lambda: maps_of(integers().map(integer_literal)),
    "nested-list": lambda: lists_of(lists_of(texts(8).map(string_literal), 3), 3),
    "nested-map": lambda: maps_of(maps_of(floats().map(float_literal), 3), 3),
    "struct": struct_literals,
    "struct-old-dc-format": struct_literals,
    "struct-list": lambda: lists_of(struct_literals(), 3),
    "struct-map": lambda: maps_of(struct_literals(), 3),
    "blob": blobs,
    "blob-list": lambda: lists_of(blobs(), 3),
    "binary": binaries,
    "enum": enum_strings,
}


def literals_of(kind: str) -> st.SearchStrategy[literals_pb2.Literal]:
    """The strategy for one type-table kind; a kind with none is a usage error of the catalogue."""
    try:
        return KINDS[kind]()
    except KeyError:
        raise KeyError(f"no value strategy for kind {kind!r}; add one to flyte_parity/values/strategies.py "
                       f"(known: {', '.join(KINDS)})") from None


def _always() -> dict[str, tuple[literals_pb2.Literal, ...]]:
    """Values every run sends (before the generated ones), whatever Hypothesis draws: the edges the
    reports name one by one."""
    point = {"x": -0.0, "y": 2 ** 53 + 1, "label": "a\x00😀", "tags": ["", "Zoë"], "inner": {"flag": True}}
    struct = struct_literal(point)
    return {
        "integer": tuple(map(integer_literal, (2 ** 53 + 1, -(2 ** 53) - 1, *INT64))),
        "float": tuple(map(float_literal, (-0.0, 5e-324, math.nan, math.inf))),
        "string": tuple(map(string_literal, ("", "a\x00b", "😀\U0010ffff"))),
        "datetime": tuple(map(datetime_literal, ((TIMESTAMP_SECONDS[0], 1), (TIMESTAMP_SECONDS[1], 999_999_999)))),
        "duration": tuple(map(duration_literal, ((DURATION_SECONDS, 999_999_999), (-DURATION_SECONDS, -1)))),
        "list": (collection([]), collection([integer_literal(2 ** 53 + 1)])),
        "map": (literal_map({}), literal_map({"": integer_literal(-1), "ключ": integer_literal(2 ** 63 - 1)})),
        "struct": (struct,), "struct-old-dc-format": (struct,),
        "struct-list": (collection([struct]),), "struct-map": (literal_map({"": struct}),),
    }


ALWAYS = _always()
