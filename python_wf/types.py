"""Type table twins: one identity task per literal kind (value in, same value out)."""

import datetime
import enum
from dataclasses import dataclass
from typing import Dict, List, NamedTuple

from flytekit import task, workflow
from flytekit.types.file import FlyteFile


@dataclass
class Inner:
    flag: bool


@dataclass
class Point:
    x: float
    y: int
    label: str
    tags: List[str]
    inner: Inner


IntegerValue = NamedTuple("IntegerValue", [("value", int)])
FloatValue = NamedTuple("FloatValue", [("value", float)])
StringValue = NamedTuple("StringValue", [("value", str)])
BooleanValue = NamedTuple("BooleanValue", [("value", bool)])
DatetimeValue = NamedTuple("DatetimeValue", [("value", datetime.datetime)])
DurationValue = NamedTuple("DurationValue", [("value", datetime.timedelta)])
ListValue = NamedTuple("ListValue", [("value", List[int])])
MapValue = NamedTuple("MapValue", [("value", Dict[str, int])])
NestedListValue = NamedTuple("NestedListValue", [("value", List[List[str]])])
NestedMapValue = NamedTuple("NestedMapValue", [("value", Dict[str, Dict[str, float]])])
StructValue = NamedTuple("StructValue", [("value", Point)])


@task
def integer_identity(value: int) -> IntegerValue:
    return IntegerValue(value=value)


@task
def float_identity(value: float) -> FloatValue:
    return FloatValue(value=value)


@task
def string_identity(value: str) -> StringValue:
    return StringValue(value=value)


@task
def boolean_identity(value: bool) -> BooleanValue:
    return BooleanValue(value=value)


@task
def datetime_identity(value: datetime.datetime) -> DatetimeValue:
    return DatetimeValue(value=value)


@task
def duration_identity(value: datetime.timedelta) -> DurationValue:
    return DurationValue(value=value)


@task
def list_identity(value: List[int]) -> ListValue:
    return ListValue(value=value)


@task
def map_identity(value: Dict[str, int]) -> MapValue:
    return MapValue(value=value)


@task
def nested_list_identity(value: List[List[str]]) -> NestedListValue:
    return NestedListValue(value=value)


@task
def nested_map_identity(value: Dict[str, Dict[str, float]]) -> NestedMapValue:
    return NestedMapValue(value=value)


@task
def struct_identity(value: Point) -> StructValue:
    return StructValue(value=value)


@workflow
def integer_identity_wf(value: int) -> IntegerValue:
    returned = integer_identity(value=value).with_overrides(node_name="identity")
    return IntegerValue(value=returned.value)


@workflow
def float_identity_wf(value: float) -> FloatValue:
    returned = float_identity(value=value).with_overrides(node_name="identity")
    return FloatValue(value=returned.value)


@workflow
def string_identity_wf(value: str) -> StringValue:
    returned = string_identity(value=value).with_overrides(node_name="identity")
    return StringValue(value=returned.value)


@workflow
def boolean_identity_wf(value: bool) -> BooleanValue:
    returned = boolean_identity(value=value).with_overrides(node_name="identity")
    return BooleanValue(value=returned.value)


@workflow
def datetime_identity_wf(value: datetime.datetime) -> DatetimeValue:
    returned = datetime_identity(value=value).with_overrides(node_name="identity")
    return DatetimeValue(value=returned.value)


@workflow
def duration_identity_wf(value: datetime.timedelta) -> DurationValue:
    returned = duration_identity(value=value).with_overrides(node_name="identity")
    return DurationValue(value=returned.value)


# Kinds flytekit-java expresses from its 0.4 API on (dev.flyteparity.examples.types.*Identity in
# jvm/parity-java/src/main/java); nothing above changes for them.


class Color(enum.Enum):
    """The twin of EnumIdentity.Color: flytekit-java sends a Java enum as its constant's name."""

    RED = "RED"
    GREEN = "GREEN"
    BLUE = "BLUE"


BlobValue = NamedTuple("BlobValue", [("value", FlyteFile)])
BlobListValue = NamedTuple("BlobListValue", [("value", List[FlyteFile])])
# flytekit has no Python type declared as a BINARY variable; an untyped dict is the nearest: it
# travels as a msgpack Binary literal (tag "msgpack"), though its declared type is STRUCT.
BinaryValue = NamedTuple("BinaryValue", [("value", dict)])
EnumValue = NamedTuple("EnumValue", [("value", Color)])
StructListValue = NamedTuple("StructListValue", [("value", List[Point])])
StructMapValue = NamedTuple("StructMapValue", [("value", Dict[str, Point])])


@task
def blob_identity(value: FlyteFile) -> BlobValue:
    return BlobValue(value=value)


@task
def blob_list_identity(value: List[FlyteFile]) -> BlobListValue:
    return BlobListValue(value=value)


@task
def binary_identity(value: dict) -> BinaryValue:
    return BinaryValue(value=value)


@task
def enum_identity(value: Color) -> EnumValue:
    return EnumValue(value=value)


@task
def struct_list_identity(value: List[Point]) -> StructListValue:
    return StructListValue(value=value)


@task
def struct_map_identity(value: Dict[str, Point]) -> StructMapValue:
    return StructMapValue(value=value)


@workflow
def enum_identity_wf(value: Color) -> EnumValue:
    returned = enum_identity(value=value).with_overrides(node_name="identity")
    return EnumValue(value=returned.value)
