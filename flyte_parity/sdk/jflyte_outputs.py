"""Turns what ``jflyte execute-local`` prints as its outputs into a typed flyteidl LiteralMap.

jflyte logs ``ExecuteLocal - Outputs: {k1=v1, k2=v2}``: a Java ``Map.toString()`` in hash order,
with no quoting. The text alone cannot be split safely, so the parser takes the workflow's declared
output types (from its serialized interface) and accepts the line only when exactly one split into
``name=value`` parts fits those names; otherwise it refuses with AmbiguousOutputs rather than
guess. docs/jflyte-outputs.md lists where this rendering loses information.
"""

from __future__ import annotations

import math
import re
from typing import Mapping

from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import duration_pb2, timestamp_pb2

MARKER = "ExecuteLocal - Outputs: "

_SIMPLE = types_pb2.SimpleType


class OutputsParseError(ValueError):
    """The printed outputs cannot be turned into a LiteralMap."""


class AmbiguousOutputs(OutputsParseError):
    """More than one split of the printed map fits the declared output names."""


def extract_outputs_text(stderr: str) -> str:
    """The ``{...}`` text after the last Outputs marker (a value may span lines)."""
    at = stderr.rfind(MARKER)
    if at < 0:
        raise OutputsParseError("jflyte printed no 'Outputs:' line")
    text = stderr[at + len(MARKER) :]
    if text.endswith("\n"):
        text = text[:-1]
    return text


def split_outputs(text: str, names: set[str]) -> dict[str, str]:
    """Split ``{k1=v1, k2=v2}`` into its parts, using the known output names."""
    if not (text.startswith("{") and text.endswith("}")):
        raise OutputsParseError(f"outputs are not a {{...}} map: {text!r}")
    body = text[1:-1]
    if not names:
        if body:
            raise OutputsParseError(f"no outputs declared but jflyte printed {text!r}")
        return {}
    solutions = list(_segmentations(body, 0, frozenset(names), first=True))
    if not solutions:
        raise OutputsParseError(f"printed outputs {text!r} do not match the declared outputs {sorted(names)}")
    if len(solutions) > 1:
        readings = "; ".join(repr(s) for s in solutions[:3])
        raise AmbiguousOutputs(
            f"printed outputs {text!r} split in {len(solutions)} ways over {sorted(names)} ({readings}); "
            "a string value contains ', <name>=': compare this case through serialized outputs instead"
        )
    return solutions[0]


def _segmentations(body: str, start: int, remaining: frozenset[str], first: bool):
    """Every way to read body[start:] as 'name=value' parts joined by ', ', one per remaining name."""
    prefix = "" if first else ", "
    for name in sorted(remaining):
        head = f"{prefix}{name}="
        if not body.startswith(head, start):
            continue
        value_start = start + len(head)
        rest = remaining - {name}
        if not rest:
            yield {name: body[value_start:]}
            continue
        for other in rest:
            search = value_start
            while (cut := body.find(f", {other}=", search)) >= 0:
                for tail in _segmentations(body, cut, rest, first=False):
                    if other in tail:
                        yield {name: body[value_start:cut], **tail}
                search = cut + 1


def parse_outputs(text: str, types: Mapping[str, types_pb2.LiteralType]) -> literals_pb2.LiteralMap:
    """Parse the printed map into a LiteralMap typed by the declared output types."""
    parts = split_outputs(text, set(types))
    result = literals_pb2.LiteralMap()
    for name, raw in parts.items():
        result.literals[name].CopyFrom(parse_value(raw, types[name], name))
    return result


def parse_value(raw: str, literal_type: types_pb2.LiteralType, name: str = "?") -> literals_pb2.Literal:
    """One printed value to a Literal of the declared type (simple types only)."""
    kind = literal_type.WhichOneof("type")
    if kind != "simple":
        raise OutputsParseError(
            f"output {name}: type {kind} cannot be read back from jflyte's printed map; "
            "compare it through serialized outputs (entrypoint mode)"
        )
    primitive = literals_pb2.Primitive()
    simple = literal_type.simple
    try:
        if simple == _SIMPLE.INTEGER:
            if not re.fullmatch(r"-?\d+", raw):
                raise ValueError(raw)
            primitive.integer = int(raw)
        elif simple == _SIMPLE.FLOAT:
            primitive.float_value = _java_double(raw)
        elif simple == _SIMPLE.STRING:
            primitive.string_value = raw
        elif simple == _SIMPLE.BOOLEAN:
            if raw not in ("true", "false"):
                raise ValueError(raw)
            primitive.boolean = raw == "true"
        elif simple == _SIMPLE.DATETIME:
            primitive.datetime.CopyFrom(_instant(raw))
        elif simple == _SIMPLE.DURATION:
            primitive.duration.CopyFrom(_java_duration(raw))
        else:
            raise OutputsParseError(
                f"output {name}: simple type {_SIMPLE.Name(simple)} cannot be read from jflyte's printed map"
            )
    except ValueError:
        raise OutputsParseError(
            f"output {name}: {raw!r} is not a printed {_SIMPLE.Name(simple).lower()}"
        ) from None
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=primitive))


def _java_double(raw: str) -> float:
    """Double.toString: '1.5', '1.0E10', 'NaN', 'Infinity', '-Infinity'."""
    if raw in ("NaN", "Infinity", "-Infinity"):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[raw]
    if not re.fullmatch(r"-?\d+\.\d+(E-?\d+)?", raw):
        raise ValueError(raw)
    return float(raw)


_INSTANT = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?Z")


def _instant(raw: str) -> timestamp_pb2.Timestamp:
    """Instant.toString (always UTC, 'Z'), kept to the nanosecond."""
    match = _INSTANT.fullmatch(raw)
    if match is None:
        raise ValueError(raw)
    import calendar

    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    nanos = int((match.group(7) or "").ljust(9, "0") or 0)
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


_DURATION = re.compile(r"PT(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?)(\d+)(?:\.(\d{1,9}))?S)?")


def _java_duration(raw: str) -> duration_pb2.Duration:
    """Duration.toString: 'PT0S', 'PT24H', 'PT1H2M3.5S', 'PT-0.5S', 'PT-1H-30M'."""
    match = _DURATION.fullmatch(raw)
    if match is None or raw == "PT":
        raise ValueError(raw)
    hours, minutes = int(match.group(1) or 0), int(match.group(2) or 0)
    negative = match.group(3) == "-"
    whole, frac = int(match.group(4) or 0), int((match.group(5) or "").ljust(9, "0") or 0)
    total_nanos = (hours * 3600 + minutes * 60) * 10**9 + (-1 if negative else 1) * (whole * 10**9 + frac)
    seconds = int(total_nanos / 10**9)
    nanos = total_nanos - seconds * 10**9
    return duration_pb2.Duration(seconds=seconds, nanos=nanos)
