"""Compares paired workflows (with their tasks and default launch plans) of two entity sets.

Nodes are aligned by structure; tasks are paired through the aligned nodes that run them;
canonical forms are then diffed field by field. Semantic differences and identity differences
come back separately: only the first can fail a comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from flyteidl.admin import workflow_pb2 as admin_workflow_pb2
from flyteidl.core import workflow_pb2

from flyte_parity.idl.align import align_nodes
from flyte_parity.idl.canonical import (
    Note,
    branch_slots,
    canonical_launch_plan,
    canonical_launch_plan_closure,
    canonical_task,
    canonical_workflow,
    interface_signature,
    placeholder_mismatches,
)
from flyte_parity.idl.diff import ABSENT, Difference, diff_messages
from flyte_parity.idl.entities import EntitySet


def between(lname: str, rname: str, path: str, left: str, right: str) -> Difference:
    """A difference within the entities ``lname`` (left) and ``rname`` (right)."""
    return Difference(path, left, right, lname, rname)


@dataclass
class Report:
    semantic: list[Difference] = field(default_factory=list)
    identity: list[Difference] = field(default_factory=list)

    def extend(self, other: "Report") -> None:
        self.semantic.extend(other.semantic)
        self.identity.extend(other.identity)


def _identity_differences(left: list[Note], right: list[Note], lname: str, rname: str, prefix: str):
    lmap, rmap = {n.path: n.value for n in left}, {n.path: n.value for n in right}
    for path in sorted(set(lmap) | set(rmap)):
        lval, rval = lmap.get(path, ABSENT), rmap.get(path, ABSENT)
        if lval != rval:
            yield between(lname, rname, f"{prefix}{path}", lval, rval)


PLACEHOLDER = "registration placeholder"
# flytekit-java 0.4 names a node the user did not name "w" + four random letters + "-n<k>", new
# for every build of the workflow (SdkNodeNamePolicy).
_RANDOM_NODE_ID = re.compile(r"^w[a-z]{4}-(n\d+)$")
_RANDOM_NODE = re.compile(r'nodes\["(w[a-z]{4}-n\d+)"\]')


def stable_node_id(node_id: str) -> str:
    """A JVM node id as reports show it: flytekit-java 0.4's random prefix (``w`` and four random
    letters, new for every workflow object: SdkNodeNamePolicy) written as ``w????``."""
    return _RANDOM_NODE_ID.sub(r"w????-\1", node_id)


def stable_path(path: str) -> str:
    """A path with flytekit-java's random node-id prefixes written ``w????``, so that it names
    the same field in every run."""
    return _RANDOM_NODE.sub(lambda match: f'nodes["{stable_node_id(match.group(1))}"]', path)


def placeholder_differences(left: list[Note], right: list[Note], lname: str, rname: str, prefix: str):
    """The identifiers set aside as identity still have their registration placeholders compared:
    a placeholder in a field it does not fill in (``domain: "{{ registration.version }}"``) is a
    semantic difference, at ``<id path>.<field> (registration placeholder)`` (a stable path)."""
    lmap = {n.path: n.id_fields for n in left if n.id_fields is not None}
    rmap = {n.path: n.id_fields for n in right if n.id_fields is not None}
    for path in sorted(set(lmap) | set(rmap)):
        for name, lval, rval in placeholder_mismatches(lmap.get(path), rmap.get(path)):
            yield between(lname, rname, stable_path(f"{prefix}{path}.{name} ({PLACEHOLDER})"), lval, rval)


def _task_ref(node: workflow_pb2.Node) -> str | None:
    return node.task_node.reference_id.name if node.WhichOneof("target") == "task_node" else None


def _sub_workflow_ref(node: workflow_pb2.Node) -> str | None:
    if node.WhichOneof("target") == "workflow_node" and node.workflow_node.WhichOneof("reference") == "sub_workflow_ref":
        return node.workflow_node.sub_workflow_ref.name
    return None


def sub_workflows(entities: EntitySet, spec: admin_workflow_pb2.WorkflowSpec) -> dict[str, workflow_pb2.WorkflowTemplate]:
    """The sub-workflow templates a workflow spec can reference, by name: those it embeds, then
    the entity set's own workflows."""
    found = {name: s.template for name, s in entities.workflows.items()}
    found.update({t.id.name: t for t in spec.sub_workflows})
    return found


def task_signature(entities: EntitySet, subs: dict[str, workflow_pb2.WorkflowTemplate] | None = None):
    """For node alignment: what a node runs, as its task's (or sub-workflow's) interface; None
    for other nodes."""

    def signature(node: workflow_pb2.Node):
        ref = _task_ref(node)
        if ref is not None and ref in entities.tasks:
            return interface_signature(entities.tasks[ref].template.interface)
        sub = _sub_workflow_ref(node)
        if sub is not None and subs is not None and sub in subs:
            return interface_signature(subs[sub].interface)
        return None

    return signature


def _task_metadata(entities: EntitySet):
    def metadata(node: workflow_pb2.Node):
        ref = _task_ref(node)
        if ref is not None and ref in entities.tasks:
            return entities.tasks[ref].template.metadata
        return None

    return metadata


def branch_pairs(lnode: workflow_pb2.Node, rnode: workflow_pb2.Node) -> Iterator[tuple[workflow_pb2.Node, workflow_pb2.Node]]:
    """The nodes inside two aligned branch nodes, paired by position (case, other cases, else),
    recursively. A branch is positional: its cases are tried in order."""
    right = dict(branch_slots(rnode))
    for where, left in branch_slots(lnode):
        if where in right:
            yield left, right[where]
            yield from branch_pairs(left, right[where])


@dataclass(frozen=True)
class _Side:
    entities: EntitySet
    name: str
    spec: admin_workflow_pb2.WorkflowSpec
    subs: dict[str, workflow_pb2.WorkflowTemplate]


def compare_workflows(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Compare one workflow pair, its sub-workflows, the tasks their aligned nodes run, and its
    default launch plans."""
    lspec, rspec = left.workflows[lname], right.workflows[rname]
    lside = _Side(left, lname, lspec, sub_workflows(left, lspec))
    rside = _Side(right, rname, rspec, sub_workflows(right, rspec))
    report = Report()
    compared: set[tuple[str, ...]] = set()
    _compare_template(lside, lspec, rside, rspec, "workflow.", report, compared)
    report.extend(_compare_default_launch_plans(left, lname, right, rname))
    return report


def _compare_template(lside: _Side, lspec, rside: _Side, rspec, prefix: str, report: Report,
                      compared: set[tuple[str, ...]]) -> None:
    """One (sub-)workflow template pair, then the tasks and sub-workflows its node pairs run."""
    lname, rname = lside.name, rside.name
    alignment = align_nodes(lspec.template, rspec.template, task_signature(lside.entities, lside.subs),
                            task_signature(rside.entities, rside.subs))
    lnodes = {n.id: n for n in lspec.template.nodes}
    rnodes = {n.id: n for n in rspec.template.nodes}
    reverse = {r: l for l, r in alignment.pairs.items()}
    left_ids = set(lnodes)
    node_pairs = []  # aligned top-level nodes, and the nodes inside aligned branches
    for lid, rid in sorted(alignment.pairs.items()):
        node_pairs.append((lnodes[lid], rnodes[rid]))
        node_pairs += list(branch_pairs(lnodes[lid], rnodes[rid]))

    def rename_right(node_id: str) -> str:
        if node_id in reverse:
            return reverse[node_id]
        return f"{node_id} (right only)" if node_id in left_ids else node_id

    lcanon, lnotes = canonical_workflow(lspec, lambda n: n, _task_metadata(lside.entities))
    rcanon, rnotes = canonical_workflow(rspec, rename_right, _task_metadata(rside.entities))
    report.semantic += [
        between(lname, rname, f"{prefix}template.{d.path}", d.left, d.right)
        for d in diff_messages(lcanon, rcanon)
    ]
    report.semantic += list(placeholder_differences(lnotes, rnotes, lname, rname, prefix))
    report.identity += list(_identity_differences(lnotes, rnotes, lname, rname, prefix))
    partner = {rnode.id: lnode.id for lnode, rnode in node_pairs}  # branch nodes too: admin connects them

    def rename_connected(node_id: str) -> str:
        return partner.get(node_id, rename_right(node_id))

    report.semantic += _compare_connections(lside, lspec, rside, rspec, rename_connected, prefix)
    report.extend(_compare_tasks(lside.entities, rside.entities, node_pairs, prefix, lname, rname, compared))
    for lsub, rsub in _partners(node_pairs, _sub_workflow_ref, "workflow_node (sub-workflow pairing)", prefix,
                                lname, rname, report):
        if (lsub, rsub) in compared:
            continue
        compared.add((lsub, rsub))
        if lsub not in lside.subs or rsub not in rside.subs:
            missing = lsub if lsub not in lside.subs else rsub
            report.semantic.append(between(lname, rname, f'sub_workflows["{lsub}"]', "present",
                                                    f"{missing} not serialized"))
            continue
        _compare_template(lside, admin_workflow_pb2.WorkflowSpec(template=lside.subs[lsub]),
                          rside, admin_workflow_pb2.WorkflowSpec(template=rside.subs[rsub]),
                          f'sub_workflows["{lsub}"].', report, compared)


def _compare_connections(lside: _Side, lspec, rside: _Side, rspec, rename_right, prefix: str) -> list[Difference]:
    """The node connections FlyteAdmin compiled for two aligned templates (when it compiled
    them), right node ids renamed to their left partners: which node runs after which."""
    lconn = lside.entities.connections.get(lspec.template.id.name)
    rconn = rside.entities.connections.get(rspec.template.id.name)
    if lconn is None and rconn is None:
        return []
    found = []
    for direction in ("upstream", "downstream"):
        left = {node: sorted(ids.ids) for node, ids in getattr(lconn, direction).items()} if lconn is not None else {}
        right = ({rename_right(node): sorted(rename_right(i) for i in ids.ids)
                  for node, ids in getattr(rconn, direction).items()} if rconn is not None else {})
        for node in sorted(set(left) | set(right)):
            if left.get(node) != right.get(node):
                found.append(between(
                    lside.name, rside.name, f'{prefix}connections.{direction}["{node}"]',
                    repr(left[node]) if node in left else ABSENT, repr(right[node]) if node in right else ABSENT))
    return found


def _partners(node_pairs, reference, what: str, prefix: str, lname: str, rname: str, report: Report):
    """Pair what aligned nodes run (tasks or sub-workflows) by name; running one left entity as
    two different right ones is a difference."""
    partners: dict[str, str] = {}
    for lnode, rnode in node_pairs:
        lref, rref = reference(lnode), reference(rnode)
        if lref is None or rref is None:
            continue
        if partners.setdefault(lref, rref) != rref:
            report.semantic.append(between(
                lname, rname, f'{prefix}template.nodes["{lnode.id}"].{what}',
                lref, f"{rref} (but {lref} also runs as {partners[lref]})",
            ))
    return sorted(partners.items())


def _compare_tasks(left: EntitySet, right: EntitySet, node_pairs, prefix: str, lname: str, rname: str,
                   compared: set[tuple[str, ...]]) -> Report:
    """The task pairs the node pairs run, each compared once per workflow pair."""
    report = Report()
    for lref, rref in _partners(node_pairs, _task_ref, "task_node (task pairing)", prefix, lname, rname, report):
        if ("task", lref, rref) in compared:
            continue
        compared.add(("task", lref, rref))
        if lref not in left.tasks or rref not in right.tasks:
            missing = lref if lref not in left.tasks else rref
            report.semantic.append(between(lref, rref, "task", "present", f"{missing} not serialized"))
            continue
        ltemplate, lnotes = canonical_task(left.tasks[lref])
        rtemplate, rnotes = canonical_task(right.tasks[rref])
        task_prefix = f'task["{lref}"].'
        report.semantic += [
            between(lref, rref, f"{task_prefix}template.{d.path}", d.left, d.right)
            for d in diff_messages(ltemplate, rtemplate)
        ]
        report.semantic += list(placeholder_differences(lnotes, rnotes, lref, rref, task_prefix))
        report.identity += list(_identity_differences(lnotes, rnotes, lref, rref, task_prefix))
    return report


def _compare_default_launch_plans(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Each side's launch plan named like its workflow (the default one), if any."""
    lplan, rplan = left.launch_plans.get(lname), right.launch_plans.get(rname)
    if lplan is None and rplan is None:
        return Report()
    if lplan is None or rplan is None:
        return Report(semantic=[between(
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
        between(lname, rname, f"launch_plan.{d.path}", d.left, d.right) for d in diff_messages(lcanon, rcanon)
    ]
    report.semantic += list(placeholder_differences(lnotes, rnotes, lname, rname, "launch_plan."))
    report.identity += list(_identity_differences(lnotes, rnotes, lname, rname, "launch_plan."))
    lclosure, rclosure = left.launch_plan_closures.get(lname), right.launch_plan_closures.get(rname)
    if lclosure is not None and rclosure is not None:  # read back from FlyteAdmin
        lcanon, lnotes = canonical_launch_plan_closure(lclosure)
        rcanon, rnotes = canonical_launch_plan_closure(rclosure)
        report.semantic += [between(lname, rname, f"launch_plan.closure.{d.path}", d.left, d.right)
                            for d in diff_messages(lcanon, rcanon)]
        report.identity += list(_identity_differences(lnotes, rnotes, lname, rname, "launch_plan."))
    lform, rform = left.launch_plan_forms.get(lname), right.launch_plan_forms.get(rname)
    if lform != rform:  # flytectl register files reads a launch-plan file as admin.LaunchPlan only
        report.semantic.append(between(lname, rname, "launch_plan (file form)", str(lform), str(rform)))
    return report


def compare_tasks(left: EntitySet, lname: str, right: EntitySet, rname: str) -> Report:
    """Compare one task pair directly (a task that no paired workflow runs)."""
    if lname not in left.tasks or rname not in right.tasks:
        missing = lname if lname not in left.tasks else rname
        return Report(semantic=[between(lname, rname, "task", "present", f"{missing} not serialized")])
    return _compare_tasks(left, right, [(_node_running(lname), _node_running(rname))], "", lname, rname, set())


def _node_running(task: str) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id="task")
    node.task_node.reference_id.name = task
    return node


def single_task_workflow(entities: EntitySet, task: str) -> tuple[EntitySet, str]:
    """The entity set plus a workflow that runs ``task`` once, each input bound from the
    workflow's input of the same name and each output exposed; returns it and its name. Lets a
    task pair run through the workflow walk."""
    template = workflow_pb2.WorkflowTemplate()
    name = f"single-task:{task}"
    template.id.name = name
    interface = entities.tasks[task].template.interface
    template.interface.CopyFrom(interface)
    node = template.nodes.add()
    node.CopyFrom(_node_running(task))
    for var in sorted(interface.inputs.variables):
        binding = node.inputs.add(var=var)
        binding.binding.promise.node_id = "start-node"
        binding.binding.promise.var = var
    for var in sorted(interface.outputs.variables):
        binding = template.outputs.add(var=var)
        binding.binding.promise.node_id = "task"
        binding.binding.promise.var = var
    wrapped = EntitySet(entities.origin, dict(entities.tasks), dict(entities.workflows),
                        dict(entities.launch_plans), dict(entities.launch_plan_forms))
    wrapped.workflows[name] = admin_workflow_pb2.WorkflowSpec(template=template)
    return wrapped, name
