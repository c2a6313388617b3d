"""Execute-local mode: each input case of a pair through ``jflyte execute-local`` and a local
flytekit run. Outputs are compared as typed LiteralMaps; one side failing where the other
succeeds is a difference of outcome (path ``case["<input>"].outcome``) with both sides shown."""

from __future__ import annotations

from flyte_parity.modes.base import CaseMode, Verdict
from flyte_parity.modes.registry import register
from flyte_parity.sdk import outcome


class ExecuteLocalMode(CaseMode):
    name = "execute-local"
    summary = "each input case through jflyte execute-local and a local flytekit run; outputs as typed literals"
    ahead = True  # the JVM side; flytekit's local run shares this process's context, so it runs in the test

    def work(self, subject, run):
        return outcome.attempt(lambda: run.sdks.jvm.run_local(subject.value))

    def judge(self, subject, run, jvm) -> Verdict:
        python = outcome.attempt(lambda: run.sdks.python.run_local(subject.value))
        comparison = outcome.compare(jvm, python)
        prefix = f'case["{subject.value.input_name}"].'
        return Verdict(comparison.found(prefix), within=prefix, detail=comparison.explain())


register(ExecuteLocalMode())
