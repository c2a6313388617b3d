"""Runs a workflow pair task by task through each SDK's container entrypoint, as propeller would,
and cross-feeds: every task also runs on inputs made from the other SDK's outputs.

For each JVM node (in dependency order) and its aligned Python node:
- a task node runs straight (the JVM task reads inputs built from JVM outputs, the Python task
  from Python outputs) and cross-fed (the JVM task reads inputs built from the Python outputs,
  and the other way round); when those inputs serialize to the very bytes of the straight
  run's, the straight run stands for it;
- a dynamic task writes a DynamicJobSpec (futures.pb) instead of outputs: both specs are
  compared in canonical form, then each side's spec is walked like a workflow (its tasks run,
  straight and cross-fed), and its output bindings give the node's outputs;
- a sub-workflow node is walked like a workflow on the inputs its bindings give;
- any other node kind is reported, not run.
Findings are (path, jvm value, python value) triples for the ledger, with paths such as
``nodes["fib-2"].outputs.literals["c"]...``, ``nodes["fib-2"].python_to_jvm.outputs...``,
``nodes["sub-1"].nodes["sum"].outputs...`` and ``nodes["fibonacci"].futures.workflow...``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from flyteidl.admin import task_pb2, workflow_pb2 as admin_workflow_pb2
from flyteidl.core import dynamic_job_pb2, literals_pb2, types_pb2, workflow_pb2

from flyte_parity.base.sides import Sides
from flyte_parity.sdk.container import TaskResult, same_bytes
from flyte_parity.idl.align import Alignment, align_nodes, topological_order
from flyte_parity.idl.bindings import UnresolvedBinding, node_inputs
from flyte_parity.idl.canonical import canonical_error
from flyte_parity.idl.compare import compare_workflows, stable_node_id, sub_workflows, task_signature
from flyte_parity.idl.diff import ABSENT, Difference, diff_messages, render
from flyte_parity.idl.entities import EntitySet
from flyte_parity.idl.literals import canonical_literal_map, literal_map_from_values

SIDES = ("jvm", "python")
@dataclass(frozen=True)
class Run:
    node: str  # the JVM node id (the pair's shared name for the node)
    producer: str  # whose outputs the inputs were built from: "jvm" or "python"
    consumer: str  # which SDK ran the task
    result: TaskResult
    reused: bool  # the inputs were byte-identical to the straight run's, which stands for this one
    path: str  # where the node sits: nodes["fib-2"], or nodes["sub-1"].nodes["sum"] inside a node


@dataclass
class PairRun:
    runs: list[Run] = field(default_factory=list)
    found: list[Difference] = field(default_factory=list)

    def explain(self) -> str:
        """Both sides' outputs (or errors) for every node where a finding was made."""
        lines = []
        for run in self.runs:
            if run.reused or not any(f.path.startswith(run.path) for f in self.found):
                continue
            result = run.result
            shown = (render(result.outputs) if result.outputs is not None else
                     render(result.error) if result.error is not None else
                     "futures.pb" if result.futures is not None else f"exit {result.exit_code}")
            lines.append(f"{run.path} {run.producer}->{run.consumer}: {shown}")
        return "\n".join(lines)

    def matrix(self) -> dict[tuple[str, str], str]:
        """producer x consumer -> what its runs left: 'outputs' (all wrote outputs.pb, or a
        dynamic task's futures.pb), 'error' (some wrote an error document), or 'crashed' (some
        wrote neither)."""
        rank = {"outputs": 0, "error": 1, "crashed": 2}
        cells: dict[tuple[str, str], str] = {}
        for run in self.runs:
            result = run.result
            state = ("outputs" if result.outputs is not None or result.futures is not None else
                     "error" if result.error is not None else "crashed")
            key = (run.producer, run.consumer)
            cells[key] = max(cells.get(key, "outputs"), state, key=rank.__getitem__)
        return cells


def _futures_entities(futures: dynamic_job_pb2.DynamicJobSpec, origin: str) -> EntitySet:
    """A DynamicJobSpec as an entity set: its nodes and outputs as a workflow named ``futures``
    (with its sub-workflows embedded), its tasks by name."""
    template = workflow_pb2.WorkflowTemplate(nodes=futures.nodes, outputs=futures.outputs)
    template.id.name = "futures"
    spec = admin_workflow_pb2.WorkflowSpec(template=template, sub_workflows=futures.subworkflows)
    tasks = {t.id.name: task_pb2.TaskSpec(template=t) for t in futures.tasks}
    return EntitySet(origin, tasks=tasks, workflows={"futures": spec})


def futures_findings(prefix: str, jvm: dynamic_job_pb2.DynamicJobSpec,
                     python: dynamic_job_pb2.DynamicJobSpec) -> list[Difference]:
    """Two dynamic tasks' specs compared like workflows (canonical form, nodes aligned by
    structure, tasks and sub-workflows paired through the nodes), plus min_successes."""
    report = compare_workflows(_futures_entities(jvm, "jvm"), "futures", _futures_entities(python, "python"), "futures")
    found = [Difference(f"{prefix}.futures.{d.path}", d.left, d.right) for d in report.semantic]
    if jvm.min_successes != python.min_successes:
        found.append(Difference(f"{prefix}.futures.min_successes", str(jvm.min_successes), str(python.min_successes)))
    return found


def result_findings(prefix: str, jvm: TaskResult, python: TaskResult) -> list[Difference]:
    """Exit codes, which files each run wrote, and their contents, field by field (outputs with
    msgpack maps in canonical key order, error documents without message text and time)."""
    jvm = replace(jvm, outputs=canonical_literal_map(jvm.outputs))
    python = replace(python, outputs=canonical_literal_map(python.outputs))
    found = []
    if jvm.exit_code != python.exit_code:
        found.append(Difference(f"{prefix}.exit_code", str(jvm.exit_code), str(python.exit_code)))
    shown = {"outputs": render, "error": lambda doc: render(canonical_error(doc)), "futures": lambda _: "present"}
    for name in ("outputs", "error", "futures"):
        left, right = getattr(jvm, name), getattr(python, name)
        if (left is None) != (right is None):
            found.append(Difference(f"{prefix}.{name}", shown[name](left) if left is not None else ABSENT,
                               shown[name](right) if right is not None else ABSENT))
    if jvm.outputs is not None and python.outputs is not None:
        found += [Difference(f"{prefix}.outputs.{d.path}", d.left, d.right) for d in diff_messages(jvm.outputs, python.outputs)]
    if jvm.error is not None and python.error is not None:
        found += [Difference(f"{prefix}.error.{d.path}", d.left, d.right)
                  for d in diff_messages(canonical_error(jvm.error), canonical_error(python.error))]
    if jvm.futures is not None and python.futures is not None:
        found += futures_findings(prefix, jvm.futures, python.futures)
    return found


@dataclass(frozen=True)
class AlignedPair:
    """A workflow pair's templates, their nodes by id, and which JVM node pairs with which."""

    jvm: workflow_pb2.WorkflowTemplate
    python: workflow_pb2.WorkflowTemplate
    jnodes: dict[str, workflow_pb2.Node]
    pnodes: dict[str, workflow_pb2.Node]
    alignment: Alignment


def _align(jvm: workflow_pb2.WorkflowTemplate, jvm_entities: EntitySet, jsubs,
           python: workflow_pb2.WorkflowTemplate, py_entities: EntitySet, psubs) -> AlignedPair:
    alignment = align_nodes(jvm, python, task_signature(jvm_entities, jsubs), task_signature(py_entities, psubs))
    return AlignedPair(jvm, python, {n.id: n for n in jvm.nodes}, {n.id: n for n in python.nodes}, alignment)


def _workflow_pair(jvm_entities: EntitySet, jvm_workflow: str, py_entities: EntitySet, py_workflow: str):
    """A workflow pair aligned, with each side's sub-workflows by name."""
    jspec, pspec = jvm_entities.workflows[jvm_workflow], py_entities.workflows[py_workflow]
    subs = {"jvm": sub_workflows(jvm_entities, jspec), "python": sub_workflows(py_entities, pspec)}
    return _align(jspec.template, jvm_entities, subs["jvm"], pspec.template, py_entities, subs["python"]), subs


def align_pair(entities: Sides[EntitySet], names: Sides[str]) -> AlignedPair:
    return _workflow_pair(entities.jvm, names.jvm, entities.python, names.python)[0]


@dataclass(frozen=True)
class _Scope:
    """One template pair being walked (the workflow, a sub-workflow, or a dynamic task's spec)."""

    aligned: AlignedPair
    entities: Mapping[str, EntitySet]  # side -> where its tasks are looked up
    subs: Mapping[str, Mapping[str, workflow_pb2.WorkflowTemplate]]  # side -> sub-workflows by name
    inputs: Mapping[str, literals_pb2.LiteralMap]  # side -> the scope's inputs
    prefix: str  # "" for the workflow, 'nodes["sub-1"].' inside a node


class _Walk:
    def __init__(self, sdks: Sides, work: Path, pool: ThreadPoolExecutor) -> None:
        self.drivers = sdks
        self.work, self.pool = work, pool
        self.pair_run = PairRun()

    def scope(self, scope: _Scope) -> dict[str, literals_pb2.LiteralMap | None]:
        """Walk one template pair; returns each side's outputs of the scope (None if unresolved)."""
        aligned = scope.aligned
        alignment, jnodes, pnodes = aligned.alignment, aligned.jnodes, aligned.pnodes
        outputs: dict[str, dict[str, literals_pb2.LiteralMap]] = {"jvm": {}, "python": {}}  # keyed by JVM id
        for lid in alignment.left_only:
            self.pair_run.found.append(Difference(f'{scope.prefix}nodes["{stable_node_id(lid)}"]', "present", ABSENT))
        for lid in topological_order(jnodes):
            if lid not in alignment.pairs:
                continue
            jnode, pnode = jnodes[lid], pnodes[alignment.pairs[lid]]
            path = f'{scope.prefix}nodes["{stable_node_id(lid)}"]'
            # Each side's bindings name its own node ids; outputs are kept under the JVM ids.
            as_python_ids = {side: {alignment.pairs[k]: v for k, v in outputs[side].items()} for side in SIDES}
            nodes = {"jvm": jnode, "python": pnode}
            try:
                feeds = {
                    (producer, consumer): node_inputs(
                        nodes[consumer].inputs, scope.inputs[producer],
                        outputs[producer] if consumer == "jvm" else as_python_ids[producer])
                    for producer in SIDES for consumer in SIDES
                }
            except UnresolvedBinding as err:
                self.pair_run.found.append(Difference(f"{path}.inputs", "resolvable", f"unresolved: {err}"))
                continue
            kinds = (jnode.WhichOneof("target"), pnode.WhichOneof("target"))
            if kinds == ("task_node", "task_node"):
                written = self.task_node(scope, lid, path, jnode, pnode, feeds)
            elif kinds == ("workflow_node", "workflow_node") and all(
                    n.workflow_node.WhichOneof("reference") == "sub_workflow_ref" for n in (jnode, pnode)):
                written = self.sub_workflow_node(scope, path, jnode, pnode, feeds)
            else:
                self.pair_run.found.append(Difference(f"{path}.target", str(kinds[0]), str(kinds[1])))
                continue
            for side in SIDES:
                if written.get(side) is not None:
                    outputs[side][lid] = written[side]
        result: dict[str, literals_pb2.LiteralMap | None] = {}
        for side, template in (("jvm", aligned.jvm), ("python", aligned.python)):
            named = outputs[side] if side == "jvm" else {alignment.pairs[k]: v for k, v in outputs[side].items()}
            try:
                result[side] = node_inputs(template.outputs, scope.inputs[side], named)
            except UnresolvedBinding:
                result[side] = None
        return result

    def task_node(self, scope: _Scope, lid: str, path: str, jnode, pnode, feeds) -> dict[str, Any]:
        tasks = {"jvm": scope.entities["jvm"].tasks[jnode.task_node.reference_id.name],
                 "python": scope.entities["python"].tasks[pnode.task_node.reference_id.name]}
        # Run folders become file:// URIs: no '?' (the stable id's w????) may reach them.
        folder = self.work / path.replace('nodes["', "").replace('"]', "").replace(".", "/").replace("?", "_")
        straight = {side: self.pool.submit(self.drivers[side].run_entrypoint, tasks[side], feeds[(side, side)],
                                           folder / side) for side in SIDES}
        results = {(side, side): straight[side].result() for side in SIDES}
        cross = {}
        for producer, consumer in (("python", "jvm"), ("jvm", "python")):
            if same_bytes(feeds[(producer, consumer)], feeds[(consumer, consumer)]):
                results[(producer, consumer)] = results[(consumer, consumer)]
                self.pair_run.runs.append(Run(lid, producer, consumer, results[(producer, consumer)], True, path))
            else:
                cross[(producer, consumer)] = self.pool.submit(
                    self.drivers[consumer].run_entrypoint, tasks[consumer], feeds[(producer, consumer)],
                    folder / f"{producer}-to-{consumer}")
        for key, future in cross.items():
            results[key] = future.result()
            self.pair_run.runs.append(Run(lid, key[0], key[1], results[key], False, path))
        for side in SIDES:
            self.pair_run.runs.append(Run(lid, side, side, results[(side, side)], False, path))
        self.pair_run.found += result_findings(path, results[("jvm", "jvm")], results[("python", "python")])
        # Fed the other SDK's data, each side must compute what that SDK computed from it
        # (jvm slot: the JVM task's run, python slot: the Python task's run, same inputs).
        if ("python", "jvm") in cross:
            self.pair_run.found += result_findings(f"{path}.python_to_jvm", results[("python", "jvm")],
                                                   results[("python", "python")])
        if ("jvm", "python") in cross:
            self.pair_run.found += result_findings(f"{path}.jvm_to_python", results[("jvm", "jvm")],
                                                   results[("jvm", "python")])
        futures = {side: results[(side, side)].futures for side in SIDES}
        if all(f is not None for f in futures.values()):
            return self.dynamic(scope, path, futures, feeds)
        return {side: results[(side, side)].outputs for side in SIDES}

    def dynamic(self, scope: _Scope, path: str, futures, feeds) -> dict[str, Any]:
        """Walk the two dynamic specs (each side's own) like a workflow; their outputs are the node's."""
        entities = {side: _futures_entities(futures[side], side) for side in SIDES}
        specs = {side: entities[side].workflows["futures"] for side in SIDES}
        subs = {side: sub_workflows(entities[side], specs[side]) for side in SIDES}
        aligned = _align(specs["jvm"].template, entities["jvm"], subs["jvm"],
                         specs["python"].template, entities["python"], subs["python"])
        inner = _Scope(aligned, entities, subs, {side: feeds[(side, side)] for side in SIDES}, f"{path}.futures.")
        return self.scope(inner)

    def sub_workflow_node(self, scope: _Scope, path: str, jnode, pnode, feeds) -> dict[str, Any]:
        names = {"jvm": jnode.workflow_node.sub_workflow_ref.name, "python": pnode.workflow_node.sub_workflow_ref.name}
        missing = [side for side in SIDES if names[side] not in scope.subs[side]]
        if missing:
            self.pair_run.found.append(Difference(f"{path}.workflow_node", "sub-workflow present",
                                             f"{', '.join(names[s] for s in missing)} not serialized"))
            return {}
        templates = {side: scope.subs[side][names[side]] for side in SIDES}
        aligned = _align(templates["jvm"], scope.entities["jvm"], scope.subs["jvm"],
                         templates["python"], scope.entities["python"], scope.subs["python"])
        inner = _Scope(aligned, scope.entities, scope.subs, {side: feeds[(side, side)] for side in SIDES}, f"{path}.")
        return self.scope(inner)


def run_pair(
    entities: Sides[EntitySet], names: Sides[str], values: Mapping[str, Any], sdks: Sides, work: Path,
) -> PairRun:
    """Run every aligned task node of a workflow pair (with its sub-workflows and dynamic
    tasks' specs), straight and cross-fed."""
    aligned, subs = _workflow_pair(entities.jvm, names.jvm, entities.python, names.python)
    inputs = literal_map_from_values(values, aligned.jvm.interface.inputs)
    with ThreadPoolExecutor(max_workers=2) as pool:
        walk = _Walk(sdks, work, pool)
        walk.scope(_Scope(aligned, {"jvm": entities.jvm, "python": entities.python}, subs,
                          {side: inputs for side in SIDES}, ""))
    return walk.pair_run


def bad_inputs(variables) -> dict[str, literals_pb2.LiteralMap]:
    """Two inputs.pb a task must refuse: its first input with a literal of another simple type
    (a string where anything else is declared, else an integer), and no input at all."""
    name = sorted(variables.variables)[0]
    declared = variables.variables[name].type
    wrong = literals_pb2.LiteralMap()
    if declared.WhichOneof("type") == "simple" and declared.simple == types_pb2.SimpleType.STRING:
        wrong.literals[name].scalar.primitive.integer = 5
    else:
        wrong.literals[name].scalar.primitive.string_value = "not a number"
    return {"wrong-type": wrong, "missing": literals_pb2.LiteralMap()}


def run_bad_inputs(
    entities: Sides[EntitySet], names: Sides[str], sdks: Sides, work: Path,
) -> tuple[list[Difference], dict[str, dict[str, TaskResult]]]:
    """Feed the first task node of a pair (in dependency order) the bad inputs, on both sides."""
    aligned = align_pair(entities, names)
    lid = next(n for n in topological_order(aligned.jnodes) if n in aligned.alignment.pairs)
    jtask = entities.jvm.tasks[aligned.jnodes[lid].task_node.reference_id.name]
    ptask = entities.python.tasks[aligned.pnodes[aligned.alignment.pairs[lid]].task_node.reference_id.name]
    found: list[Difference] = []
    results: dict[str, dict[str, TaskResult]] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for case, inputs in bad_inputs(jtask.template.interface.inputs).items():
            jvm = pool.submit(sdks.jvm.run_entrypoint, jtask, inputs, work / case / "jvm")
            python = pool.submit(sdks.python.run_entrypoint, ptask, inputs, work / case / "python")
            results[case] = {"jvm": jvm.result(), "python": python.result()}
            found += result_findings(f'bad_input["{case}"].nodes["{lid}"]', results[case]["jvm"],
                                      results[case]["python"])
    return found, results
