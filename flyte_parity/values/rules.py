"""Rules: named predicates that say exactly which generated values a known divergence explains,
and what each side then gives.

A rule belongs to a ledger topic (``value_rule`` in tests/parity/ledger.toml), which holds the why,
the upstream source and issue; the rule holds the precise claim. ``explains(sent, difference,
exchange)`` is true only when the difference is at the rule's path and both sides' values are
exactly what the rule says they are for that ``sent`` value — a near miss is not explained. Each
rule names its witnesses per kind: values that show it, tried on every run, so that a rule that
stops explaining anything (the divergence was fixed) fails the run as stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from flyteidl.core import literals_pb2
from google.protobuf import json_format

from flyte_parity.idl.diff import Difference
from flyte_parity.values.exchange import Exchange, returned, same
from flyte_parity.values.strategies import (ENUM_MEMBERS, binary_literal, datetime_literal, duration_literal,
                                            string_literal)

Predicate = Callable[[literals_pb2.Literal, Difference, Exchange], bool]


@dataclass(frozen=True)
class ValueRule:
    name: str
    says: str  # one sentence: which values, and what each side gives for them
    rows: tuple[str, ...]  # type-table rows it holds for: "<kind>" (every JVM source) or "<kind>/<source>"
    explains: Predicate
    witnesses: Mapping[str, tuple[literals_pb2.Literal, ...]] = field(default_factory=dict)  # kind -> values
    flytekit_java: str = ""  # the flytekit-java versions it holds at (a PEP 440 specifier; "" = all)

    def holds_for(self, kind: str, source: str) -> bool:
        return kind in self.rows or f"{kind}/{source}" in self.rows


RULES: dict[str, ValueRule] = {}


def rule(name: str, says: str, rows: tuple[str, ...], witnesses: Mapping[str, tuple] | None = None,
         flytekit_java: str = ""):
    """Register the decorated predicate as the rule ``name``."""
    def register(predicate: Predicate) -> Predicate:
        if name in RULES:
            raise ValueError(f"value rule {name!r} defined twice")
        RULES[name] = ValueRule(name, says, rows, predicate, dict(witnesses or {}), flytekit_java)
        return predicate
    return register


# --- what the sides give: helpers the rules share ----------------------------------------------------

def code_of(answer) -> str | None:
    return answer.error.error.code if answer is not None and answer.error is not None else None


def _scalar(literal, kind: str):
    if literal is None or literal.WhichOneof("value") != "scalar":
        return None
    return getattr(literal.scalar.primitive, kind) if literal.scalar.WhichOneof("value") == "primitive" and \
        literal.scalar.primitive.WhichOneof("value") == kind else None


def _pair(message) -> tuple[int, int] | None:
    return None if message is None else (message.seconds, message.nanos)


def micro_datetime(seconds: int, nanos: int) -> tuple[int, int]:
    """A timestamp as a Python datetime holds it: nanoseconds cut to microseconds (nanos >= 0)."""
    return seconds, nanos - nanos % 1000


def total(pair: tuple[int, int]) -> int:
    """A (seconds, nanos) pair as the nanoseconds it denotes."""
    return pair[0] * 1_000_000_000 + pair[1]


def python_duration(seconds: int, nanos: int) -> int:
    """The span flytekit reads from a Duration's fields (nanoseconds): a timedelta of ``seconds``
    and the nanos field rounded toward zero to microseconds (protobuf's Duration.ToTimedelta)."""
    return seconds * 1_000_000_000 + int(nanos / 1000) * 1000  # |nanos| < 1e9: the division is exact enough


def jackson_duration(seconds: int, nanos: int) -> int:
    """The span a Java task hands back (nanoseconds): the sign of a negative fraction dropped when
    the whole seconds are negative too (flytekit-jackson's JSR-310 round trip)."""
    return seconds * 1_000_000_000 + (abs(nanos) if seconds < 0 and nanos < 0 else nanos)


def mixed_signs(pair: tuple[int, int]) -> bool:
    return (pair[0] < 0 < pair[1]) or (pair[1] < 0 < pair[0])


# --- the rules ------------------------------------------------------------------------------------

@rule("datetime-microseconds",
      "a timestamp whose nanoseconds are no whole microsecond: the JVM hands it back exactly, Python with "
      "the nanoseconds cut to microseconds (and a JVM task fed Python's value hands that back)",
      ("datetime",), {"datetime": (datetime_literal((0, 1)), datetime_literal((-62135596800, 999_999_999)))})
def _datetime_microseconds(sent, difference, done) -> bool:
    stamp = _pair(_scalar(sent, "datetime"))
    if stamp is None or stamp[1] % 1000 == 0:
        return False
    jvm, python = _pair(_scalar(returned(done.jvm), "datetime")), _pair(_scalar(returned(done.python), "datetime"))
    return (difference.path == "outputs.scalar.primitive.datetime" and jvm == stamp
            and python == micro_datetime(*stamp))


@rule("duration-microseconds",
      "a duration whose nanoseconds are no whole microsecond: the JVM hands back the same span, Python the "
      "span with the nanoseconds rounded toward zero to microseconds",
      ("duration",), {"duration": (duration_literal((0, 1)), duration_literal((86400, 999)), duration_literal((0, -1)))})
def _duration_microseconds(sent, difference, done) -> bool:
    span = _pair(_scalar(sent, "duration"))
    if span is None or span[1] % 1000 == 0 or difference.path != "outputs.scalar.primitive.duration":
        return False
    jvm, python = _pair(_scalar(returned(done.jvm), "duration")), _pair(_scalar(returned(done.python), "duration"))
    return jvm is not None and python is not None and total(jvm) == total(span) and total(python) == python_duration(*span)


@rule("jvm-duration-mixed-signs",
      "a negative span the JVM hands back with a fraction that is no whole microsecond: written as "
      "(seconds floored, positive nanos), which Python reads one microsecond further from zero",
      ("duration",), {"duration": (duration_literal((0, -1)), duration_literal((-3, -1)))})
def _jvm_duration_mixed_signs(sent, difference, done) -> bool:
    jvm = _pair(_scalar(returned(done.jvm), "duration"))
    consumer = _pair(_scalar(returned(done.jvm_to_python), "duration"))
    return (difference.path == "jvm_to_python.outputs.scalar.primitive.duration" and jvm is not None
            and consumer is not None and mixed_signs(jvm) and jvm[1] % 1000 != 0
            and total(consumer) == python_duration(*jvm) != total(jvm))


@rule("jackson-negative-duration",
      "a duration with negative seconds and a negative fraction: a Java task hands back the span with the "
      "fraction's sign dropped (-1.5 s becomes -0.5 s); Python hands back the span (to microseconds)",
      ("duration/own-java",), {"duration": (duration_literal((-1, -500_000_000)), duration_literal((-2, -1)))})
def _jackson_negative_duration(sent, difference, done) -> bool:
    span = _pair(_scalar(sent, "duration"))
    jvm, python = _pair(_scalar(returned(done.jvm), "duration")), _pair(_scalar(returned(done.python), "duration"))
    if span is None or jvm is None or python is None or total(python) != python_duration(*span):
        return False
    if difference.path == "outputs.scalar.primitive.duration":
        return span[0] < 0 and span[1] < 0 and total(jvm) == jackson_duration(*span)
    if difference.path == "python_to_jvm.outputs.scalar.primitive.duration":
        consumer = _pair(_scalar(returned(done.python_to_jvm), "duration"))
        return consumer is not None and python[0] < 0 and python[1] < 0 and total(consumer) == jackson_duration(*python)
    return False


# --- structs: the type table's Point (x float, y int, label str, tags [str], inner {flag bool}) ------

SCALA_TYPES = {"": "dev.flyteparity.examples.scala.types.Point", "inner": "dev.flyteparity.examples.scala.types.Inner"}


def point_of(data: dict) -> dict:
    """The Point flytekit makes of a struct's data (its dataclass fields: y an int, x a float)."""
    return {"x": float(data["x"]), "y": int(data["y"]), "label": data["label"], "tags": list(data["tags"]),
            "inner": {"flag": data["inner"]["flag"]}}


def with_scala_types(data: dict) -> dict:
    """The data flytekit-scala writes for a Point: each case class with its '__type' field."""
    return {**data, "__type": SCALA_TYPES[""], "inner": {**data["inner"], "__type": SCALA_TYPES["inner"]}}


def same_data(left, right) -> bool:
    """Equal data, types included (1 and 1.0 differ, as do 0.0 and -0.0)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_data(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_data, left, right))
    if isinstance(left, float):
        import math
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return left == right


def elements(literal) -> list | None:
    """A struct literal's elements — itself, a list's items or a map's values (by sorted key) — or
    None when the literal is not of that shape."""
    if literal is None:
        return None
    kind = literal.WhichOneof("value")
    if kind == "scalar":
        return [literal.scalar]
    if kind == "collection":
        return [item.scalar for item in literal.collection.literals]
    if kind == "map":
        return [literal.map.literals[key].scalar for key in sorted(literal.map.literals)]
    return None


def _shape(literal) -> tuple:
    kind = literal.WhichOneof("value")
    if kind == "map":
        return kind, tuple(sorted(literal.map.literals))
    if kind == "collection":
        return kind, len(literal.collection.literals)
    return (kind,)


def generic_data(scalar) -> dict | None:
    return json_format.MessageToDict(scalar.generic) if scalar.WhichOneof("value") == "generic" else None


def msgpack_data(scalar) -> object:
    import msgpack
    if scalar.WhichOneof("value") != "binary" or scalar.binary.tag != "msgpack":
        return None
    return msgpack.unpackb(scalar.binary.value, raw=False, strict_map_key=False)


def each(sent, answer_value, expect) -> bool:
    """Whether ``answer_value`` has ``sent``'s shape and each element is what ``expect(sent element
    data, answer element)`` accepts."""
    mine, theirs = elements(sent), elements(answer_value)
    if mine is None or theirs is None or _shape(sent) != _shape(answer_value):
        return False
    return all(expect(generic_data(s), a) for s, a in zip(mine, theirs))


def jvm_struct(data, scalar) -> bool:
    """A JVM side's struct: the data as sent (Java), or with flytekit-scala's '__type' fields."""
    got = generic_data(scalar)
    return got is not None and (same_data(got, data) or same_data(got, with_scala_types(data)))


def python_msgpack(data, scalar) -> bool:
    """Python's dataclass written as msgpack: the Point flytekit makes of the data."""
    return same_data(msgpack_data(scalar), point_of(data))


def _struct_witness():
    from flyte_parity.values.strategies import collection, literal_map, struct_literal
    point = struct_literal({"x": 1.5, "y": 2, "label": "p", "tags": ["a"], "inner": {"flag": True}})
    return {"struct": (point,), "struct-list": (collection([point]),), "struct-map": (literal_map({"k": point}),)}


@rule("dataclass-msgpack",
      "a struct of the Point dataclass: the JVM hands back the Struct it was sent (Scala with its '__type' "
      "fields), Python a msgpack Binary of the Point (y an int, x a float); a JVM task fed Python's value "
      "fails (SYSTEM:Unknown), a Python task fed the JVM's value writes the same msgpack",
      ("struct", "struct-list", "struct-map"), _struct_witness())
def _dataclass_msgpack(sent, difference, done) -> bool:
    if not (each(sent, returned(done.jvm), jvm_struct) and each(sent, returned(done.python), python_msgpack)):
        return False
    if difference.path.startswith("outputs."):
        return difference.path.endswith(".scalar.value") or difference.path == "outputs.scalar.value"
    if difference.path == "python_to_jvm.outcome":
        return code_of(done.python_to_jvm) == "SYSTEM:Unknown"
    if difference.path.startswith("jvm_to_python.outputs."):
        return each(sent, returned(done.jvm_to_python), python_msgpack)
    return False


@rule("scala-struct-type-field",
      "a struct with flytekit's old dataclass format: flytekit-scala hands back the Struct with a '__type' "
      "field naming the case class at each level, Python (and Python fed the JVM's value) the data as sent",
      ("struct-old-dc-format/own-scala",), {"struct-old-dc-format": _struct_witness()["struct"]},
      flytekit_java=">0.3.20")
def _scala_struct_type_field(sent, difference, done) -> bool:
    if '.fields["__type"]' not in difference.path:
        return False
    scala = each(sent, returned(done.jvm), lambda data, s: same_data(generic_data(s), with_scala_types(data)))
    python = each(sent, returned(done.python), lambda data, s: same_data(generic_data(s), point_data(data)))
    if difference.path.startswith("jvm_to_python."):
        python = python and each(sent, returned(done.jvm_to_python),
                                 lambda data, s: same_data(generic_data(s), point_data(data)))
    return scala and python


def point_data(data: dict) -> dict:
    """The Point as a Struct holds it (old dataclass format): every number a float."""
    point = point_of(data)
    return {**point, "y": float(point["y"])}


# --- values one side refuses -----------------------------------------------------------------------

def _returned_sent(value, sent) -> bool:
    return value is not None and same(value, sent)


def _jvm_returns_sent_python_refuses(sent, difference, done) -> bool:
    return difference.path == "outcome" and _returned_sent(returned(done.jvm), sent) and code_of(done.python) == "SYSTEM"


@rule("binary-tag",
      "a Binary tagged other than 'msgpack': the JVM hands it back unchanged, Python refuses it (SYSTEM)",
      ("binary",), {"binary": (binary_literal(("raw", b"\x00\x01")), binary_literal(("", b"x")))}, flytekit_java=">=0.4.55")
def _binary_tag(sent, difference, done) -> bool:
    return sent.scalar.binary.tag != "msgpack" and _jvm_returns_sent_python_refuses(sent, difference, done)


@rule("jackson-empty-binary",
      "a Binary with no bytes: a Java task fails writing it back (SYSTEM:Unknown: flytekit-jackson's "
      "'Missing field [value]'), where Python hands back an empty msgpack and refuses other tags (SYSTEM)",
      ("binary/own-java",), {"binary": (binary_literal(("raw", b"")),)}, flytekit_java=">=0.4.55")
def _jackson_empty_binary(sent, difference, done) -> bool:
    if sent.scalar.binary.value or code_of(done.jvm) != "SYSTEM:Unknown":
        return False
    if code_of(done.python) == "SYSTEM":  # both fail: their error documents differ
        return difference.path in ("error.error.code", "error.error.origin", "error.error.timestamp")
    return difference.path == "outcome" and _returned_sent(returned(done.python), sent)





@rule("enum-as-string",
      "a string that is no member of the enum: the JVM task takes it and hands it back, Python refuses it (SYSTEM)",
      ("enum",), {"enum": (string_literal("purple"), string_literal(""))}, flytekit_java=">0.3.20")
def _enum_as_string(sent, difference, done) -> bool:
    return sent.scalar.primitive.string_value not in ENUM_MEMBERS and _jvm_returns_sent_python_refuses(sent, difference, done)


def python_reads_blob(blob) -> bool:
    """Whether flytekit's FlyteFile takes a blob: a single file at a remote uri (a local path or
    file:// uri must name an existing file; the values sent name none)."""
    from flyteidl.core import types_pb2
    uri = blob.uri
    return (blob.metadata.type.dimensionality == types_pb2.BlobType.SINGLE and "://" in uri
            and not uri.startswith("file://"))


def _blobs(literal) -> list | None:
    found = elements(literal)
    if found is None or any(s.WhichOneof("value") != "blob" for s in found):
        return None
    return [s.blob for s in found]


def _blob_witnesses():
    from flyteidl.core import types_pb2
    from flyte_parity.values.strategies import blob_literal, collection
    multipart = blob_literal(("s3://my-bucket/data/", "", types_pb2.BlobType.MULTIPART))
    csv = blob_literal(("s3://my-bucket/data/points.csv", "csv", types_pb2.BlobType.SINGLE))
    return {"blob": (multipart, csv), "blob-list": (collection([csv]), collection([csv, multipart]))}


@rule("blob-as-reference",
      "a blob: the JVM hands it back unchanged; Python refuses a MULTIPART blob or a local or file:// uri "
      "naming no file (SYSTEM), and hands back any other with its format emptied",
      ("blob", "blob-list"), _blob_witnesses(), flytekit_java=">0.3.20")
def _blob_as_reference(sent, difference, done) -> bool:
    sent_blobs = _blobs(sent)
    if sent_blobs is None or not _returned_sent(returned(done.jvm), sent):
        return False
    if not all(map(python_reads_blob, sent_blobs)):
        return difference.path == "outcome" and code_of(done.python) == "SYSTEM"
    python = _blobs(returned(done.python))
    if python is None or len(python) != len(sent_blobs):
        return False
    expected = all(p.uri == s.uri and p.metadata.type.format == "" and p.metadata.type.dimensionality ==
                   s.metadata.type.dimensionality for p, s in zip(python, sent_blobs))
    return expected and difference.path.startswith("outputs.") and \
        difference.path.endswith("scalar.blob.metadata.type.format")
