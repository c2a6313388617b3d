"""Schema drift between two compilations of Flyte IDL (pure): which messages, fields and enum
values one side's descriptors have and the other's lack, and which fields differ in number or
type. Inputs are google.protobuf FileDescriptorSets; nothing here does I/O.

Also: which fields a set of emitted messages actually sets, so a drift item can say whether the
SDK that knows the field writes it (a field the other side's parser does not know is dropped
there, silently, as an unknown field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from google.protobuf import descriptor_pb2
from google.protobuf.message import Message

from flyte_parity.idl.walk import message_children

PACKAGES = ("flyteidl.core", "flyteidl.admin", "flyteidl.event")  # what entities and events use


@dataclass(frozen=True)
class DriftItem:
    kind: str  # "message", "enum", "field", "enum value", "field type"
    name: str  # full name: flyteidl.core.TaskMetadata.generates_deck
    only_in: str  # "jvm" or "python" ("both" for a field type mismatch)
    detail: str = ""

    def values(self) -> tuple[str, str]:
        """(JVM, Python) as a finding shows them: the declaration on each side, or <absent>."""
        if self.only_in == "jvm":
            return self.detail, "<absent>"
        if self.only_in == "python":
            return "<absent>", self.detail
        jvm, _, python = self.detail.partition("; python ")
        return jvm.removeprefix("jvm "), python


def _fields(message: descriptor_pb2.DescriptorProto):
    return {f.name: f for f in message.field}


def _walk(prefix: str, messages: Iterable[descriptor_pb2.DescriptorProto], enums: Iterable[descriptor_pb2.EnumDescriptorProto]):
    """(full name, DescriptorProto) for messages and (full name, EnumDescriptorProto) for enums, nested included."""
    found_messages, found_enums = {}, {}
    for enum in enums:
        found_enums[f"{prefix}.{enum.name}"] = enum
    for message in messages:
        name = f"{prefix}.{message.name}"
        if message.options.map_entry:
            continue
        found_messages[name] = message
        inner_messages, inner_enums = _walk(name, message.nested_type, message.enum_type)
        found_messages.update(inner_messages)
        found_enums.update(inner_enums)
    return found_messages, found_enums


def index(files: descriptor_pb2.FileDescriptorSet, packages: tuple[str, ...] = PACKAGES):
    """Messages and enums by full name, for the given packages."""
    messages, enums = {}, {}
    for file in files.file:
        if file.package not in packages:
            continue
        found_messages, found_enums = _walk(file.package, file.message_type, file.enum_type)
        messages.update(found_messages)
        enums.update(found_enums)
    return messages, enums


def _type_of(field: descriptor_pb2.FieldDescriptorProto) -> str:
    kind = descriptor_pb2.FieldDescriptorProto.Type.Name(field.type).lower().removeprefix("type_")
    label = "repeated " if field.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED else ""
    return f"{label}{field.type_name.lstrip('.') or kind} = {field.number}"


def drift(jvm: descriptor_pb2.FileDescriptorSet, python: descriptor_pb2.FileDescriptorSet,
          packages: tuple[str, ...] = PACKAGES) -> list[DriftItem]:
    """Everything one side has and the other lacks, sorted by name."""
    jmessages, jenums = index(jvm, packages)
    pmessages, penums = index(python, packages)
    items: list[DriftItem] = []
    for name in sorted(set(jmessages) ^ set(pmessages)):
        items.append(DriftItem("message", name, "jvm" if name in jmessages else "python"))
    for name in sorted(set(jmessages) & set(pmessages)):
        jfields, pfields = _fields(jmessages[name]), _fields(pmessages[name])
        for field in sorted(set(jfields) ^ set(pfields)):
            side = "jvm" if field in jfields else "python"
            items.append(DriftItem("field", f"{name}.{field}", side, _type_of((jfields if side == "jvm" else pfields)[field])))
        for field in sorted(set(jfields) & set(pfields)):
            jtype, ptype = _type_of(jfields[field]), _type_of(pfields[field])
            if jtype != ptype:
                items.append(DriftItem("field type", f"{name}.{field}", "both", f"jvm {jtype}; python {ptype}"))
    for name in sorted(set(jenums) ^ set(penums)):
        items.append(DriftItem("enum", name, "jvm" if name in jenums else "python"))
    for name in sorted(set(jenums) & set(penums)):
        jvalues = {v.name: v.number for v in jenums[name].value}
        pvalues = {v.name: v.number for v in penums[name].value}
        for value in sorted(set(jvalues) ^ set(pvalues)):
            side = "jvm" if value in jvalues else "python"
            items.append(DriftItem("enum value", f"{name}.{value}", side,
                                   f"= {(jvalues if side == 'jvm' else pvalues)[value]}"))
    return sorted(items, key=lambda i: (i.name, i.kind))


def set_fields(messages: Iterable[Message]) -> set[str]:
    """Full names (``package.Message.field``) of every field set anywhere in these messages."""
    found: set[str] = set()
    for message in messages:
        for name in _set_fields(message):
            found.add(name)
    return found


def _set_fields(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        yield f"{message.DESCRIPTOR.full_name}.{field.name}"
        for child in message_children(field, value):
            yield from _set_fields(child)
