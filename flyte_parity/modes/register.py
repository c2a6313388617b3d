"""Register and flytectl modes: each SDK registers into a real FlyteAdmin (the session's backend:
by default one started on loopback with PostgreSQL), and what admin stored — tasks as compiled,
workflows with their compiled closures (node connections), launch plans with the spec and closure
admin completed — is compared pair by pair in canonical form.

``register``: each SDK's own registration (``jflyte register workflows`` through the wrapper's
launcher, ``pyflyte register``). ``flytectl``: each SDK's serialized files given to ``flytectl
register files``, Flyte's CI/CD path. A registration that ended differently on the two sides is a
difference of outcome (path ``registration (outcome)``)."""

from __future__ import annotations

from flyte_parity.base.sides import SIDES, Sides
from flyte_parity.idl.diff import Difference
from flyte_parity.modes.base import PairMode, Verdict
from flyte_parity.modes.entity_report import MissingEntity, holds, pair_report, report_lines
from flyte_parity.modes.registrations import Registered
from flyte_parity.modes.registry import register

OUTCOME = "registration (outcome)"


def compare_registered(mode: str, subject, run, registered: Sides[Registered]) -> Verdict:
    """One pair's registrations: the outcomes, then (when both sides' entities are in admin) what
    admin stored. An entity missing on one side is a difference only when the outcomes agree
    (otherwise the outcome already says why)."""
    pair = subject.value
    found = []
    outcomes = registered.map(lambda r: r.outcome.label())
    if not outcomes.agree:
        found.append(Difference(OUTCOME, *outcomes))
    held = Sides.of(lambda side: holds(registered[side].entities, pair, pair.names[side]))
    header = [f"# {side}: {outcomes[side]} ({registered[side].target.where()})" for side in SIDES]
    if all(held):
        try:
            report = pair_report(pair, run.catalogue, registered.map(lambda r: r.entities))
        except MissingEntity as missing:
            return Verdict(problems=[str(missing)])
        out = run.reports.text(mode, subject.id, report_lines(report, header))
        found += report.semantic
    else:
        if outcomes.agree:
            found.append(Difference(f"{pair.kind} (in admin)", *held.map(lambda h: "stored" if h else "absent")))
        out = run.reports.text(mode, subject.id, [*header, "# jvm log", registered.jvm.outcome.log,
                                                   "# python log", registered.python.outcome.log])
    return Verdict(found, detail=f"(full report: {out})")


class RegisterMode(PairMode):
    name = "register"
    summary = "each SDK registers into a real FlyteAdmin its own way; what admin stored is compared"
    needs = ("admin",)

    def work(self, subject, run):
        return run.registrations().registered(subject.value.sources)

    def judge(self, subject, run, registered) -> Verdict:
        return compare_registered(self.name, subject, run, registered)


class FlytectlMode(RegisterMode):
    name = "flytectl"
    summary = "each SDK's serialized files registered by flytectl register files; what admin stored is compared"
    needs = ("admin", "flytectl")

    def work(self, subject, run):
        return run.registrations().through_flytectl(subject.value.sources)


register(RegisterMode())
register(FlytectlMode())
