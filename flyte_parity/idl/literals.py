"""Comparison of two LiteralMaps (JVM vs Python outputs) with a report that shows both maps."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.core import literals_pb2
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
