"""Literals written as data (TOML/JSON) for the type table: a small spec language.

``{integer = n}``, ``{float = x}`` (or "nan", "inf", "-inf"), ``{string = s}``, ``{boolean = b}``,
``{datetime = "2023-01-16T10:20:30.123456789+02:00"}`` (ISO 8601, nanoseconds kept, offset
applied), ``{duration = {seconds = s, nanos = n}}``, ``{list = [spec, ...]}``,
``{map = {key = spec}}``, ``{struct = {json object}}`` (a protobuf Struct, as flytekit-java sends),
``{blob = {uri = u, format = f, dimensionality = "single"|"multipart"}}`` (a reference: the
bytes behind the uri are never read), ``{binary = {tag = t, msgpack = value}}`` or
``{binary = {tag = t, base64 = "..."}}``.
"""

from __future__ import annotations

import base64
import calendar
import math
import re
from typing import Any, Mapping

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format, struct_pb2

_DATETIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)"
)
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def literal_from_spec(spec: Mapping[str, Any]) -> literals_pb2.Literal:
    if len(spec) != 1:
        raise ValueError(f"a literal spec has exactly one key, got {sorted(spec)}")
    (kind, value), = spec.items()
    literal = literals_pb2.Literal()
    primitive = literal.scalar.primitive
    if kind == "integer":
        primitive.integer = int(value)
    elif kind == "float":
        primitive.float_value = _FLOATS[value] if isinstance(value, str) else float(value)
    elif kind == "string":
        primitive.string_value = value
    elif kind == "boolean":
        primitive.boolean = bool(value)
    elif kind == "datetime":
        seconds, nanos = _datetime(value)
        primitive.datetime.seconds, primitive.datetime.nanos = seconds, nanos
    elif kind == "duration":
        primitive.duration.seconds = int(value.get("seconds", 0))
        primitive.duration.nanos = int(value.get("nanos", 0))
    elif kind == "list":
        literal.collection.SetInParent()
        for item in value:
            literal.collection.literals.append(literal_from_spec(item))
    elif kind == "map":
        literal.map.SetInParent()
        for key, item in value.items():
            literal.map.literals[key].CopyFrom(literal_from_spec(item))
    elif kind == "struct":
        literal.scalar.generic.CopyFrom(json_format.ParseDict(value, struct_pb2.Struct()))
    elif kind == "blob":
        literal.scalar.blob.uri = value["uri"]
        blob_type = literal.scalar.blob.metadata.type
        blob_type.format = value.get("format", "")
        blob_type.dimensionality = {"single": types_pb2.BlobType.SINGLE, "multipart": types_pb2.BlobType.MULTIPART}[
            value.get("dimensionality", "single")]
    elif kind == "binary":
        if ("msgpack" in value) == ("base64" in value):
            raise ValueError("a binary spec has a tag and exactly one of msgpack or base64")
        literal.scalar.binary.tag = value["tag"]
        literal.scalar.binary.value = (msgpack.packb(value["msgpack"]) if "msgpack" in value
                                       else base64.b64decode(value["base64"], validate=True))
    else:
        raise ValueError(f"unknown literal kind {kind!r}")
    return literal


def _datetime(text: str) -> tuple[int, int]:
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 datetime with seconds and an offset: {text!r}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    nanos = int((match.group(7) or "").ljust(9, "0"))
    offset = match.group(8)
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        seconds -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    return seconds, nanos
