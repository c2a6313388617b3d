"""What register mode adds to the IDL comparison: the node connections FlyteAdmin compiles (compared
through the node alignment) and a launch plan's closure (compared without timestamps)."""

import pytest
from flyteidl.admin import launch_plan_pb2
from flyteidl.core import compiler_pb2, types_pb2

from flyte_parity.idl.compare import compare_launch_plans, compare_workflows

from .idl_factory import build, fibonacci


def _connections(wf, node_map) -> compiler_pb2.ConnectionSet:
    """Admin's connections for ``wf`` as named on one side, derived from the definition (data
    dependencies; nodes fed by workflow inputs hang off start-node, the output node feeds end-node)."""
    up: dict[str, set[str]] = {}
    for node in wf.nodes:
        sources = {node_map[s[1]] for s in node.inputs.values() if s[0] == "node"}
        up[node_map[node.id]] = sources or {"start-node"}
    up["end-node"] = {node_map[wf.output[1]]}
    connections = compiler_pb2.ConnectionSet()
    down: dict[str, set[str]] = {}
    for node, sources in up.items():
        connections.upstream[node].ids.extend(sorted(sources))
        for source in sources:
            down.setdefault(source, set()).add(node)
    for node, targets in down.items():
        connections.downstream[node].ids.extend(sorted(targets))
    return connections


def _pair(seed: int):
    wf = fibonacci()
    jvm, jname, jmap, _ = build(wf, "jvm")
    python, pname, pmap, _ = build(wf, "python", seed)
    jvm.connections[jname] = _connections(wf, jmap)
    python.connections[pname] = _connections(wf, pmap)
    return wf, jvm, jname, python, pname, pmap


def _connection_paths(report):
    return [d for d in report.semantic if ".connections." in d.path]


@pytest.mark.parametrize("seed", range(8))
def test_equal_connections_under_any_node_naming_are_no_difference(seed):
    _, jvm, jname, python, pname, _ = _pair(seed)
    assert _connection_paths(compare_workflows(jvm, jname, python, pname)) == []


def test_a_changed_connection_is_reported_in_left_node_ids_with_both_values():
    _, jvm, jname, python, pname, pmap = _pair(3)
    upstream = python.connections[pname].upstream[pmap["fib-5"]]
    del upstream.ids[:]
    upstream.ids.extend(["start-node"])  # as if fib-5 no longer waited for fib-3 and fib-4
    found = _connection_paths(compare_workflows(jvm, jname, python, pname))
    assert [(d.path, d.left, d.right) for d in found] == [
        ('workflow.connections.upstream["fib-5"]', "['fib-3', 'fib-4']", "['start-node']")]


def test_connections_on_one_side_only_are_a_difference():
    _, jvm, jname, python, pname, _ = _pair(1)
    del python.connections[pname]
    found = _connection_paths(compare_workflows(jvm, jname, python, pname))
    assert found and all(d.right == "<absent>" for d in found)


def test_serialized_entities_have_no_connections_to_compare():
    wf = fibonacci()
    jvm, jname, _, _ = build(wf, "jvm")
    python, pname, _, _ = build(wf, "python", 2)
    assert _connection_paths(compare_workflows(jvm, jname, python, pname)) == []


def _closure(state, description: str, seconds: int) -> launch_plan_pb2.LaunchPlanClosure:
    closure = launch_plan_pb2.LaunchPlanClosure(state=state)
    closure.created_at.seconds = seconds
    parameter = closure.expected_inputs.parameters["fib0"]
    parameter.var.type.simple = types_pb2.SimpleType.INTEGER
    parameter.var.description = description
    parameter.required = True
    return closure


def test_launch_plan_closures_compare_state_and_inputs_not_times_or_descriptions():
    wf = fibonacci()
    jvm, jname, _, _ = build(wf, "jvm")
    python, pname, _, _ = build(wf, "python", 0)
    jvm.launch_plan_closures[jname] = _closure(launch_plan_pb2.INACTIVE, "", 1)
    python.launch_plan_closures[pname] = _closure(launch_plan_pb2.INACTIVE, "fib0", 99)
    report = compare_launch_plans(jvm, jname, python, pname)
    assert [d for d in report.semantic if ".closure." in d.path] == []
    assert any("closure.expected_inputs" in d.path and "description" in d.path for d in report.identity)

    python.launch_plan_closures[pname].state = launch_plan_pb2.ACTIVE
    python.launch_plan_closures[pname].expected_inputs.parameters["fib0"].required = False
    closure = sorted((d.path, d.left, d.right) for d in compare_launch_plans(jvm, jname, python, pname).semantic
                     if ".closure." in d.path)
    assert closure == [('launch_plan.closure.expected_inputs.parameters["fib0"].required', "True", "False"),
                       ("launch_plan.closure.state", "INACTIVE", "ACTIVE")]
