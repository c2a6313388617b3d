"""Which entities of two serializations are compared with which, and which are left out.

Workflows and launch plans pair by equal name, and by explicit ``left=right`` maps for names that
differ. A paired workflow brings its tasks (those its nodes run, inside branches and sub-workflows
too), its sub-workflows and its default launch plan (named like it) into the comparison. Whatever
neither a pair nor a paired workflow covers is left out, and named, so that a comparison that
compared nothing can never pass unnoticed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from flyteidl.core import workflow_pb2

from flyte_parity.idl.canonical import branch_slots
from flyte_parity.idl.compare import sub_workflows
from flyte_parity.idl.entities import EntitySet


@dataclass
class Pairing:
    workflows: list[tuple[str, str]] = field(default_factory=list)
    launch_plans: list[tuple[str, str]] = field(default_factory=list)
    # side ("left" or "right") -> (kind, name) of every entity no pair covers
    unpaired: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {"left": [], "right": []})


def pair(left: EntitySet, right: EntitySet, explicit: dict[str, str]) -> Pairing:
    """Pairs by equal name plus ``explicit`` (left name -> right name), and what is left out."""
    workflows = sorted({(n, n) for n in left.workflows if n in right.workflows and n not in explicit}
                       | {(l, r) for l, r in explicit.items() if l in left.workflows and r in right.workflows})
    defaults = {"left": {l for l, _ in workflows}, "right": {r for _, r in workflows}}
    plans = sorted({(n, n) for n in left.launch_plans if n in right.launch_plans
                    and n not in defaults["left"] and n not in defaults["right"] and n not in explicit}
                   | {(l, r) for l, r in explicit.items() if l in left.launch_plans and r in right.launch_plans
                      and l not in left.workflows})
    result = Pairing(workflows, plans)
    for side, entities, index in (("left", left, 0), ("right", right, 1)):
        paired_workflows = {p[index] for p in workflows}
        paired_plans = {p[index] for p in plans} | defaults[side]
        covered_tasks: set[str] = set()
        covered_subs: set[str] = set()
        for name in paired_workflows:
            spec = entities.workflows[name]
            walk(spec.template.nodes, sub_workflows(entities, spec), covered_tasks, covered_subs)
        result.unpaired[side] = (
            [("workflow", n) for n in sorted(entities.workflows) if n not in paired_workflows and n not in covered_subs]
            + [("launch plan", n) for n in sorted(entities.launch_plans) if n not in paired_plans]
            + [("task", n) for n in sorted(entities.tasks) if n not in covered_tasks])
    return result


def walk(nodes: Iterable[workflow_pb2.Node], subs: dict[str, workflow_pb2.WorkflowTemplate], tasks: set[str],
          seen_subs: set[str]) -> None:
    """Every task and sub-workflow these nodes run, inside branches and sub-workflows too."""
    for node in nodes:
        if node.WhichOneof("target") == "task_node":
            tasks.add(node.task_node.reference_id.name)
        walk([inner for _, inner in branch_slots(node)], subs, tasks, seen_subs)
        name = node.workflow_node.sub_workflow_ref.name
        if name in subs and name not in seen_subs:
            seen_subs.add(name)
            walk(subs[name].nodes, subs, tasks, seen_subs)
