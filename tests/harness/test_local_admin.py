"""A real FlyteAdmin on loopback (services.flyteadmin, `flyte-parity local-admin`): a gRPC client of
our own registers a task and a workflow written by hand as flyteidl messages, reads back the closure
admin compiled, and sees a mistyped binding refused; once stopped — normally, on Ctrl-C, or after
its supervisor was killed outright — no flyteadmin or postgres process of the run is left, and its
ports are free. `eval "$(flyte-parity local-admin start)"` in bash exports what jflyte needs, and a
restart of the same folder listens on the same ports unless one was taken meanwhile (then says so).
Skipped only when there is no admin binary (FLYTEADMIN_BIN or `make flyteadmin`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import common_pb2, project_pb2, task_pb2, workflow_pb2 as admin_workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2, workflow_pb2
from flyteidl.service import admin_pb2_grpc

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services.flyteadmin import admin_binary, flyteadmin
from flyte_parity.services.loopback import port_is_free
from flyte_parity.services.processes import alive, processes_of

PROJECT, DOMAIN, VERSION = "flytesnacks", "development", "v1"
INTEGER = types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER)
STRING = types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING)


@pytest.fixture(scope="module")
def binary() -> Path:
    try:
        return admin_binary()
    except UsageError as err:
        pytest.skip(str(err))


@pytest.fixture
def run_folder():
    """A folder under /tmp that the unprivileged account PostgreSQL runs as (under root) can reach."""
    folder = Path(tempfile.mkdtemp(prefix="flyte-parity-admin-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _leftovers(folder: Path) -> list[str]:
    """flyteadmin and postgres processes that work in, or name, ``folder`` — read from /proc, apart
    from the library's own bookkeeping (processes_of is checked as well)."""
    root = str(folder.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = os.readlink(entry / "exe")
            cwd = os.readlink(entry / "cwd")
            arguments = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:  # gone, or a zombie
            continue
        if Path(exe).name in ("flyteadmin", "postgres") and (
                cwd.startswith(root) or any(argument.startswith(root) for argument in arguments)):
            found.append(f"{entry.name} {' '.join(arguments)[:120]}")
    return found


def _assert_nothing_left(folder: Path, pids: list[int], ports: list[int]) -> None:
    deadline = time.monotonic() + 10  # PostgreSQL's backends end on their own once the postmaster is gone
    while (_leftovers(folder) or processes_of(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _leftovers(folder) == [] and processes_of(folder) == []
    assert [pid for pid in pids if alive(pid)] == []
    assert [port for port in ports if not port_is_free(port, bind="0.0.0.0")] == []


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def _identifier(kind: int, name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=kind, project=PROJECT, domain=DOMAIN, name=name, version=VERSION)


def _variables(**types: types_pb2.LiteralType) -> interface_pb2.VariableMap:
    return interface_pb2.VariableMap(variables={name: interface_pb2.Variable(type=t, description=name)
                                                for name, t in types.items()})


def _promise(node: str, var: str) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node, var=var))


def _task(name: str) -> task_pb2.TaskCreateRequest:
    """A container task double(x: int) -> o: int, as an SDK would serialize it."""
    task_id = _identifier(identifier_pb2.TASK, name)
    template = tasks_pb2.TaskTemplate(
        id=task_id, type="python-task",
        metadata=tasks_pb2.TaskMetadata(
            runtime=tasks_pb2.RuntimeMetadata(type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version="0.0.0", flavor="python"),
            retries=literals_pb2.RetryStrategy(retries=0)),
        interface=interface_pb2.TypedInterface(inputs=_variables(x=INTEGER), outputs=_variables(o=INTEGER)),
        container=tasks_pb2.Container(image="example.invalid/parity:v1", args=["double", "{{.input}}", "{{.outputPrefix}}"]))
    return task_pb2.TaskCreateRequest(id=task_id, spec=task_pb2.TaskSpec(template=template))


def _workflow(name: str, task: identifier_pb2.Identifier, input_type: types_pb2.LiteralType
              ) -> admin_workflow_pb2.WorkflowCreateRequest:
    """wf(n) -> result: one node running ``task`` on the workflow input n (typed ``input_type``)."""
    workflow_id = _identifier(identifier_pb2.WORKFLOW, name)
    template = workflow_pb2.WorkflowTemplate(
        id=workflow_id, metadata=workflow_pb2.WorkflowMetadata(),
        interface=interface_pb2.TypedInterface(inputs=_variables(n=input_type), outputs=_variables(result=INTEGER)),
        nodes=[workflow_pb2.Node(
            id="n0", metadata=workflow_pb2.NodeMetadata(name="double", retries=literals_pb2.RetryStrategy()),
            inputs=[literals_pb2.Binding(var="x", binding=_promise("start-node", "n"))],
            task_node=workflow_pb2.TaskNode(reference_id=task))],
        outputs=[literals_pb2.Binding(var="result", binding=_promise("n0", "o"))])
    return admin_workflow_pb2.WorkflowCreateRequest(id=workflow_id, spec=admin_workflow_pb2.WorkflowSpec(template=template))


def _channel(address: str) -> grpc.Channel:
    return grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)])  # loopback, never a proxy


def test_admin_registers_compiles_and_refuses_a_mistyped_binding_then_leaves_nothing(binary, run_folder):
    with flyteadmin(run_folder, binary) as admin:
        pids, ports = [admin.pid, admin.postgres.pid], [_port(admin.grpc), _port(admin.http), admin.postgres.port]
        assert admin.grpc.startswith("127.0.0.1:") and admin.http.startswith("http://127.0.0.1:")
        with _channel(admin.grpc) as channel:
            stub = admin_pb2_grpc.AdminServiceStub(channel)
            projects = stub.ListProjects(project_pb2.ProjectListRequest(limit=10), timeout=30)
            assert [p.id for p in projects.projects] == [PROJECT]
            assert {d.id for d in projects.projects[0].domains} == {"development", "staging", "production"}

            task = _task("parity.double")
            stub.CreateTask(task, timeout=30)
            stub.CreateWorkflow(_workflow("parity.wf", task.id, INTEGER), timeout=30)
            stored = stub.GetWorkflow(common_pb2.ObjectGetRequest(id=_identifier(identifier_pb2.WORKFLOW, "parity.wf")),
                                      timeout=30)
            compiled = stored.closure.compiled_workflow
            assert "n0" in {node.id for node in compiled.primary.template.nodes}
            assert "n0" in compiled.primary.connections.downstream["start-node"].ids
            assert "end-node" in compiled.primary.connections.downstream["n0"].ids
            assert compiled.primary.template.interface.outputs.variables["result"].type == INTEGER
            assert [t.template.id.name for t in compiled.tasks] == ["parity.double"]

            with pytest.raises(grpc.RpcError) as refused:
                stub.CreateWorkflow(_workflow("parity.wf_mistyped", task.id, STRING), timeout=30)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
            assert "MismatchingTypes" in refused.value.details() and "n0" in refused.value.details(), \
                refused.value.details()
    _assert_nothing_left(run_folder, pids, ports)


def test_ctrl_c_inside_the_block_stops_admin_and_postgres(binary, run_folder):
    with pytest.raises(KeyboardInterrupt):
        with flyteadmin(run_folder, binary) as admin:
            pids, ports = [admin.pid, admin.postgres.pid], [_port(admin.grpc), _port(admin.http), admin.postgres.port]
            assert processes_of(run_folder)
            raise KeyboardInterrupt
    _assert_nothing_left(run_folder, pids, ports)


def _cli(*arguments: str, folder: Path, binary: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flyte_parity.cli", "local-admin", *arguments, "--dir", str(folder)],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "FLYTEADMIN_BIN": str(binary)})


def _state(folder: Path) -> dict:
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))


VARIABLES = ("FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_STAGING_LOCATION")


def _eval_start(folder: Path, binary: Path) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    """`eval "$(flyte-parity local-admin start)"` in bash: what its environment then holds of VARIABLES."""
    script = 'eval "$("$0" -m flyte_parity.cli local-admin start --dir "$1")" && env -0'
    env = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    ran = subprocess.run(["bash", "-c", script, sys.executable, str(folder)], cwd=paths.REPO_ROOT,
                         capture_output=True, text=True, timeout=300, env={**env, "FLYTEADMIN_BIN": str(binary)})
    exported = dict(entry.split("=", 1) for entry in ran.stdout.split("\0") if "=" in entry)
    return {name: exported[name] for name in VARIABLES if name in exported}, ran


def test_local_admin_start_status_stop(binary, run_folder):
    exported, started = _eval_start(run_folder, binary)
    assert started.returncode == 0 and "local FlyteAdmin started" in started.stderr, started.stderr
    state = _state(run_folder)
    pids = [state["supervisor"], state["admin"], state["postgres"]]
    try:
        staging = run_folder.resolve() / "store" / "flyte" / "jvm-staging"
        assert exported == {"FLYTE_PLATFORM_URL": state["grpc"], "FLYTE_PLATFORM_INSECURE": "true",
                            "FLYTE_STAGING_LOCATION": staging.as_uri()}, started.stderr
        address = exported["FLYTE_PLATFORM_URL"]
        assert address.startswith("127.0.0.1:") and staging.is_dir()
        lines = _cli("status", "--env", folder=run_folder, binary=binary)
        assert lines.returncode == 0 and "running, healthy" in lines.stderr, lines
        assert lines.stdout.splitlines() == [f"export FLYTE_PLATFORM_URL={address}", "export FLYTE_PLATFORM_INSECURE=true",
                                             f"export FLYTE_STAGING_LOCATION={staging.as_uri()}"]
        status = _cli("status", folder=run_folder, binary=binary)
        assert status.returncode == 0 and f"running, healthy: FLYTE_PLATFORM_URL={address}," in status.stdout, status
        again = _cli("start", folder=run_folder, binary=binary)
        assert again.returncode == 0 and again.stdout == lines.stdout and "already running" in again.stderr, again
        with _channel(address) as channel:
            projects = admin_pb2_grpc.AdminServiceStub(channel).ListProjects(project_pb2.ProjectListRequest(limit=10),
                                                                             timeout=30)
        assert [p.id for p in projects.projects] == [PROJECT]
    finally:
        stopped = _cli("stop", folder=run_folder, binary=binary)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped
    after = _cli("status", folder=run_folder, binary=binary)
    assert after.returncode == 1 and after.stdout.startswith("not running"), after
    _assert_nothing_left(run_folder, pids, list(state["ports"].values()))


def _start(folder: Path, binary: Path) -> dict:
    started = _cli("start", folder=folder, binary=binary)
    assert started.returncode == 0, started.stderr
    return {**_state(folder), "stderr": started.stderr, "stdout": started.stdout}


def _stop(folder: Path, binary: Path, state: dict) -> None:
    stopped = _cli("stop", folder=folder, binary=binary)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped
    _assert_nothing_left(folder, [state["supervisor"], state["admin"], state["postgres"]],
                         list(state["ports"].values()))


def test_a_restart_keeps_the_ports_and_takes_a_new_one_only_for_a_port_in_use(binary, run_folder):
    first = _start(run_folder, binary)
    try:
        assert set(first["ports"]) == {"postgres", "http", "grpc", "profiler"} and "taken" not in first["stderr"]
    finally:
        _stop(run_folder, binary, first)
    assert _state(run_folder) == {"ports": first["ports"]}  # what a stopped folder keeps

    second = _start(run_folder, binary)
    try:
        assert second["ports"] == first["ports"] and second["grpc"] == first["grpc"], second["stderr"]
        assert second["stdout"] == first["stdout"] and "taken" not in second["stderr"]
    finally:
        _stop(run_folder, binary, second)

    grpc = first["ports"]["grpc"]
    with socket.socket() as squatter:  # someone else listens on the gRPC port meanwhile
        squatter.bind(("127.0.0.1", grpc))
        squatter.listen()
        third = _start(run_folder, binary)
        try:
            assert third["ports"]["grpc"] != grpc and third["grpc"] == f"127.0.0.1:{third['ports']['grpc']}"
            assert {role: port for role, port in third["ports"].items() if role != "grpc"} == \
                {role: port for role, port in first["ports"].items() if role != "grpc"}
            assert f"grpc {grpc} -> {third['ports']['grpc']}" in third["stderr"], third["stderr"]
            assert f"export FLYTE_PLATFORM_URL={third['grpc']}" in third["stdout"].splitlines()
        finally:
            _stop(run_folder, binary, third)


def test_stop_cleans_up_after_a_supervisor_killed_outright(binary, run_folder):
    started = _cli("start", folder=run_folder, binary=binary)
    assert started.returncode == 0, started.stderr
    state = _state(run_folder)
    try:
        os.kill(state["supervisor"], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(state["supervisor"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        status = _cli("status", folder=run_folder, binary=binary)
        assert status.returncode == 1, status
        assert alive(state["admin"]) and alive(state["postgres"])  # orphans, until stop
    finally:
        stopped = _cli("stop", folder=run_folder, binary=binary)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped
    _assert_nothing_left(run_folder, [state["admin"], state["postgres"]], [_port(state["grpc"]), _port(state["http"])])
