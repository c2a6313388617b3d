"""Runs a workflow pair task by task through each SDK's container entrypoint, as propeller would,
and cross-feeds: every task also runs on inputs made from the other SDK's outputs.

For each JVM node (in dependency order) and its aligned Python node:
- straight: the JVM task reads inputs built from JVM outputs, the Python task from Python outputs;
- cross: the JVM task reads inputs built from the Python outputs, and the other way round. When
  those inputs serialize to the very bytes of the straight run's, the straight run stands for it.
Findings are (path, jvm value, python value) triples for the ledger, with paths such as
``nodes["fib-2"].outputs.literals["c"]...`` and ``nodes["fib-2"].python_to_jvm.outputs...``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from flyteidl.core import literals_pb2, types_pb2, workflow_pb2

from .entrypoint import TaskResult, same_bytes
from .idl.align import Alignment, align_nodes, topological_order
from .idl.bindings import node_inputs
from .idl.canonical import canonical_error
from .idl.compare import task_signature
from .idl.diff import ABSENT, diff_messages, render
from .idl.entities import EntitySet
from .idl.literals import literal_map_from_values
from .ledger import Found


@dataclass(frozen=True)
class Run:
    node: str  # the JVM node id (the pair's shared name for the node)
    producer: str  # whose outputs the inputs were built from: "jvm" or "python"
    consumer: str  # which SDK ran the task
    result: TaskResult
    reused: bool  # the inputs were byte-identical to the straight run's, which stands for this one


@dataclass
class PairRun:
    runs: list[Run] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)

    def explain(self) -> str:
        """Both sides' outputs (or errors) for every node where a finding was made."""
        nodes = sorted({f.path.split("]")[0] + "]" for f in self.found if f.path.startswith("nodes[")})
        lines = []
        for node in nodes:
            for run in self.runs:
                if f'nodes["{run.node}"]' == node and not run.reused:
                    shown = render(run.result.outputs) if run.result.outputs is not None else (
                        render(run.result.error) if run.result.error is not None else f"exit {run.result.exit_code}")
                    lines.append(f"{node} {run.producer}->{run.consumer}: {shown}")
        return "\n".join(lines)

    def matrix(self) -> dict[tuple[str, str], str]:
        """producer x consumer -> what its runs left: 'outputs' (all wrote outputs.pb), 'error'
        (some wrote an error document), or 'crashed' (some wrote neither)."""
        rank = {"outputs": 0, "error": 1, "crashed": 2}
        cells: dict[tuple[str, str], str] = {}
        for run in self.runs:
            state = "outputs" if run.result.outputs is not None else "error" if run.result.error is not None else "crashed"
            key = (run.producer, run.consumer)
            cells[key] = max(cells.get(key, "outputs"), state, key=rank.__getitem__)
        return cells


def result_findings(prefix: str, jvm: TaskResult, python: TaskResult) -> list[Found]:
    found = []
    if jvm.exit_code != python.exit_code:
        found.append(Found(f"{prefix}.exit_code", str(jvm.exit_code), str(python.exit_code)))
    shown = {"outputs": render, "error": lambda doc: render(canonical_error(doc))}
    for name in ("outputs", "error"):
        left, right = getattr(jvm, name), getattr(python, name)
        if (left is None) != (right is None):
            found.append(Found(f"{prefix}.{name}", shown[name](left) if left is not None else ABSENT,
                               shown[name](right) if right is not None else ABSENT))
    if jvm.outputs is not None and python.outputs is not None:
        found += [Found(f"{prefix}.outputs.{d.path}", d.left, d.right) for d in diff_messages(jvm.outputs, python.outputs)]
    if jvm.error is not None and python.error is not None:
        found += [Found(f"{prefix}.error.{d.path}", d.left, d.right)
                  for d in diff_messages(canonical_error(jvm.error), canonical_error(python.error))]
    return found


@dataclass(frozen=True)
class AlignedPair:
    """A workflow pair's templates, their nodes by id, and which JVM node pairs with which."""

    jvm: workflow_pb2.WorkflowTemplate
    python: workflow_pb2.WorkflowTemplate
    jnodes: dict[str, workflow_pb2.Node]
    pnodes: dict[str, workflow_pb2.Node]
    alignment: Alignment


def align_pair(jvm_entities: EntitySet, jvm_workflow: str, py_entities: EntitySet, py_workflow: str) -> AlignedPair:
    jvm = jvm_entities.workflows[jvm_workflow].template
    python = py_entities.workflows[py_workflow].template
    alignment = align_nodes(jvm, python, task_signature(jvm_entities), task_signature(py_entities))
    return AlignedPair(jvm, python, {n.id: n for n in jvm.nodes}, {n.id: n for n in python.nodes}, alignment)


def run_pair(
    jvm_entities: EntitySet, jvm_workflow: str, py_entities: EntitySet, py_workflow: str,
    values: Mapping[str, Any], jvm_driver, python_driver, work: Path,
) -> PairRun:
    """Run every aligned task node of a workflow pair, straight and cross-fed."""
    aligned = align_pair(jvm_entities, jvm_workflow, py_entities, py_workflow)
    alignment, jnodes, pnodes = aligned.alignment, aligned.jnodes, aligned.pnodes
    inputs = literal_map_from_values(values, aligned.jvm.interface.inputs)
    outputs: dict[str, dict[str, literals_pb2.LiteralMap]] = {"jvm": {}, "python": {}}  # keyed by JVM id
    pair_run = PairRun()
    for lid in alignment.left_only:
        pair_run.found.append(Found(f'nodes["{lid}"]', "present", ABSENT))
    with ThreadPoolExecutor(max_workers=2) as pool:
        for lid in topological_order(jnodes):
            if lid not in alignment.pairs:
                continue
            jnode, pnode = jnodes[lid], pnodes[alignment.pairs[lid]]
            if jnode.WhichOneof("target") != "task_node" or pnode.WhichOneof("target") != "task_node":
                pair_run.found.append(Found(f'nodes["{lid}"].target', str(jnode.WhichOneof("target")),
                                            str(pnode.WhichOneof("target"))))
                continue
            jtask = jvm_entities.tasks[jnode.task_node.reference_id.name]
            ptask = py_entities.tasks[pnode.task_node.reference_id.name]
            # Each side's bindings name its own node ids; outputs are kept under the JVM ids.
            as_python_ids = {side: {alignment.pairs[k]: v for k, v in outputs[side].items()} for side in outputs}
            feeds = {
                ("jvm", "jvm"): node_inputs(jnode.inputs, inputs, outputs["jvm"]),
                ("python", "python"): node_inputs(pnode.inputs, inputs, as_python_ids["python"]),
                ("python", "jvm"): node_inputs(jnode.inputs, inputs, outputs["python"]),
                ("jvm", "python"): node_inputs(pnode.inputs, inputs, as_python_ids["jvm"]),
            }
            straight = {
                "jvm": pool.submit(jvm_driver.run_entrypoint, jtask, feeds[("jvm", "jvm")], work / lid / "jvm"),
                "python": pool.submit(python_driver.run_entrypoint, ptask, feeds[("python", "python")],
                                      work / lid / "python"),
            }
            results = {("jvm", "jvm"): straight["jvm"].result(), ("python", "python"): straight["python"].result()}
            cross = {}
            for producer, consumer in (("python", "jvm"), ("jvm", "python")):
                if same_bytes(feeds[(producer, consumer)], feeds[(consumer, consumer)]):
                    results[(producer, consumer)] = results[(consumer, consumer)]
                    pair_run.runs.append(Run(lid, producer, consumer, results[(producer, consumer)], True))
                else:
                    driver = jvm_driver if consumer == "jvm" else python_driver
                    task = jtask if consumer == "jvm" else ptask
                    cross[(producer, consumer)] = pool.submit(
                        driver.run_entrypoint, task, feeds[(producer, consumer)], work / lid / f"{producer}-to-{consumer}")
            for key, future in cross.items():
                results[key] = future.result()
                pair_run.runs.append(Run(lid, key[0], key[1], results[key], False))
            for consumer in ("jvm", "python"):
                pair_run.runs.append(Run(lid, consumer, consumer, results[(consumer, consumer)], False))
            prefix = f'nodes["{lid}"]'
            pair_run.found += result_findings(prefix, results[("jvm", "jvm")], results[("python", "python")])
            # Fed the other SDK's data, each side must compute what that SDK computed from it
            # (jvm slot: the JVM task's run, python slot: the Python task's run, same inputs).
            if ("python", "jvm") in cross:
                pair_run.found += result_findings(f"{prefix}.python_to_jvm", results[("python", "jvm")],
                                                   results[("python", "python")])
            if ("jvm", "python") in cross:
                pair_run.found += result_findings(f"{prefix}.jvm_to_python", results[("jvm", "jvm")],
                                                   results[("jvm", "python")])
            for side in ("jvm", "python"):
                written = results[(side, side)].outputs
                if written is not None:
                    outputs[side][lid] = written
    return pair_run


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
    jvm_entities: EntitySet, jvm_workflow: str, py_entities: EntitySet, py_workflow: str,
    jvm_driver, python_driver, work: Path,
) -> tuple[list[Found], dict[str, dict[str, TaskResult]]]:
    """Feed the first task node of a pair (in dependency order) the bad inputs, on both sides."""
    aligned = align_pair(jvm_entities, jvm_workflow, py_entities, py_workflow)
    lid = next(n for n in topological_order(aligned.jnodes) if n in aligned.alignment.pairs)
    jtask = jvm_entities.tasks[aligned.jnodes[lid].task_node.reference_id.name]
    ptask = py_entities.tasks[aligned.pnodes[aligned.alignment.pairs[lid]].task_node.reference_id.name]
    found: list[Found] = []
    results: dict[str, dict[str, TaskResult]] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for case, inputs in bad_inputs(jtask.template.interface.inputs).items():
            jvm = pool.submit(jvm_driver.run_entrypoint, jtask, inputs, work / case / "jvm")
            python = pool.submit(python_driver.run_entrypoint, ptask, inputs, work / case / "python")
            results[case] = {"jvm": jvm.result(), "python": python.result()}
            found += result_findings(f'bad_input["{case}"].nodes["{lid}"]', results[case]["jvm"],
                                      results[case]["python"])
    return found, results
