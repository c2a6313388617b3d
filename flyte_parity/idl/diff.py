"""Typed, field-by-field comparison of two protobuf messages of the same type.

Every difference carries its field path (``literals["x"].scalar.primitive.integer``) and both
values. Maps compare by key, repeated fields by position, oneofs by which member is set.
Floating-point NaN equals NaN (a value, not a failed computation, is being compared).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from google.protobuf import text_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

ABSENT = "<absent>"

# Repeated message fields whose elements have a natural key: compared by that key, not position.
KEYED_REPEATED = {"flyteidl.core.Binding": "var", "flyteidl.core.Node": "id"}


@dataclass(frozen=True)
class Difference:
    """One field that differs: its path and the left and right values (rendered), and — when the
    path lies within a pair of entities — their names. The one difference type of the suite: the
    JVM side is always on the left (``jvm``), the Python side on the right (``python``)."""

    path: str
    left: str
    right: str
    left_entity: str = ""
    right_entity: str = ""

    @property
    def jvm(self) -> str:
        return self.left

    @property
    def python(self) -> str:
        return self.right

    def __str__(self) -> str:
        where = f"{self.left_entity} ~ {self.right_entity}: " if self.left_entity or self.right_entity else ""
        return f"{where}{self.path}: {self.left} != {self.right}"

    def as_dict(self) -> dict[str, str]:
        return {"left_entity": self.left_entity, "right_entity": self.right_entity,
                "path": self.path, "left": self.left, "right": self.right}


def render(value: object) -> str:
    """A short, stable text for a value or message."""
    if isinstance(value, Message):
        name = value.DESCRIPTOR.full_name
        if name.startswith("google.protobuf.") and name.endswith("Value") and "value" in value.DESCRIPTOR.fields_by_name:
            return f"{value.DESCRIPTOR.name}({value.value!r})"
        text = text_format.MessageToString(value, as_one_line=True, as_utf8=True)
        return f"{{{text}}}" if text else "{}"
    return repr(value)


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.GetOptions().map_entry
    )


def _is_repeated(field: FieldDescriptor) -> bool:
    return field.is_repeated


def _scalar_equal(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    return left == right


_TIME_TYPES = ("google.protobuf.Duration", "google.protobuf.Timestamp")


def _total_nanos(message: Message) -> int:
    return message.seconds * 1_000_000_000 + message.nanos


def _render_time(message: Message) -> str:
    total = _total_nanos(message)
    sign = "-" if total < 0 else ""
    whole, frac = divmod(abs(total), 1_000_000_000)
    return f"{render(message)} (= {sign}{whole}.{frac:09d} s)"


def diff_messages(left: Message, right: Message, path: str = "") -> list[Difference]:
    """All differences between two messages of the same type, in field order. Durations and
    timestamps compare by the instant or span they denote (seconds and nanos may be split
    differently: (-1 s, +0.5e9 ns) and (0 s, -0.5e9 ns) are both -0.5 s)."""
    if left.DESCRIPTOR.full_name != right.DESCRIPTOR.full_name:
        raise TypeError(f"cannot compare {left.DESCRIPTOR.full_name} with {right.DESCRIPTOR.full_name}")
    if left.DESCRIPTOR.full_name in _TIME_TYPES:
        if _total_nanos(left) == _total_nanos(right):
            return []
        return [Difference(path, _render_time(left), _render_time(right))]
    found: list[Difference] = []
    done: set[str] = set()
    for oneof in left.DESCRIPTOR.oneofs:
        lname, rname = left.WhichOneof(oneof.name), right.WhichOneof(oneof.name)
        if lname != rname:
            found.append(
                Difference(
                    _join(path, oneof.name),
                    f"{lname}={render(getattr(left, lname))}" if lname else ABSENT,
                    f"{rname}={render(getattr(right, rname))}" if rname else ABSENT,
                )
            )
            done.update(f.name for f in oneof.fields)
    for field in left.DESCRIPTOR.fields:
        if field.name in done:
            continue
        here = _join(path, field.name)
        lval, rval = getattr(left, field.name), getattr(right, field.name)
        if _is_map(field):
            found.extend(_diff_map(field, lval, rval, here))
        elif _is_repeated(field):
            found.extend(_diff_repeated(field, lval, rval, here))
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            lhas, rhas = left.HasField(field.name), right.HasField(field.name)
            if lhas and rhas:
                found.extend(diff_messages(lval, rval, here))
            elif lhas != rhas:
                found.extend(_diff_presence(field, lval if lhas else None, rval if rhas else None, here))
        elif not _scalar_equal(lval, rval):
            found.append(Difference(here, _render_scalar(field, lval), _render_scalar(field, rval)))
    return found


def _diff_presence(field: FieldDescriptor, left: Message | None, right: Message | None, path: str):
    """One side has a sub-message, the other not: name the deepest fields that are set, so the
    path says what is there (``metadata.generates_deck`` rather than ``metadata``)."""
    present = left if left is not None else right
    if present.ByteSize() == 0 or not field.message_type.full_name.startswith("flyteidl."):
        return [Difference(path, render(left) if left is not None else ABSENT,
                           render(right) if right is not None else ABSENT)]
    empty = type(present)()
    inner = diff_messages(left, empty, path) if left is not None else diff_messages(empty, right, path)
    return [
        Difference(d.path, d.left if left is not None else ABSENT, d.right if right is not None else ABSENT)
        if d.left in ("{}", ABSENT) or d.right in ("{}", ABSENT) else d
        for d in inner
    ]


def _render_scalar(field: FieldDescriptor, value: object) -> str:
    if field.type == FieldDescriptor.TYPE_ENUM:
        member = field.enum_type.values_by_number.get(value)
        return member.name if member is not None else repr(value)
    return repr(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _diff_map(field: FieldDescriptor, left, right, path: str) -> list[Difference]:
    value_field = field.message_type.fields_by_name["value"]
    return _diff_map_like(left, right, path, value_field.type == FieldDescriptor.TYPE_MESSAGE)


def _diff_map_like(left, right, path: str, is_message: bool = True) -> list[Difference]:
    found: list[Difference] = []
    for key in sorted(set(left) | set(right), key=repr):
        here = f"{path}[{json.dumps(key, ensure_ascii=False)}]" if isinstance(key, str) else f"{path}[{key}]"
        if key not in right:
            found.append(Difference(here, render(left[key]), ABSENT))
        elif key not in left:
            found.append(Difference(here, ABSENT, render(right[key])))
        elif is_message:
            found.extend(diff_messages(left[key], right[key], here))
        elif not _scalar_equal(left[key], right[key]):
            found.append(Difference(here, render(left[key]), render(right[key])))
    return found


def _diff_repeated(field: FieldDescriptor, left, right, path: str) -> list[Difference]:
    is_message = field.type == FieldDescriptor.TYPE_MESSAGE
    key = KEYED_REPEATED.get(field.message_type.full_name) if is_message else None
    if key is not None:
        lkeys, rkeys = [getattr(m, key) for m in left], [getattr(m, key) for m in right]
        if len(set(lkeys)) == len(lkeys) and len(set(rkeys)) == len(rkeys):
            return _diff_map_like(dict(zip(lkeys, left)), dict(zip(rkeys, right)), path)
    found: list[Difference] = []
    if len(left) != len(right):
        found.append(Difference(f"{path}.length", str(len(left)), str(len(right))))
    for index, (lval, rval) in enumerate(zip(left, right)):
        here = f"{path}[{index}]"
        if is_message:
            found.extend(diff_messages(lval, rval, here))
        elif not _scalar_equal(lval, rval):
            found.append(Difference(here, _render_scalar(field, lval), _render_scalar(field, rval)))
    return found

