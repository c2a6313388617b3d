"""What a data plane did with one execution, as a tree, and two such trees compared (pure).

A ``Run`` is an execution that reached a terminal phase: its phase, error (code, kind, message),
outputs, and its nodes. A ``NodeRun`` is one node execution: what kind of node it was (task,
dynamic, parent — a branch or sub-workflow —, launch plan), its phase, inputs and outputs as admin
returned them, its error, the cache status propeller reported, the phase of each task attempt, and
its children (the nodes a branch, sub-workflow or dynamic task ran), and for a launch plan node the
child execution's phase and outputs.

Node ids are each SDK's own (``n0`` on one side, ``fib-2`` on the other): they are identity, and
paths show them with flytekit-java's random prefixes as ``w????``. Nodes of one level are paired by
what they are and what they received — kind, then canonical inputs, then canonical outputs, then
phase, cache status, attempts and number of children — and compared pairwise (a branch node's inputs by their values only: their names are the
local names each SDK's conditions read, identity as in the IDL comparison); a level with a different number of
nodes on the two sides is one difference listing both. Error messages are compared by their class
(``message_class``): the exception or error name a message starts with, not its text, which names
each SDK's own files and ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flyteidl.core import literals_pb2
from google.protobuf import text_format

from flyte_parity.idl.compare import stable_node_id
from flyte_parity.idl.diff import Difference, diff_messages
from flyte_parity.idl.literals import canonical_literal_map


@dataclass(frozen=True)
class Failure:
    code: str
    kind: str  # USER, SYSTEM, UNKNOWN
    message: str

    @property
    def message_class(self) -> str:
        return message_class(self.message)


@dataclass(frozen=True)
class NodeRun:
    node_id: str
    kind: str  # task, dynamic, parent (a sub-workflow), branch, launch plan
    phase: str
    inputs: literals_pb2.LiteralMap | None = None
    outputs: literals_pb2.LiteralMap | None = None
    error: Failure | None = None
    cache: str = ""  # CatalogCacheStatus name, "" when none was reported
    attempts: tuple[str, ...] = ()  # each task attempt's phase, in order
    children: tuple["NodeRun", ...] = ()
    child_execution: "Run | None" = None  # a launch plan node's execution
    spec_node_id: str = ""  # the node's id in the workflow (or sub-workflow) it belongs to


@dataclass(frozen=True)
class Run:
    phase: str
    outputs: literals_pb2.LiteralMap | None = None
    error: Failure | None = None
    nodes: tuple[NodeRun, ...] = ()
    name: str = ""  # the execution's name: identity
    extra: dict = field(default_factory=dict)  # side notes for the report (pod commands, ...)


_CLASS = re.compile(r"([A-Za-z_][\w.$]*(?:Error|Exception|Exit|Failure|Interrupt))\b")


def message_class(message: str) -> str:
    """The first exception or error name in ``message`` (``java.lang.NullPointerException``,
    ``ValueError``, ``USER:RuntimeError``'s ``RuntimeError``), else its first line up to a colon."""
    found = _CLASS.search(message or "")
    if found:
        return found.group(1)
    first = next((line.strip() for line in (message or "").splitlines() if line.strip()), "")
    return first.split(":", 1)[0][:80]


def outcome(run: Run) -> str:
    """One line: the phase, and for a failure its kind and message class."""
    if run.error is None:
        return run.phase
    return f"{run.phase}: {run.error.kind}: {run.error.message_class}"


def _text(literals: literals_pb2.LiteralMap | None) -> str:
    """The literals in canonical form on one line ("" for none)."""
    return "" if literals is None else text_format.MessageToString(canonical_literal_map(literals), as_one_line=True)


def _values(literals: literals_pb2.LiteralMap | None) -> str:
    """A branch node's input values, without their (SDK-chosen) names, in a stable order."""
    if literals is None:
        return "<none>"
    canonical = canonical_literal_map(literals)
    return "; ".join(sorted(text_format.MessageToString(value, as_one_line=True)
                            for value in canonical.literals.values())) or "<none>"


def _names(literals: literals_pb2.LiteralMap | None) -> str:
    return ", ".join(sorted(literals.literals)) if literals is not None else "<none>"


def _order(node: NodeRun) -> tuple[str, ...]:
    inputs = _values(node.inputs) if node.kind == "branch" else _text(node.inputs)
    return (node.kind, inputs, _text(node.outputs), node.phase, node.cache, ",".join(node.attempts),
            str(len(node.children)))


def _short(node: NodeRun) -> str:
    return f"{node.kind} {node.phase}"


def _literals(path: str, left, right) -> list[Difference]:
    if left is None and right is None:
        return []
    if left is None or right is None:
        return [Difference(path, "<absent>" if left is None else "present", "<absent>" if right is None else "present")]
    return [Difference(f"{path}.{d.path}", d.left, d.right)
            for d in diff_messages(canonical_literal_map(left), canonical_literal_map(right))]


def _failure(path: str, left: Failure | None, right: Failure | None) -> list[Difference]:
    view = lambda f: "<none>" if f is None else f"{f.kind} {f.code} {f.message_class}"
    return [] if view(left) == view(right) else [Difference(path, view(left), view(right))]


def _value(path: str, left, right) -> list[Difference]:
    return [] if left == right else [Difference(path, str(left), str(right))]


def compare_nodes(path: str, jvm: tuple[NodeRun, ...], python: tuple[NodeRun, ...]) -> tuple[list[Difference], list[Difference]]:
    """(semantic, identity) differences of two levels of nodes, paired as the module says."""
    if len(jvm) != len(python):
        return ([Difference(f"{path} (count)", ", ".join(map(_short, sorted(jvm, key=_order))) or "<none>",
                            ", ".join(map(_short, sorted(python, key=_order))) or "<none>")], [])
    semantic: list[Difference] = []
    identity: list[Difference] = []
    for left, right in zip(sorted(jvm, key=_order), sorted(python, key=_order)):
        at = f"{path}[{stable_node_id(left.node_id)}~{stable_node_id(right.node_id)}]"
        identity += _value(f"{at}.node_id", left.node_id, right.node_id)
        semantic += _value(f"{at}.kind", left.kind, right.kind)
        semantic += _value(f"{at}.phase", left.phase, right.phase)
        semantic += _failure(f"{at}.error", left.error, right.error)
        if left.kind == right.kind == "branch":  # local names its conditions read: identity (as in the IDL)
            semantic += _value(f"{at}.inputs (values)", _values(left.inputs), _values(right.inputs))
            identity += _value(f"{at}.inputs (names)", _names(left.inputs), _names(right.inputs))
        else:
            semantic += _literals(f"{at}.inputs", left.inputs, right.inputs)
        semantic += _literals(f"{at}.outputs", left.outputs, right.outputs)
        semantic += _value(f"{at}.cache", left.cache or "<none>", right.cache or "<none>")
        semantic += _value(f"{at}.attempts", ", ".join(left.attempts) or "<none>", ", ".join(right.attempts) or "<none>")
        if left.error is not None and right.error is not None:
            identity += _value(f"{at}.error.message", left.error.message, right.error.message)
        deeper = compare_nodes(f"{at}.nodes", left.children, right.children)
        semantic += deeper[0]
        identity += deeper[1]
        if left.child_execution is not None or right.child_execution is not None:
            if left.child_execution is None or right.child_execution is None:
                semantic.append(Difference(f"{at}.execution", "present" if left.child_execution else "<absent>",
                                           "present" if right.child_execution else "<absent>"))
            else:
                child = compare_runs(left.child_execution, right.child_execution, f"{at}.execution")
                semantic += child[0]
                identity += child[1]
    return semantic, identity


def compare_runs(jvm: Run, python: Run, path: str = "execution") -> tuple[list[Difference], list[Difference]]:
    """(semantic, identity) differences of two finished executions. When their outcomes differ
    (one failed, one succeeded; or failures of another kind or class), that outcome is the one
    semantic difference — what follows from it (outputs missing, nodes not run) is not repeated."""
    identity = _value(f"{path}.name", jvm.name, python.name)
    if jvm.error is not None and python.error is not None:
        identity += _value(f"{path}.error.message", jvm.error.message, python.error.message)
    if outcome(jvm) != outcome(python):
        return [Difference(f"{path} (outcome)", outcome(jvm), outcome(python))], identity
    semantic = _failure(f"{path}.error", jvm.error, python.error)
    semantic += _literals(f"{path}.outputs", jvm.outputs, python.outputs)
    nodes = compare_nodes(f"{path}.nodes", jvm.nodes, python.nodes)
    return semantic + nodes[0], identity + nodes[1]


def describe(run: Run, indent: str = "") -> list[str]:
    """The run as report lines: outcome, outputs, then each node (ids included) with its children."""
    lines = [f"{indent}{outcome(run)}  outputs: {_text(run.outputs) or '-'}"]
    if run.error is not None:
        lines += [f"{indent}  | {line}" for line in run.error.message.splitlines()[:40]]
    for node in sorted(run.nodes, key=_order):
        lines += _describe_node(node, indent + "  ")
    return lines


def _describe_node(node: NodeRun, indent: str) -> list[str]:
    error = f" error: {node.error.kind} {node.error.code} {node.error.message_class}" if node.error else ""
    cache = f" cache: {node.cache}" if node.cache else ""
    attempts = f" attempts: {', '.join(node.attempts)}" if node.attempts else ""
    lines = [f"{indent}{node.node_id} ({node.kind}) {node.phase}{cache}{attempts}{error}",
             f"{indent}  in: {_text(node.inputs) or '-'}  out: {_text(node.outputs) or '-'}"]
    if node.error is not None:
        lines += [f"{indent}  | {line}" for line in node.error.message.splitlines()[:40]]
    for child in sorted(node.children, key=_order):
        lines += _describe_node(child, indent + "  ")
    if node.child_execution is not None:
        lines += describe(node.child_execution, indent + "  ")
    return lines
