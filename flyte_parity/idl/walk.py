"""Walking protobuf messages: the sub-messages one set field holds (pure)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message


def message_children(field: FieldDescriptor, value: Any) -> list[Message]:
    """The messages a set field holds: itself (singular), each item (repeated), each value (a
    map whose values are messages); none for scalar fields."""
    if field.type != field.TYPE_MESSAGE:
        return []
    if field.message_type.GetOptions().map_entry:
        value_field = field.message_type.fields_by_name["value"]
        return list(value.values()) if value_field.type == value_field.TYPE_MESSAGE else []
    if field.is_repeated:
        return list(value)
    return [value]
