"""Rules: named predicates that say exactly which generated values a known divergence explains,
and what each side then gives.

A rule belongs to a ledger topic (``value_rule`` in tests/parity/ledger.toml), which holds the why,
the upstream source and issue; the rule holds the precise claim. ``explains(sent, difference,
exchange)`` is true only when the difference is at the rule's path and both sides' values are
exactly what the rule says they are for that ``sent`` value — a near miss is not explained. Each
rule names its witnesses per kind: values that show it, tried on every run, so that a rule that
stops explaining anything (the divergence was fixed) fails the run as stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from flyteidl.core import literals_pb2

from flyte_parity.idl.diff import Difference
from flyte_parity.values.exchange import Exchange

Predicate = Callable[[literals_pb2.Literal, Difference, Exchange], bool]


@dataclass(frozen=True)
class ValueRule:
    name: str
    says: str  # one sentence: which values, and what each side gives for them
    kinds: tuple[str, ...]
    explains: Predicate
    witnesses: Mapping[str, tuple[literals_pb2.Literal, ...]] = field(default_factory=dict)  # kind -> values


RULES: dict[str, ValueRule] = {}


def rule(name: str, says: str, kinds: tuple[str, ...], witnesses: Mapping[str, tuple] | None = None):
    """Register the decorated predicate as the rule ``name``."""
    def register(predicate: Predicate) -> Predicate:
        if name in RULES:
            raise ValueError(f"value rule {name!r} defined twice")
        RULES[name] = ValueRule(name, says, kinds, predicate, dict(witnesses or {}))
        return predicate
    return register
