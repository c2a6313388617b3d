"""Entrypoint mode: every task of a pair runs as its container would (``jflyte execute`` /
``pyflyte-execute``, propeller's placeholders replaced by file:// locations, no server) on the
same inputs.pb both sides, then cross-fed with the other SDK's outputs (modes.entrypoint_walk).
A task no workflow runs is walked as a one-node workflow around it."""

from __future__ import annotations

from flyte_parity.base.sides import Sides
from flyte_parity.idl.compare import single_task_workflow
from flyte_parity.modes.base import CaseMode, Verdict
from flyte_parity.modes.entrypoint_walk import run_pair
from flyte_parity.modes.registry import register

NO_TASK = "a launch plan runs no task of its own; its workflow's tasks run in the workflow's pair"
CELLS = {"jvm->jvm", "python->python", "python->jvm", "jvm->python"}


class EntrypointMode(CaseMode):
    name = "entrypoint"
    summary = "each task through jflyte execute / pyflyte-execute on the same inputs.pb, then cross-fed"
    ahead = True
    refuses = {"launch-plan": NO_TASK}

    def subjects(self, catalogue):
        return [s for s in super().subjects(catalogue) if s.value.input_name in s.value.pair.entrypoint_inputs]

    def work(self, subject, run):
        pair = subject.value.pair
        entities, names = run.entities(pair.sources), pair.names
        if pair.kind == "task":
            walked = Sides(*(single_task_workflow(e, n) for e, n in zip(entities, names)))
            entities, names = walked.map(lambda w: w[0]), walked.map(lambda w: w[1])
        return run_pair(entities, names, subject.value.inputs, run.sdks, run.folder(subject))

    def judge(self, subject, run, result) -> Verdict:
        matrix = {f"{producer}->{consumer}": state for (producer, consumer), state in sorted(result.matrix().items())}
        run.reports.json(self.name, subject.id, {
            "matrix": matrix,
            "runs": [{"node": r.node, "path": r.path, "producer": r.producer, "consumer": r.consumer,
                      "exit_code": r.result.exit_code, "reused_straight_run": r.reused} for r in result.runs],
            "found": [f.__dict__ for f in result.found],
        })
        failed = {cell: [r.result.describe() for r in result.runs
                         if (r.producer, r.consumer) == tuple(cell.split("->")) and r.result.outputs is None]
                  for cell, state in matrix.items() if state != "outputs"}
        problems = [] if set(matrix) == CELLS else [f"not every producer x consumer ran: {sorted(matrix)}"]
        return Verdict(list(result.found), problems=problems, detail=f"{result.explain()}\nmatrix: {matrix}\n{failed}")


register(EntrypointMode())
