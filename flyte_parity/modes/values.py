"""Values mode: each type-table row's kind, hundreds of generated values (Hypothesis) sent through
both SDKs' long-lived testees (``sdk.testee``), straight and cross-fed, compared as literals.

A difference is known only through a value rule (``values.rules``) that a ledger topic names
(``value_rule``): the rule says exactly which values it explains and what each side gives. A
difference no rule explains fails with the minimal value Hypothesis shrinks it to and both sides'
answers; a rule for the row's kind that explains nothing over the run (its witnesses included)
fails as stale. Every run prints its seed; ``--values-seed`` replays one. The hand-picked values
of the types mode stay as its explicit examples, each through the per-process entrypoints.
"""

from __future__ import annotations

import threading

from flyte_parity.base import versions
from flyte_parity.base.errors import UsageError
from flyte_parity.data.version_spec import matches
from flyte_parity.data.ledger import Divergence
from flyte_parity.modes.base import TYPES, Mode, Subject, Verdict
from flyte_parity.modes.registry import register
from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.sdk.testee import kept
from flyte_parity.values.drawing import Drawing
from flyte_parity.values.exchange import remembered
from flyte_parity.values.rules import RULES
from flyte_parity.values.search import KindRun, search
from flyte_parity.values.strategies import KINDS


class ValuesMode(Mode):
    name = "values"
    summary = ("generated values of every literal kind through both SDKs' long-lived testees, straight and "
               "cross-fed; known differences only through value rules")
    table = TYPES
    ahead = True

    def subjects(self, catalogue):
        return [Subject(self.name, entry.id, entry.id, entry) for entry in catalogue.types if not entry.unavailable]

    def cells(self, catalogue):
        return {entry.id: ("n/a", entry.unavailable) if entry.unavailable else ("run", "") for entry in catalogue.types}

    def work(self, subject, run) -> KindRun:
        entry = subject.value
        if entry.kind not in KINDS:
            raise ValueError(f"no value strategy for kind {entry.kind!r}; add one to flyte_parity/values/strategies.py")
        examples, run_seed = run.options.get("values_examples", 200), run.options.get("values_seed", 0)
        store = run.options.get("results")
        drawing = run.shared("values-drawing", lambda: run.until_end(
            Drawing(self._kinds(run), examples, run_seed, store.root if store is not None else None)))
        env = sorted(dict(entry.python_env).items())
        worker = threading.current_thread().name  # the testees are this worker's, started on first call
        jvm = lambda: run.testee("jvm", worker=worker)  # noqa: E731
        python = lambda: run.testee("python", dict(entry.python_env), worker=worker)  # noqa: E731
        jvm_kept = run.shared(f"values-answers:jvm:{entry.jvm}", dict)
        python_kept = run.shared(f"values-answers:python:{entry.python}:{env}", dict)
        jvm_many = kept(store, {"side": "jvm", "task": entry.jvm, "env": [],
                                **run.sdks.jvm.testee_parts(run.testee_sources("jvm"), entry.jvm)},
                        remembered(lambda maps: jvm().call_many([(entry.jvm, m) for m in maps]), jvm_kept))
        python_many = kept(store, {"side": "python", "task": entry.python, "env": env,
                                   **run.sdks.python.testee_parts(run.testee_sources("python"), entry.python)},
                           remembered(lambda maps: python().call_many([(entry.python, m) for m in maps]),
                                      python_kept))
        return search(entry.kind, lambda inputs: jvm().call(entry.jvm, inputs),
                      lambda inputs: python().call(entry.python, inputs),
                      rules_of(run), examples, run_seed, source=entry.source.name, generated=drawing.values(entry.kind),
                      jvm_many=jvm_many, python_many=python_many,
                      named=tuple((name, literal_from_spec(spec)) for name, spec in entry.values.items()))

    def _kinds(self, run) -> list[str]:
        """The kinds this session sends, in the order its rows run (every available row's when the
        session selected none of this mode's subjects ahead)."""
        mine = [s.value.kind for s in run.selected if s.mode == self.name]
        return mine or [entry.kind for entry in run.catalogue.types if not entry.unavailable]

    def judge(self, subject, run, result: KindRun) -> Verdict:
        problems, explained = [], []
        topics = {t.value_rule: t for t in getattr(run.ledger, "topics", {}).values() if t.value_rule}
        for name, count in sorted(result.explained.items()):
            topic = topics[name]
            explained.append(Divergence(subject.row, self.name, f"rule {name}", topic.name, f"{count} value(s)",
                                        RULES[name].says, topic.why, topic.source, issue=topic.issue))
        if result.unexplained is not None:
            problems.append(f"{subject.row} [values]: a difference no value rule explains (seed {result.seed}; "
                            f"replay with --values-seed={result.seed}):")
            problems += [f"  {line}" for line in result.unexplained.describe()]
        for name in result.stale:
            problems.append(f"{subject.row} [values]: value rule {name} (topic {topics[name].name}) explained no "
                            f"value of {result.kind}, its witnesses included: the divergence is gone; remove the rule "
                            f"or narrow its kinds")
        lines = [f"seed {result.seed}: {result.tried} value(s) tried, {result.agreed} agreed"]
        lines += [f"  rule {name}: {count} value(s); smallest: {result.minimal.get(name, '-')}"
                  for name, count in sorted(result.explained.items())]
        lines += ["values every run sends:", *(f"  {value}: {verdict}" for value, verdict in result.always)]
        out = run.reports.text(self.name, subject.id, lines + problems)
        run.value_runs[subject.row] = result
        return Verdict([], problems=problems, detail=f"(full report: {out})", explained=explained)


def rules_of(run) -> list:
    """The value rules the run's ledger topics name; a mismatch between the two is bad input."""
    topics = getattr(run.ledger, "topics", {})
    problems = check_rules(topics)
    if problems:
        raise UsageError(problems[0])
    java = versions.flytekit_java()
    named = [RULES[t.value_rule] for t in topics.values() if t.value_rule]
    return [r for r in named if matches((r.flytekit_java,) if r.flytekit_java else (), java)]


def check_rules(topics) -> list[str]:
    """Problems between the ledger's topics and the rules: a topic naming no rule, a rule no topic names."""
    named = {t.value_rule: t.name for t in topics.values() if t.value_rule}
    problems = [f"[topics.{topic}] names value_rule {name!r}, which flyte_parity/values/rules.py does not define"
                for name, topic in sorted(named.items()) if name not in RULES]
    problems += [f"value rule {name!r} is named by no ledger topic: add value_rule = {name!r} to the topic that "
                 "explains it (tests/parity/ledger.toml)" for name in sorted(set(RULES) - set(named))]
    return problems


register(ValuesMode())
