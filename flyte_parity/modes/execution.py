"""Execution mode, as far as FlyteAdmin goes: for each pair, CreateExecution of what each SDK
registered (register mode) — a workflow's default launch plan, a launch plan, or a task — with the
pair's first input case, and again with its first input mistyped. Admin validates the inputs,
applies defaults and fixed inputs, stores the execution and, with no cluster to run it, fails it.
Both SDKs' answers and what admin stored (spec, resolved inputs, phase, error code and kind) are
compared."""

from __future__ import annotations

from flyteidl.core.execution_pb2 import ExecutionError, WorkflowExecution

from flyte_parity.base.sides import Sides
from flyte_parity.idl.diff import Difference
from flyte_parity.idl.executions import compare_executions
from flyte_parity.modes.base import Verdict
from flyte_parity.modes.register import RegisterMode
from flyte_parity.modes.registrations import launch_side
from flyte_parity.modes.registry import register


class ExecutionMode(RegisterMode):
    """Its work is register mode's (each side registered once per session); it judges executions."""

    name = "execution"
    summary = "CreateExecution of what each SDK registered, with the first input case and a mistyped input"

    def judge(self, subject, run, registered) -> Verdict:
        pair = subject.value
        values = next(iter(pair.inputs.values()), {})
        found, lines = [], []
        launches = Sides.of(lambda side: launch_side(registered[side], pair.kind, pair.names[side], values))
        lines.append(f"# launch: jvm {launches.jvm.label}; python {launches.python.label}")
        if launches.jvm.label != launches.python.label:
            found.append(Difference("launch (outcome)", launches.jvm.label, launches.python.label))
        if launches.jvm.launched and launches.python.launched:
            jvm, python = launches.jvm.launched, launches.python.launched
            semantic, identity = compare_executions(jvm.execution, jvm.inputs, python.execution, python.inputs)
            found += semantic
            for side, launched in (("jvm", jvm), ("python", python)):
                closure = launched.execution.closure
                lines.append(f"# {side}: phase {WorkflowExecution.Phase.Name(closure.phase)}, error code "
                             f"{closure.error.code or '-'}, kind {ExecutionError.ErrorKind.Name(closure.error.kind)}")
            lines += ["# semantic", *map(str, semantic), "# identity", *map(str, identity)]
        if values:
            name = sorted(values)[0]
            mistyped = Sides.of(lambda side: launch_side(registered[side], pair.kind, pair.names[side], values,
                                                         mistyped=name))
            lines.append(f"# launch with input {name} mistyped: jvm {mistyped.jvm.label}; python {mistyped.python.label}")
            if mistyped.jvm.label != mistyped.python.label:
                found.append(Difference("launch with a mistyped input (outcome)", mistyped.jvm.label, mistyped.python.label))
        out = run.reports.text(self.name, subject.id, lines)
        return Verdict(found, detail=f"(full report: {out})")


register(ExecutionMode())
