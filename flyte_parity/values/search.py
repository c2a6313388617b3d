"""Many generated values of one kind through both SDKs, each difference explained by a rule or
shrunk to a minimal value (Hypothesis).

Two passes. The first takes the values every run sends, the rules' witnesses and ``examples``
values Hypothesis draws (seeded; drawn once per kind), sends them all at once (``exchange_many``:
pipelined, both sides side by side) and counts per value: agreed, or which rules explained its
differences. When a value shows a difference no rule explains, the second pass draws again with
the same seed, value by value, until Hypothesis meets such a difference, and shrinks it to the
minimal value that still shows one; that value is reported with both sides' answers (a failure
only a sent-every-run value or a witness shows is reported as it is). Each rule that explained
something is shown with the smallest value it explained (serialized size), or, with
``shrink_rules``, with the minimal one Hypothesis finds for it (``hypothesis.find``: a shrink per
rule, value by value, several times the cost of the run's own values).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from flyteidl.core import literals_pb2
from hypothesis import HealthCheck, Phase, find, given, seed, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable

from flyte_parity.idl.diff import Difference
from flyte_parity.values.exchange import Call, Exchange, Many, exchange, exchange_many, findings, one_by_one, shown
from flyte_parity.values.rules import ValueRule
from flyte_parity.values.strategies import ALWAYS, KINDS, literals_of

_QUIET = dict(database=None, deadline=None, suppress_health_check=list(HealthCheck), print_blob=False,
              report_multiple_bugs=False)


@dataclass
class Unexplained:
    """The minimal value with a difference no rule explains, what each side gave, and those differences."""

    value: literals_pb2.Literal
    done: Exchange
    found: list[Difference]

    def describe(self) -> list[str]:
        lines = [f"minimal value: {_one_line(self.value)}", f"  jvm: {shown(self.done.jvm)}",
                 f"  python: {shown(self.done.python)}"]
        if self.done.python_to_jvm is not None:
            lines.append(f"  jvm fed python's output: {shown(self.done.python_to_jvm)}")
        if self.done.jvm_to_python is not None:
            lines.append(f"  python fed jvm's output: {shown(self.done.jvm_to_python)}")
        lines += [f"  unexplained: {d}" for d in self.found]
        return lines


@dataclass
class KindRun:
    """What one kind's run saw."""

    kind: str
    seed: int
    tried: int = 0
    agreed: int = 0
    explained: Counter = field(default_factory=Counter)  # rule name -> values it explained
    minimal: dict[str, str] = field(default_factory=dict)  # rule name -> the smallest value it explained
    always: list[tuple[str, str]] = field(default_factory=list)  # each value every run sends -> its verdict
    stale: list[str] = field(default_factory=list)  # rules for this kind that explained nothing
    unexplained: Unexplained | None = None


class _Unexplained(Exception):
    pass


def _one_line(literal: literals_pb2.Literal) -> str:
    """A literal in one line; a Struct as JSON (its numbers as the doubles it holds)."""
    import json

    from google.protobuf import json_format

    from flyte_parity.idl.diff import render
    kind = literal.WhichOneof("value")
    if kind == "scalar" and literal.scalar.WhichOneof("value") == "generic":
        data = json_format.MessageToDict(literal.scalar.generic)
        return "struct " + json.dumps(data, ensure_ascii=False, sort_keys=True, default=repr)
    if kind == "collection":
        return "[" + ", ".join(_one_line(item) for item in literal.collection.literals) + "]"
    if kind == "map":
        return "{" + ", ".join(f"{key!r}: {_one_line(literal.map.literals[key])}"
                               for key in sorted(literal.map.literals)) + "}"
    return render(literal)


def classify(value: literals_pb2.Literal, done: Exchange, rules: list[ValueRule]
             ) -> tuple[list[Difference], dict[str, list[Difference]]]:
    """(unexplained differences, rule name -> the differences it explained) for one value."""
    unexplained, by_rule = [], {}
    for found in findings(done):
        rule = next((r for r in rules if r.explains(value, found, done)), None)
        if rule is None:
            unexplained.append(found)
        else:
            by_rule.setdefault(rule.name, []).append(found)
    return unexplained, by_rule


def drawn(kind: str, examples: int, run_seed: int) -> tuple[literals_pb2.Literal, ...]:
    """``examples`` values of ``kind`` as Hypothesis draws them with ``run_seed`` (no test run);
    drawn once per session for the rows whose kinds share a strategy."""
    return _drawn(KINDS[kind], examples, run_seed)


@lru_cache(maxsize=64)
def _drawn(strategy, examples: int, run_seed: int) -> tuple[literals_pb2.Literal, ...]:
    found: list[literals_pb2.Literal] = []

    def draw(value):
        found.append(value)
    test = given(strategy())(draw)
    settings(**_QUIET, max_examples=examples, phases=(Phase.generate,))(seed(run_seed)(test))()
    return tuple(found)


def search(kind: str, jvm: Call, python: Call, rules: list[ValueRule], examples: int, run_seed: int,
           shrink_rules: bool = False, source: str = "", jvm_many: Many | None = None,
           python_many: Many | None = None, named: tuple[tuple[str, literals_pb2.Literal], ...] = (),
           generated: tuple[literals_pb2.Literal, ...] | None = None) -> KindRun:
    """One row's run: ``kind``'s values through ``jvm`` and ``python`` (``*_many``: the same, many
    requests at once); the rules that hold for the row (``kind`` and the JVM ``source``) explain,
    and must each explain something. ``named``: the row's own hand-picked values (name, value),
    sent first and reported one by one with the values every run sends. ``generated``: the drawn
    values, when drawn ahead (``drawing.Drawing``); else they are drawn here."""
    strategy = literals_of(kind)
    mine = [r for r in rules if r.holds_for(kind, source)]
    run = KindRun(kind, run_seed)
    shown_as = [f"{name} = {_one_line(value)}" for name, value in named]
    always = [value for _, value in named] + list(ALWAYS.get(kind, ()))
    shown_as += [_one_line(value) for value in ALWAYS.get(kind, ())]
    witnesses = always + [w for rule in mine for w in rule.witnesses.get(kind, ())]
    values = [*witnesses, *(drawn(kind, examples, run_seed) if generated is None else generated)]
    pending: dict[bytes, list[int]] = {}
    for i, value in enumerate(always):
        pending.setdefault(value.SerializeToString(deterministic=True), []).append(i)
    seen: dict[int, tuple[str, str]] = {}
    smallest: dict[str, tuple[int, literals_pb2.Literal]] = {}  # rule -> (size, value)
    failing = None
    for value, done in zip(values, exchange_many(values, jvm_many or one_by_one(jvm), python_many or one_by_one(python))):
        unexplained, by_rule = classify(value, done, mine)
        key = value.SerializeToString(deterministic=True)
        if key in pending:
            verdict = "unexplained" if unexplained else (
                ("explained by " + ", ".join(sorted(by_rule))) if by_rule else "agreed")
            seen.update((i, (shown_as[i], verdict)) for i in pending.pop(key))
        run.tried += 1
        run.agreed += not unexplained and not by_rule
        run.explained.update(by_rule.keys())
        for name in by_rule:
            size = len(key)
            if name not in smallest or size < smallest[name][0]:
                smallest[name] = (size, value)
        if unexplained and failing is None:
            failing = Unexplained(value, done, unexplained)
    run.always = [seen[i] for i in sorted(seen)]
    if failing is not None:
        run.unexplained = _shrink(strategy, examples, jvm, python, mine, run_seed) or failing
    else:
        run.stale = [r.name for r in mine if not run.explained[r.name]]
    if shrink_rules:
        for name in sorted(run.explained):
            rule = next(r for r in mine if r.name == name)
            run.minimal[name] = _minimal_for(strategy, jvm, python, rule, mine, run_seed)
    else:
        run.minimal = {name: _one_line(value) for name, (_, value) in sorted(smallest.items())}
    return run


def _shrink(strategy, examples: int, jvm: Call, python: Call, rules, run_seed: int) -> Unexplained | None:
    """The same generated values, value by value, until one shows an unexplained difference, shrunk:
    the last failing call Hypothesis makes is the minimal one. None if it meets no failure (only a
    value every run sends, or a witness, showed one: that value is reported as it is)."""
    last: list[Unexplained] = []

    def check(value):
        done = exchange(value, jvm, python)
        unexplained, _ = classify(value, done, rules)
        if unexplained:
            last.append(Unexplained(value, done, unexplained))
            raise _Unexplained()

    test = given(strategy)(check)
    test = settings(**_QUIET, max_examples=max(examples, 100), phases=(Phase.generate, Phase.shrink))(
        seed(run_seed)(test))
    try:
        test()
    except _Unexplained:
        pass
    return last[-1] if last else None


def _minimal_for(strategy, jvm: Call, python: Call, rule: ValueRule, rules, run_seed: int) -> str:
    """The smallest value Hypothesis finds whose differences this rule explains."""
    def shows(value) -> bool:
        _, by_rule = classify(value, exchange(value, jvm, python), rules)
        return rule.name in by_rule
    try:
        value = find(strategy, shows, settings=settings(**_QUIET, max_examples=300), random=_random(run_seed))
    except (NoSuchExample, Unsatisfiable):
        return "(no generated value showed it; its witness did)"
    return _one_line(value)


def _random(run_seed: int):
    import random
    return random.Random(run_seed)
