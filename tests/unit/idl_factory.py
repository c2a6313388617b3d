"""Synthetic Flyte entities for the IDL core's tests: a workflow of integer-sum tasks, written
once as "jvm" would and once relabelled and reordered as "python" would."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2 as admin_wf
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, types_pb2, workflow_pb2

from flyte_parity.idl.entities import EntitySet

INTEGER = types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER)


@dataclass
class NodeDef:
    id: str
    task: str  # key into WorkflowDef.tasks
    inputs: dict[str, tuple]  # var -> ("in", name) | ("node", node_id, var) | ("lit", int)


@dataclass
class WorkflowDef:
    inputs: list[str]
    tasks: dict[str, list[str]]  # task key -> its input var names (output is "c")
    nodes: list[NodeDef]
    output: tuple  # source of the workflow output "out"
    cache_version: dict[str, str] = field(default_factory=dict)


def _variables(names, descriptions=None):
    vm = interface_pb2.VariableMap()
    for name in names:
        vm.variables[name].type.CopyFrom(INTEGER)
        if descriptions:
            vm.variables[name].description = descriptions(name)
    return vm


def _binding(var, source, rename, start_id):
    data = literals_pb2.BindingData()
    if source[0] == "in":
        data.promise.node_id = start_id
        data.promise.var = source[1]
    elif source[0] == "node":
        data.promise.node_id = rename(source[1])
        data.promise.var = source[2]
    else:
        data.scalar.primitive.integer = source[1]
    return literals_pb2.Binding(var=var, binding=data)


def build(wf: WorkflowDef, style: str, seed: int = 0) -> tuple[EntitySet, str, dict[str, str], dict[str, str]]:
    """Entities for ``wf``. style "jvm": ids as written, start-node, no upstream ids, descriptions
    "". style "python": fresh node and entity names, shuffled order, "" for the start node, data
    dependencies as upstream ids in random order, descriptions = names, display names set.
    Returns (entities, workflow name, node id map, task name map)."""
    rng = random.Random(seed)
    python = style == "python"
    ids = [n.id for n in wf.nodes]
    fresh = [f"n{i}" for i in range(len(ids))]
    if python:
        rng.shuffle(fresh)
    node_map = dict(zip(ids, fresh)) if python else {i: i for i in ids}
    task_map = {k: (f"py.tasks.t_{k}" if python else f"org.example.Task{k}") for k in wf.tasks}
    wf_name = "py.wf.my_wf" if python else "org.example.MyWorkflow"
    start = "" if python else "start-node"
    describe = (lambda name: name) if python else None
    entities = EntitySet(origin=style)
    for key, inputs in wf.tasks.items():
        spec = task_pb2.TaskSpec()
        template = spec.template
        if python:
            template.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=task_map[key]))
        template.type = "python-task" if python else "java-task"
        template.metadata.runtime.flavor = "python" if python else "java"
        template.metadata.retries.retries = 0
        if key in wf.cache_version:
            template.metadata.discoverable = True
            template.metadata.discovery_version = wf.cache_version[key]
        template.interface.inputs.CopyFrom(_variables(inputs, describe))
        template.interface.outputs.CopyFrom(_variables(["c"], describe))
        template.container.image = "img"
        template.container.args.extend(["run", task_map[key]])
        entities.tasks[task_map[key]] = spec
    spec = admin_wf.WorkflowSpec()
    template = spec.template
    template.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=wf_name))
    template.interface.inputs.CopyFrom(_variables(wf.inputs, describe))
    template.interface.outputs.CopyFrom(_variables(["out"], describe))
    nodes = []
    for node in wf.nodes:
        n = workflow_pb2.Node(id=node_map[node.id])
        if python:
            n.metadata.name = f"display {node.task}"
            n.metadata.retries.retries = 0
        bindings = [_binding(var, src, node_map.get, start) for var, src in node.inputs.items()]
        if python:
            rng.shuffle(bindings)
            deps = sorted({node_map[s[1]] for s in node.inputs.values() if s[0] == "node"})
            rng.shuffle(deps)
            n.upstream_node_ids.extend(deps)
        n.inputs.extend(bindings)
        n.task_node.reference_id.CopyFrom(
            identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=task_map[node.task]))
        nodes.append(n)
    if python:
        rng.shuffle(nodes)
    template.nodes.extend(nodes)
    template.outputs.append(_binding("out", wf.output, node_map.get, start))
    entities.workflows[wf_name] = spec
    plan = launch_plan_pb2.LaunchPlanSpec()
    plan.workflow_id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=wf_name))
    if python:
        for name in wf.inputs:
            plan.default_inputs.parameters[name].var.type.CopyFrom(INTEGER)
            plan.default_inputs.parameters[name].var.description = name
            plan.default_inputs.parameters[name].required = True
    entities.launch_plans[wf_name] = plan
    entities.launch_plan_forms[wf_name] = "LaunchPlan" if python else "LaunchPlanSpec"
    return entities, wf_name, node_map, task_map


def fibonacci() -> WorkflowDef:
    return WorkflowDef(
        inputs=["fib0", "fib1"],
        tasks={"Sum": ["a", "b"]},
        nodes=[
            NodeDef("fib-2", "Sum", {"a": ("in", "fib0"), "b": ("in", "fib1")}),
            NodeDef("fib-3", "Sum", {"a": ("in", "fib1"), "b": ("node", "fib-2", "c")}),
            NodeDef("fib-4", "Sum", {"a": ("node", "fib-2", "c"), "b": ("node", "fib-3", "c")}),
            NodeDef("fib-5", "Sum", {"a": ("node", "fib-3", "c"), "b": ("node", "fib-4", "c")}),
        ],
        output=("node", "fib-5", "c"),
        cache_version={"Sum": "1"},
    )
