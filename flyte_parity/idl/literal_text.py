"""A literal as the text jflyte execute-local takes on its command line, and as the Python value
a local flytekit workflow takes. Pure functions over flyteidl literals."""

from __future__ import annotations

import datetime
import math
from typing import Any

from flyteidl.core import literals_pb2


class NotPassable(ValueError):
    """This value cannot be given to that side as a command-line argument or Python value."""


def cli_text(literal: literals_pb2.Literal) -> str:
    """What ``--name=<text>`` takes for a simple literal (jflyte's execute-local parsers)."""
    if literal.WhichOneof("value") != "scalar" or literal.scalar.WhichOneof("value") != "primitive":
        raise NotPassable("execute-local takes only simple values on its command line")
    primitive = literal.scalar.primitive
    kind = primitive.WhichOneof("value")
    if kind == "integer":
        return str(primitive.integer)
    if kind == "float_value":
        value = primitive.float_value
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if kind == "string_value":
        if "\x00" in primitive.string_value:
            raise NotPassable("a NUL character cannot be passed in a command-line argument")
        return primitive.string_value
    if kind == "boolean":
        return "true" if primitive.boolean else "false"
    if kind == "datetime":
        total = primitive.datetime.seconds * 10**9 + primitive.datetime.nanos
        seconds, nanos = divmod(total, 10**9)
        stamp = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S") + (f".{nanos:09d}" if nanos else "") + "Z"
    if kind == "duration":
        total = primitive.duration.seconds * 10**9 + primitive.duration.nanos
        whole, frac = divmod(abs(total), 10**9)
        text = f"{whole}" + (f".{frac:09d}".rstrip("0") if frac else "")
        return f"PT{'-' if total < 0 else ''}{text}S"
    raise NotPassable(f"no command-line form for {kind}")


def python_value(literal: literals_pb2.Literal) -> Any:
    """The Python value a flytekit workflow input takes for a simple literal (datetimes in UTC)."""
    primitive = literal.scalar.primitive
    kind = primitive.WhichOneof("value")
    if kind == "datetime":
        return primitive.datetime.ToDatetime(tzinfo=datetime.timezone.utc)
    if kind == "duration":
        return primitive.duration.ToTimedelta()
    if kind in ("integer", "float_value", "string_value", "boolean"):
        return getattr(primitive, kind)
    raise NotPassable(f"no Python value for {kind}")
