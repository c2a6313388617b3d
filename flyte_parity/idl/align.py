"""Pairs the nodes of two workflows by structure, not by node id or statement order.

A node's structural label is what it runs (its kind and the signature of its target, given by
the caller) and where each of its inputs comes from (a workflow input, a constant, or an output
of an upstream node, itself named by that node's label). Nodes with equal labels pair first.
Nodes left over pair, in dependency order, with the candidate of the same kind whose inputs
agree most under the pairs found so far, so that one changed field is reported on the right
node instead of making everything downstream unmatched. What still has no partner is unmatched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Hashable

from flyteidl.core import literals_pb2, workflow_pb2

from flyte_parity.idl.canonical import START_NODE, data_dependencies
from flyte_parity.idl.canonical import promises as promises_of

Signature = Callable[[workflow_pb2.Node], Hashable]


@dataclass(frozen=True)
class Alignment:
    pairs: dict[str, str]  # left node id -> right node id
    left_only: tuple[str, ...]
    right_only: tuple[str, ...]


def _kind(node: workflow_pb2.Node) -> str:
    return node.WhichOneof("target") or "none"


def _dependencies(node: workflow_pb2.Node) -> set[str]:
    return set(node.upstream_node_ids) | data_dependencies(node)


def topological_order(nodes: dict[str, workflow_pb2.Node]) -> list[str]:
    """Node ids so that every node comes after those it depends on; ties by id. Cycles raise."""
    pending = {nid: {d for d in _dependencies(n) if d in nodes} for nid, n in nodes.items()}
    order: list[str] = []
    while pending:
        ready = sorted(nid for nid, deps in pending.items() if not deps)
        if not ready:
            raise ValueError(f"workflow nodes form a cycle: {sorted(pending)}")
        for nid in ready:
            order.append(nid)
            del pending[nid]
        for deps in pending.values():
            deps.difference_update(ready)
    return order


def _shape(binding: literals_pb2.BindingData, name: Callable[[str], str]) -> tuple:
    kind = binding.WhichOneof("value")
    if kind == "promise":
        node = binding.promise.node_id
        return ("promise", START_NODE if node in ("", START_NODE) else name(node), binding.promise.var)
    if kind == "collection":
        return ("collection", tuple(_shape(b, name) for b in binding.collection.bindings))
    if kind == "map":
        return ("map", tuple((k, _shape(binding.map.bindings[k], name)) for k in sorted(binding.map.bindings)))
    if kind == "scalar":
        return ("scalar", binding.scalar.SerializeToString(deterministic=True))
    return (kind or "none",)


def _operand(operand: workflow_pb2.Operand, shapes: dict[str, tuple]) -> tuple:
    kind = operand.WhichOneof("val")
    if kind == "var":
        return ("var", shapes.get(operand.var, ("unbound", operand.var)))
    return (kind or "none", getattr(operand, kind).SerializeToString(deterministic=True) if kind else b"")


def _condition(expression: workflow_pb2.BooleanExpression, shapes: dict[str, tuple]) -> tuple:
    kind = expression.WhichOneof("expr")
    if kind == "comparison":
        c = expression.comparison
        return ("cmp", c.operator, _operand(c.left_value, shapes), _operand(c.right_value, shapes))
    if kind == "conjunction":
        c = expression.conjunction
        return ("conj", c.operator, _condition(c.left_expression, shapes), _condition(c.right_expression, shapes))
    return ("none",)


def _inputs_key(node: workflow_pb2.Node, name: Callable[[str], str]) -> tuple:
    """What a node's inputs are bound to, by variable. A branch node's variables are local names
    its conditions read (jflyte ``$0``, flytekit ``.x``), so for a branch the key is what its
    conditions compare, with each variable replaced by what it is bound to."""
    if _kind(node) != "branch_node":
        return tuple(sorted((b.var, _shape(b.binding, name)) for b in node.inputs))
    shapes = {b.var: _shape(b.binding, name) for b in node.inputs}
    block = node.branch_node.if_else
    cases = tuple(_condition(c.condition, shapes) for c in [block.case, *block.other])
    return ("branch", tuple(sorted(shapes.values())), cases, block.HasField("else_node"))


def structural_labels(template: workflow_pb2.WorkflowTemplate, signature: Signature) -> dict[str, str]:
    """A label per node id that does not depend on ids or statement order."""
    nodes = {n.id: n for n in template.nodes}
    labels: dict[str, str] = {}
    for nid in topological_order(nodes):
        node = nodes[nid]
        data = data_dependencies(node)
        inputs = _inputs_key(node, labels.__getitem__)
        explicit = tuple(sorted(labels[d] for d in set(node.upstream_node_ids) - data if d in labels))
        key = repr((_kind(node), signature(node), inputs, explicit)).encode()
        labels[nid] = hashlib.sha256(key).hexdigest()[:16]
    return labels


def downstream_labels(template: workflow_pb2.WorkflowTemplate, forward: dict[str, str]) -> dict[str, str]:
    """A label per node that adds how its outputs are used (by which nodes, as which inputs, and
    as which workflow outputs), so that twins with the same inputs but different consumers part."""
    nodes = {n.id: n for n in template.nodes}
    uses: dict[str, list[tuple]] = {nid: [] for nid in nodes}
    for binding in template.outputs:
        for promise in promises_of(binding.binding):
            if promise.node_id in uses:
                uses[promise.node_id].append(("output", binding.var, promise.var))
    labels: dict[str, str] = {}
    for nid in reversed(topological_order(nodes)):
        node = nodes[nid]
        for binding in node.inputs:
            for promise in promises_of(binding.binding):
                if promise.node_id in uses:
                    uses[promise.node_id].append(("node", nid, binding.var, promise.var))
    for nid in reversed(topological_order(nodes)):
        resolved = sorted(
            (use[0], labels.get(use[1], forward.get(use[1], use[1])) if use[0] == "node" else use[1], *use[2:])
            for use in uses[nid]
        )
        labels[nid] = hashlib.sha256(repr((forward[nid], resolved)).encode()).hexdigest()[:16]
    return labels


def _pair_by(lkeys: dict[str, str], rkeys: dict[str, str], pairs: dict[str, str]) -> None:
    """Pair still-unpaired nodes whose keys are equal (ties by id order)."""
    taken = set(pairs.values())
    by_key: dict[str, list[str]] = {}
    for rid in sorted(rkeys):
        if rid not in taken:
            by_key.setdefault(rkeys[rid], []).append(rid)
    for lid in sorted(lkeys):
        if lid in pairs:
            continue
        candidates = by_key.get(lkeys[lid])
        if candidates:
            pairs[lid] = candidates.pop(0)


def align_nodes(
    left: workflow_pb2.WorkflowTemplate,
    right: workflow_pb2.WorkflowTemplate,
    left_signature: Signature,
    right_signature: Signature,
) -> Alignment:
    """Pair the nodes of two workflows; see the module docstring."""
    lnodes, rnodes = {n.id: n for n in left.nodes}, {n.id: n for n in right.nodes}
    llabels = structural_labels(left, left_signature)
    rlabels = structural_labels(right, right_signature)
    pairs: dict[str, str] = {}
    _pair_by(downstream_labels(left, llabels), downstream_labels(right, rlabels), pairs)
    _pair_by(llabels, rlabels, pairs)

    # Leftovers: best agreement of inputs under the pairs so far, same kind, in dependency order.
    changed = True
    while changed:
        changed = False
        taken = set(pairs.values())
        for lid in topological_order(lnodes):
            if lid in pairs:
                continue
            best: tuple[tuple[int, int], str] | None = None
            for rid in sorted(set(rnodes) - taken):
                if _kind(lnodes[lid]) != _kind(rnodes[rid]):
                    continue
                score = _agreement(lnodes[lid], rnodes[rid], pairs, left_signature, right_signature)
                if best is None or score > best[0]:
                    best = (score, rid)
            if best is not None:
                pairs[lid] = best[1]
                taken.add(best[1])
                changed = True
    matched_right = set(pairs.values())
    return Alignment(
        pairs,
        tuple(sorted(set(lnodes) - set(pairs))),
        tuple(sorted(set(rnodes) - matched_right)),
    )


def _agreement(lnode, rnode, pairs: dict[str, str], lsig: Signature, rsig: Signature) -> tuple[int, int]:
    """(inputs bound alike under the current pairs, same target signature). Branch nodes
    agree by what their conditions compare (see _inputs_key), not by variable names."""
    left_name, right_name = (lambda n: pairs.get(n, f"left:{n}")), (lambda n: n)
    if _kind(lnode) == "branch_node":
        lkey, rkey = _inputs_key(lnode, left_name), _inputs_key(rnode, right_name)
        common = len(set(lkey[1]) & set(rkey[1])) + sum(a == b for a, b in zip(lkey[2], rkey[2]))
        return (common, int(lsig(lnode) == rsig(rnode)))
    lshapes = {b.var: _shape(b.binding, left_name) for b in lnode.inputs}
    rshapes = {b.var: _shape(b.binding, right_name) for b in rnode.inputs}
    alike = sum(1 for var, shape in lshapes.items() if rshapes.get(var) == shape)
    return (alike, int(lsig(lnode) == rsig(rnode)))
