"""Compares paired workflows (with their tasks and default launch plans) of two entity sets.

Nodes are aligned by structure; tasks are paired through the aligned nodes that run them;
canonical forms are then diffed field by field. Semantic differences and identity differences
come back separately: only the first can fail a comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flyteidl.core import workflow_pb2

from .align import Alignment, align_nodes
from .canonical import Note, canonical_launch_plan, canonical_task, canonical_workflow, interface_signature
from .diff import ABSENT, diff_messages
from .entities import EntitySet


@dataclass(frozen=True)
class EntityDifference:
    """One differing field of a pair of entities."""

    left_entity: str
    right_entity: str
    path: str
    left: str
    right: str

    def __str__(self) -> str:
        return f"{self.left_entity} ~ {self.right_entity}: {self.path}: {self.left} != {self.right}"

    def as_dict(self) -> dict[str, str]:
        return {"left_entity": self.left_entity, "right_entity": self.right_entity,
                "path": self.path, "left": self.left, "right": self.right}


@dataclass
class Report:
    semantic: list[EntityDifference] = field(default_factory=list)
    identity: list[EntityDifference] = field(default_factory=list)

    def extend(self, other: "Report") -> None:
        self.semantic.extend(other.semantic)
        self.identity.extend(other.identity)


def _identity_differences(left: list[Note], right: list[Note], lname: str, rname: str, prefix: str):
    lmap, rmap = {n.path: n.value for n in left}, {n.path: n.value for n in right}
    for path in sorted(set(lmap) | set(rmap)):
        lval, rval = lmap.get(path, ABSENT), rmap.get(path, ABSENT)
        if lval != rval:
            yield EntityDifference(lname, rname, f"{prefix}{path}", lval, rval)


def _task_ref(node: workflow_pb2.Node) -> str | None:
    return node.task_node.reference_id.name if node.WhichOneof("target") == "task_node" else None


def task_signature(entities: EntitySet):
    """For node alignment: what a node runs, as its task's interface (None for other nodes)."""

    def signature(node: workflow_pb2.Node):
        ref = _task_ref(node)
        if ref is not None and ref in entities.tasks:
            return interface_signature(entities.tasks[ref].template.interface)
        return None

    return signature


def _task_metadata(entities: EntitySet):
    def metadata(node: workflow_pb2.Node):
        ref = _task_ref(node)
        if ref is not None and ref in entities.tasks:
            return entities.tasks[ref].template.metadata
        return None

    return metadata


def compare_workflows(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Compare one workflow pair, the tasks its aligned nodes run, and its default launch plans."""
    report = Report()
    lspec, rspec = left.workflows[lname], right.workflows[rname]
    alignment = align_nodes(lspec.template, rspec.template, task_signature(left), task_signature(right))
    reverse = {r: l for l, r in alignment.pairs.items()}
    left_ids = {n.id for n in lspec.template.nodes}

    def rename_right(node_id: str) -> str:
        if node_id in reverse:
            return reverse[node_id]
        return f"{node_id} (right only)" if node_id in left_ids else node_id

    lcanon, lnotes = canonical_workflow(lspec, lambda n: n, _task_metadata(left))
    rcanon, rnotes = canonical_workflow(rspec, rename_right, _task_metadata(right))
    report.semantic += [
        EntityDifference(lname, rname, f"workflow.template.{d.path}", d.left, d.right)
        for d in diff_messages(lcanon, rcanon)
    ]
    report.identity += list(_identity_differences(lnotes, rnotes, lname, rname, "workflow."))
    report.extend(_compare_tasks(left, lspec, right, rspec, alignment, lname, rname))
    report.extend(_compare_default_launch_plans(left, lname, right, rname))
    return report


def _compare_tasks(left, lspec, right, rspec, alignment: Alignment, lname: str, rname: str) -> Report:
    report = Report()
    lnodes = {n.id: n for n in lspec.template.nodes}
    rnodes = {n.id: n for n in rspec.template.nodes}
    partners: dict[str, str] = {}
    for lid, rid in sorted(alignment.pairs.items()):
        lref, rref = _task_ref(lnodes[lid]), _task_ref(rnodes[rid])
        if lref is None or rref is None:
            continue
        if partners.setdefault(lref, rref) != rref:
            report.semantic.append(EntityDifference(
                lname, rname, f'workflow.template.nodes["{lid}"].task_node (task pairing)',
                lref, f"{rref} (but {lref} also runs as {partners[lref]})",
            ))
    for lref, rref in sorted(partners.items()):
        if lref not in left.tasks or rref not in right.tasks:
            missing = lref if lref not in left.tasks else rref
            report.semantic.append(EntityDifference(lref, rref, "task", "present", f"{missing} not serialized"))
            continue
        ltemplate, lnotes = canonical_task(left.tasks[lref])
        rtemplate, rnotes = canonical_task(right.tasks[rref])
        prefix = f'task["{lref}"].'
        report.semantic += [
            EntityDifference(lref, rref, f"{prefix}template.{d.path}", d.left, d.right)
            for d in diff_messages(ltemplate, rtemplate)
        ]
        report.identity += list(_identity_differences(lnotes, rnotes, lref, rref, prefix))
    return report


def _compare_default_launch_plans(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Each side's launch plan named like its workflow (the default one), if any."""
    lplan, rplan = left.launch_plans.get(lname), right.launch_plans.get(rname)
    if lplan is None and rplan is None:
        return Report()
    if lplan is None or rplan is None:
        return Report(semantic=[EntityDifference(
            lname, rname, "launch_plan (default)",
            "present" if lplan is not None else ABSENT, "present" if rplan is not None else ABSENT,
        )])
    return compare_launch_plans(left, lname, right, rname)


def compare_launch_plans(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Compare two launch plans by name (their workflows are assumed paired)."""
    report = Report()
    lplan, rplan = left.launch_plans[lname], right.launch_plans[rname]
    lwf, rwf = left.workflows.get(lplan.workflow_id.name), right.workflows.get(rplan.workflow_id.name)
    liface = lwf.template.interface if lwf is not None else workflow_pb2.WorkflowTemplate().interface
    riface = rwf.template.interface if rwf is not None else workflow_pb2.WorkflowTemplate().interface
    lcanon, lnotes = canonical_launch_plan(lplan, liface)
    rcanon, rnotes = canonical_launch_plan(rplan, riface)
    report.semantic += [
        EntityDifference(lname, rname, f"launch_plan.{d.path}", d.left, d.right) for d in diff_messages(lcanon, rcanon)
    ]
    report.identity += list(_identity_differences(lnotes, rnotes, lname, rname, "launch_plan."))
    lform, rform = left.launch_plan_forms.get(lname), right.launch_plan_forms.get(rname)
    if lform != rform:
        report.identity.append(EntityDifference(lname, rname, "launch_plan (file form)", str(lform), str(rform)))
    return report
