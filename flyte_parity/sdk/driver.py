"""One interface for both SDKs (the same verbs, the same signatures), and the container contract
written once: how a serialized task runs as its container would.

Verbs: ``build()``; ``serialize(source) -> folder of .pb``; ``run_local(case) -> LiteralMap``
(the SDK's own local run of a workflow); ``run_entrypoint(task, inputs, run, env) -> TaskResult``
(the task's container command with propeller's placeholders replaced by ``file://`` locations in
``run``, no server); ``register(source, target, image) -> Outcome`` (the SDK's own registration
into FlyteAdmin); ``close()``. ``LIMITS`` declares what an SDK cannot run (``capabilities``).
With a result store (``results``, set by the session), a task run is replayed when everything
that produced it is unchanged (``entrypoint_parts``), and recorded otherwise (``sdk.results``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import ClassVar, Mapping

from flyteidl.admin import task_pb2
from flyteidl.core import literals_pb2

from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.capabilities import Limit
from flyte_parity.sdk.container import RunFolder, TaskResult, read_result, substitute
from flyte_parity.sdk.registration import Outcome, Target
from flyte_parity.sdk.results import Record, ResultStore, files_of, write_files


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Driver:
    """An SDK as the suite drives it."""

    language: ClassVar[str]  # "jvm" or "python": the ledger slot this SDK fills
    entrypoint: ClassVar[str]  # the first word of its tasks' container args
    LIMITS: ClassVar[tuple[Limit, ...]] = ()
    # The FLYTE_* variables ``run_entrypoint`` sets for a task (checked against what propeller sets).
    IMITATION_ENV: ClassVar[tuple[str, ...]] = ()

    results: ResultStore | None = None  # set by the session: results kept by what produced them

    def build(self) -> None:
        raise NotImplementedError

    def result_parts(self, task: task_pb2.TaskSpec) -> dict:
        """What else a task run's result depends on: the SDK build, the code it loads, the part of
        the driver's environment a task reads (``sdk.results``)."""
        raise NotImplementedError

    def serialize(self, source) -> Path:
        raise NotImplementedError

    def run_local(self, case) -> literals_pb2.LiteralMap:
        raise NotImplementedError

    def register(self, source, target: Target, image: str | None = None) -> Outcome:
        raise NotImplementedError

    def close(self) -> None:
        """Stop what the driver keeps running between calls (nothing by default)."""

    def testee(self, sources, env: Mapping[str, str], logs: Path, cpu: int | None = None):
        """A long-lived testee (``sdk.testee.Testee``, not started) that runs these sources' tasks,
        with ``env`` on top of a task run's environment; its stderr goes to a file under ``logs``;
        ``cpu``: a core it may keep to."""
        raise NotImplementedError

    def testee_parts(self, sources, task: str) -> dict:
        """What a testee's answers for ``task`` are kept by besides the requests: the testee's build
        (the SDK, the testee program, the code it loads for these sources) and the part of the
        driver's environment it reads (``sdk.testee.kept``)."""
        raise NotImplementedError

    def run_entrypoint(self, task: task_pb2.TaskSpec, inputs: literals_pb2.LiteralMap, run: Path,
                       env: Mapping[str, str] | None = None) -> TaskResult:
        """Run a serialized task as its container would: inputs.pb and the template written to
        ``run``, the container args with every placeholder replaced, the template's environment
        set as propeller sets it (``env`` adds settings on top), then what the task wrote read back."""
        folder = RunFolder(run)
        folder.prepare(task.template, inputs)
        args = substitute(list(task.template.container.args), folder.values())
        if args[:1] != [self.entrypoint]:
            raise UsageError(f"not a {self.entrypoint} container task: its args start {args[:2]}")
        task_env = {item.key: item.value for item in task.template.container.env}
        given = {**task_env, **(env or {})}
        if self.results is None:
            code, stdout, stderr = self._run_task(args[1:], given, folder)
            return read_result(folder, code, stdout, stderr)
        key = self.results.key(self.entrypoint_parts(task, inputs, given))
        found = self.results.get(key)
        if found is not None:
            write_files(folder.output_prefix, found.files)
            return read_result(folder, found.exit_code, found.stdout, found.stderr)
        code, stdout, stderr = self._run_task(args[1:], given, folder)
        written = files_of(folder.output_prefix) if folder.output_prefix.is_dir() else {}
        # what names this run's own folder (a file's location under it) would not hold for another run
        if not any(str(folder.root).encode() in data for data in written.values()):
            self.results.put(key, Record(code, stdout, stderr, written))
        return read_result(folder, code, stdout, stderr)

    def entrypoint_parts(self, task: task_pb2.TaskSpec, inputs: literals_pb2.LiteralMap,
                         env: Mapping[str, str]) -> dict:
        """Everything a task run's result is kept by: the template (its command, arguments and
        environment), the inputs, the environment given on top, and ``result_parts``."""
        return {**self.result_parts(task), "verb": "entrypoint", "driver": type(self).__name__, "env": dict(env),
                "template": digest(task.template.SerializeToString(deterministic=True)),
                "inputs": digest(inputs.SerializeToString(deterministic=True))}

    def _run_task(self, args: list[str], env: dict[str, str], folder: RunFolder) -> tuple[int, str, str]:
        """Start the SDK's entrypoint with ``args`` (after its first word) and ``env`` on top of its
        own base environment; return its exit code and what it printed."""
        raise NotImplementedError

    def __repr__(self) -> str:  # shown in pytest ids and messages
        return f"<{type(self).__name__}>"

