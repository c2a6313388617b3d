"""Admin-answers mode: what FlyteAdmin answers each SDK. The same situations are put to both, and
their answers compared (gRPC status and the message with entity names and versions replaced); a
table goes to admin-answers.md.

Situations: each SDK's own registration repeated unchanged into the same version; repeated with
another container image into the same version; each SDK's serialized workflow created over gRPC
in a version where its tasks are not registered; each SDK's serialized task created over gRPC as
the SDK wrote it (jflyte writes the template without an id). The JVM side is the upstream Java
examples; the matrix row of a situation is ``admin-answers/<situation>``.
"""

from __future__ import annotations

import re

from flyteidl.admin import task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2

from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import TWINS
from flyte_parity.idl.diff import Difference
from flyte_parity.modes.base import SITUATIONS as TABLE
from flyte_parity.modes.base import Mode, Subject, Verdict
from flyte_parity.modes.registry import register
from flyte_parity.services.admin_client import AdminError, admin_stub, call, first_line

SOURCE = "upstream-java"  # the JVM side of these situations: the upstream Java examples
WORKFLOW = Sides("org.flyte.examples.WelcomeWorkflow", "python_wf.welcome.welcome_wf")
TASK = Sides("org.flyte.examples.GreetTask", "python_wf.welcome.greet")
OTHER_IMAGE = "flyte-parity/changed-image:unused"
SITUATIONS = ("re-register-unchanged", "re-register-changed-image", "workflow-without-its-tasks",
              "task-as-serialized")


def message_class(label: str, names, versions) -> str:
    """An answer without what names the entity: entity names and versions replaced."""
    for version in sorted(versions, key=len, reverse=True):
        label = label.replace(version, "<version>")
    for name in sorted(names, key=len, reverse=True):
        label = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", "<entity>", label)
    return label


def _grpc(address: str, method: str, request) -> str:
    with admin_stub(address) as stub:
        try:
            call(getattr(stub, method), request, method)
            return "created"
        except AdminError as error:
            return f"refused: {error.status}: {first_line(error.message)}"


def _hydrate(identifier: identifier_pb2.Identifier, target) -> None:
    if identifier.name:
        identifier.project, identifier.domain, identifier.version = target.project, target.domain, target.version


def _workflow_without_tasks(address, target, spec: workflow_pb2.WorkflowSpec, name: str) -> str:
    spec = workflow_pb2.WorkflowSpec.FromString(spec.SerializeToString())
    spec.template.id.resource_type = identifier_pb2.WORKFLOW
    spec.template.id.name = name
    _hydrate(spec.template.id, target)
    for node in spec.template.nodes:
        if node.WhichOneof("target") == "task_node":
            _hydrate(node.task_node.reference_id, target)
    ident = identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, project=target.project,
                                      domain=target.domain, name=name, version=target.version)
    return _grpc(address, "CreateWorkflow", workflow_pb2.WorkflowCreateRequest(id=ident, spec=spec))


def _task_as_serialized(address, target, spec: task_pb2.TaskSpec, name: str) -> str:
    spec = task_pb2.TaskSpec.FromString(spec.SerializeToString())
    _hydrate(spec.template.id, target)  # what flytectl does to ids that are there; jflyte writes none
    ident = identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, project=target.project,
                                      domain=target.domain, name=name, version=target.version)
    return _grpc(address, "CreateTask", task_pb2.TaskCreateRequest(id=ident, spec=spec))


def answers(run) -> dict[str, tuple[str, str]]:
    """Every situation put to both SDKs once: situation -> (jvm answer, python answer), classed."""
    sources = Sides(run.catalogue.sources[SOURCE], TWINS)
    backend, sdks = run.backend(), run.sdks
    entities = run.entities(sources)
    names = entities.map(lambda e: set(e.tasks) | set(e.workflows))
    targets = Sides.of(lambda side: backend.target(f"answers-{side}"))
    versions = set(targets.map(lambda t: t.version))

    def registered(image=None) -> Sides[str]:
        return Sides.of(lambda side: sdks[side].register(sources[side], targets[side], image).label())

    raw: dict[str, Sides[str]] = {}
    registered()
    raw["re-register-unchanged"] = registered()
    raw["re-register-changed-image"] = registered(OTHER_IMAGE)
    missing = Sides.of(lambda side: backend.target(f"missing-tasks-{side}"))
    raw["workflow-without-its-tasks"] = Sides.of(lambda side: _workflow_without_tasks(
        backend.address, missing[side], entities[side].workflows[WORKFLOW[side]], WORKFLOW[side]))
    fresh = Sides.of(lambda side: backend.target(f"serialized-task-{side}"))
    raw["task-as-serialized"] = Sides.of(lambda side: _task_as_serialized(
        backend.address, fresh[side], entities[side].tasks[TASK[side]], TASK[side]))
    versions |= set(missing.map(lambda t: t.version)) | set(fresh.map(lambda t: t.version))
    classed = {situation: (message_class(answer.jvm, names.jvm, versions),
                           message_class(answer.python, names.python, versions))
               for situation, answer in raw.items()}
    lines = ["# What FlyteAdmin answers each SDK", "",
             f"JVM side: {SOURCE} (flytekit-java); Python side: the twins (flytekit). Entity names and versions "
             "are replaced by <entity> and <version>.", "",
             "| situation | JVM | Python | |", "| --- | --- | --- | --- |"]
    lines += [f"| {s} | {j.replace('|', '/')} | {p.replace('|', '/')} | {'same' if j == p else 'differs'} |"
              for s, (j, p) in classed.items()]
    run.reports.document("admin-answers.md", "\n".join(lines) + "\n")
    return classed


class AdminAnswersMode(Mode):
    name = "admin-answers"
    summary = "what FlyteAdmin answers each SDK in the same situations (re-registration, missing tasks, ...)"
    table = TABLE
    needs = ("admin",)

    def subjects(self, catalogue):
        if SOURCE not in catalogue.sources:
            return []
        return [Subject(self.name, situation, f"{self.name}/{situation}", situation) for situation in SITUATIONS]

    def work(self, subject, run):
        return run.shared(self.name, lambda: answers(run))[subject.value]

    def judge(self, subject, run, answer) -> Verdict:
        jvm, python = answer
        found = [Difference("answer", jvm, python)] if jvm != python else []
        return Verdict(found, detail=f"(table: {run.reports.root / 'admin-answers.md'})")


register(AdminAnswersMode())
