"""Two executions FlyteAdmin created (one per SDK) compared in canonical form (pure).

What is compared: the execution spec as admin stored it, the closure's phase and error (code and
kind), and the full inputs admin resolved (defaults and fixed inputs applied). Set aside as
identity: ids (execution name, launch plan and workflow ids name each SDK's own entities),
timestamps, durations, who launched it, and the error message (it names the execution).

``RUN_REPORTS`` names the closure fields a finished run's comparison (``idl.runs``) reports in
its own terms — the phase, the error (kind and message class) and the outputs (read as typed
literals, where the closure holds only their location). A caller comparing both passes
``leave_to_run=True`` so that each difference is reported once; every other closure field (an
abort cause, notifications, ...) stays compared.
"""

from __future__ import annotations

from flyteidl.admin import execution_pb2
from flyteidl.core import literals_pb2

from flyte_parity.idl.canonical import Note, copy_message, prune_empty, set_aside
from flyte_parity.idl.diff import Difference, diff_messages
from flyte_parity.idl.literals import canonical_literal_map

RUN_REPORTS = ("phase", "error", "outputs", "output_data")  # fields of the execution's closure
_TIMES = ("started_at", "duration", "created_at", "updated_at", "state_change_details")


def canonical_execution(execution: execution_pb2.Execution, leave_to_run: bool = False
                        ) -> tuple[execution_pb2.Execution, list[Note]]:
    notes: list[Note] = []
    clone = copy_message(execution)
    if leave_to_run:
        for name in RUN_REPORTS:
            clone.closure.ClearField(name)
    set_aside(clone, "id", "", notes)
    set_aside(clone.spec, "launch_plan", "spec", notes)
    set_aside(clone.closure, "workflow_id", "closure", notes)
    if clone.closure.HasField("error"):
        set_aside(clone.closure.error, "message", "closure.error", notes)
    for name in _TIMES:
        clone.closure.ClearField(name)
    prune_empty(clone)
    return clone, notes


def compare_executions(jvm: execution_pb2.Execution, jvm_inputs: literals_pb2.LiteralMap,
                       python: execution_pb2.Execution, python_inputs: literals_pb2.LiteralMap,
                       leave_to_run: bool = False) -> tuple[list[Difference], list[Difference]]:
    """(semantic, identity) differences: ``execution.*`` paths and ``inputs.*`` for the resolved
    inputs; ``leave_to_run``: the closure's ``RUN_REPORTS`` fields are left to a run comparison."""
    left, lnotes = canonical_execution(jvm, leave_to_run)
    right, rnotes = canonical_execution(python, leave_to_run)
    semantic = [Difference(f"execution.{d.path}", d.left, d.right) for d in diff_messages(left, right)]
    semantic += [Difference(f"inputs.{d.path}", d.left, d.right)
                 for d in diff_messages(canonical_literal_map(jvm_inputs), canonical_literal_map(python_inputs))]
    lmap, rmap = {n.path: n.value for n in lnotes}, {n.path: n.value for n in rnotes}
    identity = [Difference(f"execution.{path}", lmap.get(path, "<absent>"), rmap.get(path, "<absent>"))
                for path in sorted(set(lmap) | set(rmap)) if lmap.get(path) != rmap.get(path)]
    return semantic, identity

