"""Reading back what a FlyteAdmin stored, over its gRPC API (insecure, loopback or a cluster).

``stored_entities`` lists the task, workflow and launch-plan names of a project and domain, gets
each at one version and returns them as an ``EntitySet``: tasks as admin compiled them
(``closure.compiled_task``), workflows as admin compiled them (primary template with its
sub-workflows, and each template's node connections), launch plans with the spec admin completed
and their closure (expected inputs and outputs, state). ``count_registered`` is the short form
the register helper prints. ``launch`` creates an execution of a launch plan (or a task) and
returns what admin stored for it once admin settled its phase. gRPC failures come back as
``AdminError`` with status and message.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import grpc
from flyteidl.admin import common_pb2, execution_pb2, node_execution_pb2, task_execution_pb2, task_pb2, workflow_pb2
from flyteidl.core import catalog_pb2, execution_pb2 as core_execution_pb2, identifier_pb2, literals_pb2
from flyteidl.service import admin_pb2_grpc

from flyte_parity.idl.entities import EntitySet
from flyte_parity.idl.runs import Failure, NodeRun, Run

KINDS = {"task": identifier_pb2.TASK, "workflow": identifier_pb2.WORKFLOW, "launch plan": identifier_pb2.LAUNCH_PLAN}
PAGE = 100
TIMEOUT = 60.0


class AdminError(Exception):
    """A gRPC call FlyteAdmin answered with an error status."""

    def __init__(self, call: str, error: grpc.RpcError) -> None:
        self.status = error.code().name if hasattr(error, "code") else "UNKNOWN"
        self.message = (error.details() if hasattr(error, "details") else str(error)) or ""
        super().__init__(f"{call}: {self.status}: {first_line(self.message)}")


def first_line(text: str) -> str:
    """The first non-empty line of an admin message (its class; the rest is detail)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


@contextmanager
def admin_stub(address: str, secure: bool = False) -> Iterator[admin_pb2_grpc.AdminServiceStub]:
    """An AdminService stub on ``address`` (host:port; TLS when ``secure``, no credentials), the
    channel closed on leaving."""
    options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    channel = (grpc.secure_channel(address, grpc.ssl_channel_credentials(), options=options) if secure else
               grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0), *options]))
    try:
        yield admin_pb2_grpc.AdminServiceStub(channel)
    finally:
        channel.close()


def call(stub_method: Callable, request, name: str):
    """One unary call; an AdminError on a gRPC error status."""
    try:
        return stub_method(request, timeout=TIMEOUT)
    except grpc.RpcError as error:
        raise AdminError(name, error) from None


def names(stub: admin_pb2_grpc.AdminServiceStub, kind: str, project: str, domain: str) -> list[str]:
    """Every entity name of ``kind`` registered in a project and domain (any version)."""
    method = {"task": stub.ListTaskIds, "workflow": stub.ListWorkflowIds, "launch plan": stub.ListLaunchPlanIds}[kind]
    found: list[str] = []
    token = ""
    while True:
        page = call(method, common_pb2.NamedEntityIdentifierListRequest(
            project=project, domain=domain, limit=PAGE, token=token), f"List {kind} ids")
        found += [entity.name for entity in page.entities]
        token = page.token
        if not token or not page.entities:
            return sorted(found)


def identifier(kind: str, project: str, domain: str, name: str, version: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=KINDS[kind], project=project, domain=domain, name=name,
                                     version=version)


def get(stub: admin_pb2_grpc.AdminServiceStub, kind: str, project: str, domain: str, name: str, version: str):
    """GetTask / GetWorkflow / GetLaunchPlan; None when admin has no such version."""
    method = {"task": stub.GetTask, "workflow": stub.GetWorkflow, "launch plan": stub.GetLaunchPlan}[kind]
    try:
        return call(method, common_pb2.ObjectGetRequest(id=identifier(kind, project, domain, name, version)),
                    f"Get {kind} {name}")
    except AdminError as error:
        if error.status == "NOT_FOUND":
            return None
        raise


@dataclass(frozen=True)
class Counts:
    """How many entities of each kind a project and domain holds at one version."""

    project: str
    domain: str
    version: str
    tasks: int
    workflows: int
    launch_plans: int

    def lines(self) -> list[str]:
        where = f"project {self.project}, domain {self.domain}, version {self.version}"
        return [f"{count} {kind}{'s' if count != 1 else ''} in {where}" for kind, count in
                (("task", self.tasks), ("workflow", self.workflows), ("launch plan", self.launch_plans))]


def count_registered(address: str, project: str, domain: str, version: str, secure: bool = False) -> Counts:
    """Count, from admin's own answers, the entities at ``version`` in a project and domain."""
    with admin_stub(address, secure) as stub:
        counted = [sum(get(stub, kind, project, domain, name, version) is not None
                       for name in names(stub, kind, project, domain)) for kind in KINDS]
    return Counts(project, domain, version, *counted)


def stored_entities(address: str, project: str, domain: str, version: str, origin: str) -> EntitySet:
    """Every entity admin holds at ``version`` in a project and domain, as admin stored it."""
    found = EntitySet(origin)
    with admin_stub(address) as stub:
        for name in names(stub, "task", project, domain):
            task = get(stub, "task", project, domain, name, version)
            if task is not None:
                found.tasks[name] = task_pb2.TaskSpec(template=task.closure.compiled_task.template)
        for name in names(stub, "workflow", project, domain):
            workflow = get(stub, "workflow", project, domain, name, version)
            if workflow is None:
                continue
            compiled = workflow.closure.compiled_workflow
            found.workflows[name] = workflow_pb2.WorkflowSpec(
                template=compiled.primary.template, sub_workflows=[sub.template for sub in compiled.sub_workflows])
            for each in (compiled.primary, *compiled.sub_workflows):
                found.connections[each.template.id.name] = each.connections
        for name in names(stub, "launch plan", project, domain):
            plan = get(stub, "launch plan", project, domain, name, version)
            if plan is not None:
                found.launch_plans[name] = plan.spec
                found.launch_plan_closures[name] = plan.closure
                found.launch_plan_forms[name] = "LaunchPlan"
    return found


TERMINAL = {core_execution_pb2.WorkflowExecution.SUCCEEDED, core_execution_pb2.WorkflowExecution.FAILED,
            core_execution_pb2.WorkflowExecution.ABORTED, core_execution_pb2.WorkflowExecution.TIMED_OUT}


@dataclass(frozen=True)
class Launched:
    """An execution admin created: its record (spec and closure) and the inputs it resolved."""

    execution: execution_pb2.Execution
    inputs: literals_pb2.LiteralMap


def launch(address: str, target: identifier_pb2.Identifier, inputs: literals_pb2.LiteralMap,
           settle: float = 20.0, envs: Mapping[str, str] | None = None) -> Launched:
    """CreateExecution of ``target`` (a launch plan, or a task) with ``inputs`` (and ``envs``, the
    environment an execution adds to its task pods), then its record once its phase is terminal
    (or after ``settle`` seconds) and the full inputs admin resolved (defaults and fixed inputs
    applied). A refusal is an AdminError."""
    spec = execution_pb2.ExecutionSpec(launch_plan=target, metadata=execution_pb2.ExecutionMetadata(
        mode=execution_pb2.ExecutionMetadata.MANUAL))
    for key, value in sorted((envs or {}).items()):
        spec.envs.values.add(key=key, value=value)
    with admin_stub(address) as stub:
        created = create_execution(stub, execution_pb2.ExecutionCreateRequest(
            project=target.project, domain=target.domain, inputs=inputs, spec=spec), target)
        execution = wait_terminal(stub, created.id, settle)
        data = call(stub.GetExecutionData, execution_pb2.WorkflowExecutionGetDataRequest(id=created.id),
                    f"GetExecutionData {created.id.name}")
    return Launched(execution, data.full_inputs)


# Admin's own get-then-create race: the first execution of a task makes a skeleton workflow and a
# launch plan for it, each found by a read and, when missing, inserted; two executions of the same
# task created side by side can both miss and the second insert is refused with ALREADY_EXISTS on
# the row the first one made. The execution itself was not created, and a retry finds both rows.
SKELETON_RACE_ATTEMPTS = 3


def create_execution(stub, request: execution_pb2.ExecutionCreateRequest, target: identifier_pb2.Identifier):
    """CreateExecution, retried when admin refused it only because a concurrent first execution of
    the same task made its skeleton workflow or launch plan first (the request names no execution,
    so ALREADY_EXISTS can mean nothing else for a task). Any other refusal is an AdminError."""
    name = f"CreateExecution {target.name}"
    for attempt in range(1, SKELETON_RACE_ATTEMPTS + 1):
        try:
            return call(stub.CreateExecution, request, name)
        except AdminError as error:
            raced = (target.resource_type == identifier_pb2.TASK and not request.name
                     and error.status == "ALREADY_EXISTS")
            if not raced or attempt == SKELETON_RACE_ATTEMPTS:
                raise


def wait_terminal(stub, execution_id, settle: float) -> execution_pb2.Execution:
    """The execution once its phase is terminal, or as it is after ``settle`` seconds."""
    request = execution_pb2.WorkflowExecutionGetRequest(id=execution_id)
    deadline = time.monotonic() + settle
    pause = 0.1
    while True:
        execution = call(stub.GetExecution, request, f"GetExecution {execution_id.name}")
        if execution.closure.phase in TERMINAL or time.monotonic() > deadline:
            return execution
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)


def wait_for(address: str, execution_id, timeout: float) -> execution_pb2.Execution:
    """An execution once its phase is terminal (or as it is after ``timeout`` seconds)."""
    with admin_stub(address) as stub:
        return wait_terminal(stub, execution_id, timeout)


def _failure(error) -> Failure | None:
    if not error.code and not error.message:
        return None
    return Failure(error.code, core_execution_pb2.ExecutionError.ErrorKind.Name(error.kind), error.message)


def _pages(method, request, items: str, name: str) -> list:
    found, token = [], ""
    while True:
        request.token = token
        page = call(method, request, name)
        found += list(getattr(page, items))
        token = page.token
        if not token or not getattr(page, items):
            return found


def _node_runs(stub, execution_id, parent: str = "") -> tuple[NodeRun, ...]:
    request = node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=execution_id, limit=PAGE,
                                                          unique_parent_id=parent)
    runs = []
    for node in _pages(stub.ListNodeExecutions, request, "node_executions", f"ListNodeExecutions {execution_id.name}"):
        if {node.id.node_id, node.metadata.spec_node_id} & {"start-node", "end-node"} or \
                node.id.node_id.endswith(("-start-node", "-end-node")):
            continue  # a workflow's (or sub-workflow's) own start and end: no user node
        closure, meta = node.closure, node.metadata
        data = call(stub.GetNodeExecutionData, node_execution_pb2.NodeExecutionGetDataRequest(id=node.id),
                    f"GetNodeExecutionData {node.id.node_id}")
        tasks = _pages(stub.ListTaskExecutions, task_execution_pb2.TaskExecutionListRequest(
            node_execution_id=node.id, limit=PAGE), "task_executions", f"ListTaskExecutions {node.id.node_id}")
        attempts = tuple(core_execution_pb2.TaskExecution.Phase.Name(task.closure.phase)
                         for task in sorted(tasks, key=lambda t: t.id.retry_attempt))
        child_execution = None
        if closure.HasField("workflow_node_metadata"):
            kind = "launch plan"
            child_execution = _run(stub, closure.workflow_node_metadata.execution_id)
        elif meta.is_dynamic:
            kind = "dynamic"
        elif meta.is_parent_node:
            kind = "parent"
        else:
            kind = "task"
        cache = ""
        if closure.HasField("task_node_metadata"):
            cache = catalog_pb2.CatalogCacheStatus.Name(closure.task_node_metadata.cache_status)
        children = _node_runs(stub, execution_id, node.id.node_id) if meta.is_parent_node else ()
        runs.append(NodeRun(
            node.id.node_id, kind, core_execution_pb2.NodeExecution.Phase.Name(closure.phase),
            data.full_inputs if data.HasField("full_inputs") else None,
            data.full_outputs if data.HasField("full_outputs") else None,
            _failure(closure.error), cache, attempts, children, child_execution, meta.spec_node_id))
    return tuple(runs)


def _run(stub, execution_id) -> Run:
    execution = call(stub.GetExecution, execution_pb2.WorkflowExecutionGetRequest(id=execution_id),
                     f"GetExecution {execution_id.name}")
    data = call(stub.GetExecutionData, execution_pb2.WorkflowExecutionGetDataRequest(id=execution_id),
                f"GetExecutionData {execution_id.name}")
    closure = execution.closure
    return Run(core_execution_pb2.WorkflowExecution.Phase.Name(closure.phase),
               data.full_outputs if data.HasField("full_outputs") else None, _failure(closure.error),
               _node_runs(stub, execution_id), execution_id.name)


def finished_run(address: str, execution_id) -> Run:
    """What the data plane did with an execution (read after it reached a terminal phase)."""
    with admin_stub(address) as stub:
        return _run(stub, execution_id)
