"""Bad-inputs mode: a pair's first task fed a wrongly typed input, and no input, through both
container entrypoints; exit codes and error documents (code, kind, origin, message present) are
compared."""

from __future__ import annotations

from flyte_parity.modes.base import PairMode, Verdict
from flyte_parity.modes.entrypoint import NO_TASK
from flyte_parity.modes.entrypoint_walk import run_bad_inputs
from flyte_parity.modes.registry import register


class BadInputsMode(PairMode):
    name = "bad-inputs"
    summary = "a pair's first task fed a wrongly typed input and no input; exit codes and error documents"
    ahead = True
    refuses = {"launch-plan": NO_TASK}

    def work(self, subject, run):
        pair = subject.value
        entities = run.entities(pair.sources)
        return run_bad_inputs(entities, pair.names, run.sdks, run.folder(subject))

    def judge(self, subject, run, result) -> Verdict:
        found, results = result
        run.reports.json(self.name, subject.id, {
            case: {side: {"exit_code": r.exit_code, "outputs": r.outputs is not None,
                          "error_code": r.error.error.code if r.error else None}
                   for side, r in sides.items()}
            for case, sides in results.items()})
        shown = "\n".join(f"{case} {side}: {r.describe()}" for case, sides in results.items() for side, r in sides.items())
        return Verdict(list(found), detail=shown)


register(BadInputsMode())
