"""LiteralMaps: building typed literals from catalogue values, and canonical forms of msgpack
binary literals (so that two SDKs' outputs compare by meaning)."""

from __future__ import annotations

from typing import Any, Mapping

import msgpack
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf import struct_pb2

from flyte_parity.idl.diff import Difference, diff_messages


def literal_from_value(value: Any, literal_type: types_pb2.LiteralType) -> literals_pb2.Literal:
    """A catalogue value (TOML int, float, str, bool; a table for a struct) as a Literal of a
    simple declared type."""
    simple = literal_type.simple if literal_type.WhichOneof("type") == "simple" else None
    if simple == types_pb2.SimpleType.STRUCT and isinstance(value, Mapping):
        generic = struct_pb2.Struct()
        generic.update(value)
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=generic))
    primitive = literals_pb2.Primitive()
    if simple == types_pb2.SimpleType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        primitive.integer = value
    elif simple == types_pb2.SimpleType.FLOAT and isinstance(value, (int, float)) and not isinstance(value, bool):
        primitive.float_value = float(value)
    elif simple == types_pb2.SimpleType.STRING and isinstance(value, str):
        primitive.string_value = value
    elif simple == types_pb2.SimpleType.BOOLEAN and isinstance(value, bool):
        primitive.boolean = value
    else:
        raise ValueError(f"value {value!r} does not fit type {literal_type}")
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=primitive))


def literal_map_from_values(
    values: Mapping[str, Any], variables: interface_pb2.VariableMap
) -> literals_pb2.LiteralMap:
    """Workflow inputs as a LiteralMap typed by the workflow's declared inputs."""
    result = literals_pb2.LiteralMap()
    for name, value in values.items():
        if name not in variables.variables:
            raise ValueError(f"no input named {name!r}")
        result.literals[name].CopyFrom(literal_from_value(value, variables.variables[name].type))
    return result


MSGPACK = "msgpack"  # the Binary.tag flytekit gives msgpack-encoded dicts and dataclasses


def _sorted_maps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_maps(value[k]) for k in sorted(value, key=repr)}
    if isinstance(value, list):
        return [_sorted_maps(v) for v in value]
    return value


def canonical_literal(literal: literals_pb2.Literal) -> literals_pb2.Literal:
    """A copy whose msgpack binary scalars have their map keys in sorted order.

    A msgpack map written from a Python dict keeps the dict's insertion order, which for a dict
    built from a protobuf Struct is arbitrary; flytekit reads it back into a dict, so the order
    carries no meaning. Everything else, including the msgpack types of the values, is kept."""
    clone = literals_pb2.Literal()
    clone.CopyFrom(literal)
    kind = clone.WhichOneof("value")
    if kind == "scalar" and clone.scalar.WhichOneof("value") == "binary" and clone.scalar.binary.tag == MSGPACK:
        try:
            decoded = msgpack.unpackb(clone.scalar.binary.value, raw=False, strict_map_key=False)
        except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
            return clone  # not valid msgpack: compared as written
        clone.scalar.binary.value = msgpack.packb(_sorted_maps(decoded), use_bin_type=True)
    elif kind == "collection":
        items = [canonical_literal(item) for item in clone.collection.literals]
        del clone.collection.literals[:]
        clone.collection.literals.extend(items)
    elif kind == "map":
        for key in list(clone.map.literals):
            clone.map.literals[key].CopyFrom(canonical_literal(clone.map.literals[key]))
    return clone


def canonical_literal_map(literal_map: literals_pb2.LiteralMap | None) -> literals_pb2.LiteralMap | None:
    """``canonical_literal`` over every literal of a map (None stays None)."""
    if literal_map is None:
        return None
    result = literals_pb2.LiteralMap()
    for key, literal in literal_map.literals.items():
        result.literals[key].CopyFrom(canonical_literal(literal))
    return result
