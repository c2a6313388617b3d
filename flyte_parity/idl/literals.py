"""Comparison of two LiteralMaps (JVM vs Python outputs) with a report that shows both maps."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Mapping

from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf import text_format

from .diff import Difference, diff_messages


@dataclass(frozen=True)
class LiteralMapComparison:
    jvm: literals_pb2.LiteralMap
    python: literals_pb2.LiteralMap
    differences: tuple[Difference, ...]

    @property
    def equal(self) -> bool:
        return not self.differences

    def explain(self) -> str:
        """Every difference (path: jvm != python), then both maps in full."""
        lines = [f"JVM and Python outputs differ in {len(self.differences)} field(s) (jvm != python):"]
        lines += [f"  {d}" for d in self.differences]
        lines += ["JVM outputs:", _indent(self.jvm), "Python outputs:", _indent(self.python)]
        return "\n".join(lines)


def compare_literal_maps(jvm: literals_pb2.LiteralMap, python: literals_pb2.LiteralMap) -> LiteralMapComparison:
    return LiteralMapComparison(jvm, python, tuple(diff_messages(jvm, python)))


def _indent(message: literals_pb2.LiteralMap) -> str:
    text = text_format.MessageToString(message, as_utf8=True).rstrip() or "(empty)"
    return "\n".join(f"    {line}" for line in text.splitlines())


def literal_from_value(value: Any, literal_type: types_pb2.LiteralType) -> literals_pb2.Literal:
    """A catalogue value (TOML int, float, str, bool) as a Literal of a simple declared type."""
    simple = literal_type.simple if literal_type.WhichOneof("type") == "simple" else None
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
