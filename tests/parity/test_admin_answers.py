"""What FlyteAdmin answers each SDK: the same situations put to both, their answers compared (gRPC
status and the message with entity names and versions replaced), a table in
reports/admin-answers.md, every difference a ledger entry (pair ``admin-answers/<situation>``,
mode ``admin-answers``).

Situations: each SDK's own registration repeated unchanged into the same version; repeated with
another container image into the same version; each SDK's serialized workflow created over gRPC
in a version where its tasks are not registered; each SDK's serialized task created over gRPC as
the SDK wrote it (jflyte writes the template without an id).
"""

import re

import pytest
from flyteidl.admin import task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2

from flyte_parity.data.ledger import Found, check
from flyte_parity.services.admin_client import AdminError, admin_stub, call, first_line

from .serialized import load

SOURCE = "upstream-java"  # the JVM side of these situations: the upstream Java examples
WORKFLOW = ("org.flyte.examples.WelcomeWorkflow", "python_wf.welcome.welcome_wf")
TASK = ("org.flyte.examples.GreetTask", "python_wf.welcome.greet")
OTHER_IMAGE = "flyte-parity/changed-image:unused"
SITUATIONS = ("re-register-unchanged", "re-register-changed-image", "workflow-without-its-tasks",
              "task-as-serialized")
MODE = "admin-answers"


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


@pytest.fixture(scope="module")
def answers(register_run, parity_catalogue, jvm_driver, python_driver, reports_dir):
    """Every situation put to both SDKs once: situation -> (jvm answer, python answer), classed."""
    source = parity_catalogue.sources[SOURCE]
    backend = register_run.backend
    jvm_target, python_target = backend.target("answers-jvm"), backend.target("answers-python")
    jvm_set, python_set = load(jvm_driver.serialize(source)), load(python_driver.serialize())
    jvm_names, python_names = set(jvm_set.tasks) | set(jvm_set.workflows), set(python_set.tasks) | set(python_set.workflows)
    versions = {jvm_target.version, python_target.version}
    raw: dict[str, tuple[str, str]] = {}
    jvm_driver.register(source, jvm_target)
    python_driver.register(python_target)
    raw["re-register-unchanged"] = (jvm_driver.register(source, jvm_target).label(),
                                    python_driver.register(python_target).label())
    raw["re-register-changed-image"] = (jvm_driver.register(source, jvm_target, image=OTHER_IMAGE).label(),
                                        python_driver.register(python_target, image=OTHER_IMAGE).label())
    missing_jvm, missing_python = backend.target("missing-tasks-jvm"), backend.target("missing-tasks-python")
    versions |= {missing_jvm.version, missing_python.version}
    raw["workflow-without-its-tasks"] = (
        _workflow_without_tasks(backend.address, missing_jvm, jvm_set.workflows[WORKFLOW[0]], WORKFLOW[0]),
        _workflow_without_tasks(backend.address, missing_python, python_set.workflows[WORKFLOW[1]], WORKFLOW[1]))
    fresh_jvm, fresh_python = backend.target("serialized-task-jvm"), backend.target("serialized-task-python")
    versions |= {fresh_jvm.version, fresh_python.version}
    raw["task-as-serialized"] = (
        _task_as_serialized(backend.address, fresh_jvm, jvm_set.tasks[TASK[0]], TASK[0]),
        _task_as_serialized(backend.address, fresh_python, python_set.tasks[TASK[1]], TASK[1]))
    classed = {situation: (message_class(jvm, jvm_names, versions), message_class(python, python_names, versions))
               for situation, (jvm, python) in raw.items()}
    lines = ["# What FlyteAdmin answers each SDK", "",
             f"JVM side: {SOURCE} (flytekit-java); Python side: the twins (flytekit). Entity names and versions "
             "are replaced by <entity> and <version>.", "",
             "| situation | JVM | Python | |", "| --- | --- | --- | --- |"]
    lines += [f"| {s} | {j.replace('|', '/')} | {p.replace('|', '/')} | {'same' if j == p else 'differs'} |"
              for s, (j, p) in classed.items()]
    (reports_dir / "admin-answers.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return classed


@pytest.mark.parametrize("situation", SITUATIONS)
def test_admin_answers_match_ledger(situation, answers, ledger):
    jvm, python = answers[situation]
    found = [Found("answer", jvm, python)] if jvm != python else []
    result = check(ledger, f"admin-answers/{situation}", MODE, found)
    assert result.ok, result.explain(f"admin-answers/{situation}", MODE) + "\n(table: reports/admin-answers.md)"


def test_message_class_replaces_whole_names_and_versions_only():
    label = "refused: INVALID_ARGUMENT: a.B task with different structure already exists (a.B2, v-1)"
    assert message_class(label, {"a.B"}, {"v-1"}) == (
        "refused: INVALID_ARGUMENT: <entity> task with different structure already exists (a.B2, <version>)")
