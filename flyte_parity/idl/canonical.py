"""Canonical forms of Flyte IDL entities: identity fields set aside, semantics kept.

Every function returns a canonical copy plus the identity notes it removed (path and value), so
identity is still reported, separately, and never counted as a difference. An identifier's note
also carries its fields: a registration placeholder in a field it does not fill in is compared
(placeholder_mismatches). docs/idl-normalisation.md lists each rule and why it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2 as admin_workflow_pb2
from flyteidl.core import errors_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2, workflow_pb2
from google.protobuf.message import Message

from flyte_parity.idl.diff import ABSENT, render
from flyte_parity.idl.walk import message_children

START_NODE = "start-node"
RAW_CONTAINER = "raw-container"  # the task type of a plain container task (no SDK entrypoint)


IdFields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Note:
    """An identity field that was set aside: where, and its value; for an identifier, also its
    text fields (``id_fields``), whose registration placeholders are still compared."""

    path: str
    value: str
    id_fields: IdFields | None = None


IDENTIFIER = "flyteidl.core.Identifier"
REGISTRATION_FIELDS = ("project", "domain", "version")  # what registration fills in, by name
_PLACEHOLDER = re.compile(r"\{\{\s*registration\.")
EMPTY = "<empty>"


def identifier_fields(identifier: Message) -> IdFields:
    """An identifier's text fields (project, domain, name, version, ...), empty ones included."""
    return tuple((f.name, getattr(identifier, f.name)) for f in identifier.DESCRIPTOR.fields
                 if f.type == f.TYPE_STRING and not f.is_repeated)


def own_placeholder(field: str) -> str:
    """The registration placeholder that fills in an identifier field: ``{{ registration.domain }}``."""
    return f"{{{{ registration.{field} }}}}"


def misplaced_placeholders(fields: Mapping[str, str]) -> list[str]:
    """The identifier fields holding a registration placeholder other than their own, as
    written: registration (flytectl's ``hydrateIdentifier``) fills in project, domain and
    version each only from exactly its own placeholder, and any other field from none."""
    return [name for name, value in fields.items()
            if _PLACEHOLDER.search(value) and not (name in REGISTRATION_FIELDS and value == own_placeholder(name))]


def placeholder_mismatches(left: IdFields | None, right: IdFields | None) -> list[tuple[str, str, str]]:
    """(field, left value, right value) for each field of two paired identifiers where one side
    holds a misplaced registration placeholder and the sides differ. An identifier a side lacks
    shows as <absent>, an empty field as <empty>."""
    lmap, rmap = dict(left or ()), dict(right or ())
    fields = dict.fromkeys([*misplaced_placeholders(lmap), *misplaced_placeholders(rmap)])
    shown = [(name, _shown(left, lmap, name), _shown(right, rmap, name)) for name in fields]
    return [(name, lval, rval) for name, lval, rval in shown if lval != rval]


def _shown(fields: IdFields | None, values: Mapping[str, str], name: str) -> str:
    if fields is None or name not in values:
        return ABSENT
    return values[name] or EMPTY


Rename = Callable[[str], str]


def copy_message(message: Message) -> Message:
    """A copy of ``message``: canonical forms never change what they were given."""
    clone = type(message)()
    clone.CopyFrom(message)
    return clone


def set_aside(message: Message, name: str, path: str, notes: list[Note]) -> None:
    """Record a field's value as identity and clear it."""
    field = message.DESCRIPTOR.fields_by_name[name]
    value = getattr(message, name)
    if field.is_repeated:
        present = len(value) > 0
        shown = render(list(value)) if field.type != field.TYPE_MESSAGE else "[" + ", ".join(render(v) for v in value) + "]"
    elif field.type == field.TYPE_MESSAGE:
        present = message.HasField(name)
        shown = render(value)
    else:
        present = value != field.default_value
        shown = render(value)
    if present:
        is_id = field.type == field.TYPE_MESSAGE and not field.is_repeated and field.message_type.full_name == IDENTIFIER
        notes.append(Note(f"{path}.{name}" if path else name, shown, identifier_fields(value) if is_id else None))
    message.ClearField(name)


def prune_empty(message: Message) -> None:
    """Clear every singular flyteidl sub-message (outside oneofs) that holds nothing once pruned.

    An empty flyteidl message and an absent one mean the same to Flyte (all defaults). Kept as
    they are: oneof members (which member is set is meaningful) and google.protobuf types
    (BoolValue, Duration, ...), whose presence Flyte reads: generates_deck=false is not unset.
    """
    for field, value in list(message.ListFields()):
        for child in message_children(field, value):
            prune_empty(child)
        if field.type == field.TYPE_MESSAGE and not field.is_repeated:
            if (
                value.ByteSize() == 0
                and field.containing_oneof is None
                and field.message_type.full_name.startswith("flyteidl.")
            ):
                message.ClearField(field.name)


def _interface(iface: interface_pb2.TypedInterface, path: str, notes: list[Note]) -> None:
    for side in ("inputs", "outputs"):
        for name in sorted(getattr(iface, side).variables):
            variable = getattr(iface, side).variables[name]
            set_aside(variable, "description", f'{path}.{side}.variables["{name}"]', notes)


def interface_signature(iface: interface_pb2.TypedInterface) -> bytes:
    """What a task's interface means (names and full types, no descriptions), as stable bytes."""
    clone = copy_message(iface)
    _interface(clone, "", [])
    return clone.SerializeToString(deterministic=True)


def canonical_task(spec: task_pb2.TaskSpec) -> tuple[tasks_pb2.TaskTemplate, list[Note]]:
    """A task template with its identity (name, type, SDK image and entrypoint command, runtime,
    staged jars, descriptions) set aside.

    A ``raw-container`` task's image, command and args are the user's program, not an SDK's
    entrypoint, so they stay semantic there (and so does the type)."""
    notes: list[Note] = []
    template = copy_message(spec.template)
    raw_container = template.type == RAW_CONTAINER
    if spec.HasField("description"):
        notes.append(Note("description", render(spec.description)))
    for name in ("id",) if raw_container else ("id", "type"):
        set_aside(template, name, "template", notes)
    if template.HasField("metadata"):
        set_aside(template.metadata, "runtime", "template.metadata", notes)
    if template.HasField("container") and not raw_container:
        for name in ("image", "command", "args"):
            set_aside(template.container, name, "template.container", notes)
    if "jflyte" in template.custom.fields:
        notes.append(Note('template.custom.fields["jflyte"]', render(template.custom.fields["jflyte"])))
        del template.custom.fields["jflyte"]
        if not template.custom.fields:
            template.ClearField("custom")
    _interface(template.interface, "template.interface", notes)
    prune_empty(template)
    return template, notes


def promises(binding: literals_pb2.BindingData) -> "Iterator[types_pb2.OutputReference]":
    """Every promise (output reference) inside a binding, however deeply nested."""
    kind = binding.WhichOneof("value")
    if kind == "promise":
        yield binding.promise
    elif kind == "collection":
        for item in binding.collection.bindings:
            yield from promises(item)
    elif kind == "map":
        for key in sorted(binding.map.bindings):
            yield from promises(binding.map.bindings[key])


def data_dependencies(node: workflow_pb2.Node) -> set[str]:
    """The nodes whose outputs this node's inputs read (the start node excluded)."""
    found = set()
    for item in node.inputs:
        for promise in promises(item.binding):
            if promise.node_id not in ("", START_NODE):
                found.add(promise.node_id)
    return found


def _rewrite_bindings(bindings, rename: Rename) -> None:
    for item in bindings:
        for promise in promises(item.binding):
            promise.node_id = START_NODE if promise.node_id in ("", START_NODE) else rename(promise.node_id)
    ordered = sorted((copy_message(b) for b in bindings), key=lambda b: b.var)
    del bindings[:]
    bindings.extend(ordered)


TaskMetadataOf = Callable[[workflow_pb2.Node], "tasks_pb2.TaskMetadata | None"]


def canonical_node(
    node: workflow_pb2.Node, rename: Rename, task_metadata: TaskMetadataOf, path: str, notes: list[Note],
    default_interruptible: bool = False, own_id: str | None = None,
) -> workflow_pb2.Node:
    """A node in the left workflow's id namespace, with its effective dependencies and metadata.
    ``own_id`` names a node inside a branch, whose id is positional (see _canonical_branch)."""
    clone = copy_message(node)
    clone.id = rename(node.id) if own_id is None else own_id
    if own_id is not None:
        notes.append(Note(f"{path}.id", render(node.id)))
    set_aside(clone.metadata, "name", f"{path}.metadata", notes)
    _effective_metadata(clone, task_metadata(node), default_interruptible)
    _rewrite_bindings(clone.inputs, rename)
    raw = sorted(node.upstream_node_ids)
    effective = sorted({rename(n) for n in set(node.upstream_node_ids) | data_dependencies(node)})
    if raw:
        notes.append(Note(f"{path}.upstream_node_ids", render(raw)))
    del clone.upstream_node_ids[:]
    clone.upstream_node_ids.extend(effective)
    kind = clone.WhichOneof("target")
    if kind == "task_node":
        set_aside(clone.task_node, "reference_id", f"{path}.task_node", notes)
    elif kind == "workflow_node":
        reference = clone.workflow_node.WhichOneof("reference")
        target = getattr(clone.workflow_node, reference)
        notes.append(Note(f"{path}.workflow_node.{reference}", render(target), identifier_fields(target)))
        target.Clear()
    elif kind == "branch_node":
        _branch_input_names(clone, path, notes)
        _canonical_branch(clone, rename, task_metadata, f"{path}.branch_node.if_else", notes, default_interruptible)
    prune_empty(clone)
    return clone


def _operands(expression: "workflow_pb2.BooleanExpression") -> "Iterator[workflow_pb2.Operand]":
    """Every operand of a (possibly conjunctive) branch condition."""
    if expression.WhichOneof("expr") == "comparison":
        yield expression.comparison.left_value
        yield expression.comparison.right_value
    elif expression.WhichOneof("expr") == "conjunction":
        yield from _operands(expression.conjunction.left_expression)
        yield from _operands(expression.conjunction.right_expression)


def _branch_input_names(node: workflow_pb2.Node, path: str, notes: list[Note]) -> None:
    """A branch node's inputs are local names its conditions read (jflyte: ``$0``; flytekit:
    ``.name``). Renamed consistently, by the order of what they bind, to ``$0``, ``$1``, ...;
    the written names are identity."""
    ordered = sorted(node.inputs, key=lambda b: (b.binding.SerializeToString(deterministic=True), b.var))
    names = {b.var: f"${i}" for i, b in enumerate(ordered)}
    if any(old != new for old, new in names.items()):
        notes.append(Note(f"{path}.inputs (branch variable names)", render(sorted(names))))
    for item in node.inputs:
        item.var = names[item.var]
    _rewrite_bindings(node.inputs, lambda n: n)
    block = node.branch_node.if_else
    for case in [block.case, *block.other]:
        for operand in _operands(case.condition):
            if operand.WhichOneof("val") == "var" and operand.var in names:
                operand.var = names[operand.var]


def branch_slots(node: workflow_pb2.Node) -> list[tuple[str, workflow_pb2.Node]]:
    """The nodes directly inside a branch node, by position: ("case", node), ("other[i]", node),
    ("else", node), for those that are set; empty for any other node. The nodes are the branch's
    own sub-messages, so they can be changed in place."""
    if node.WhichOneof("target") != "branch_node":
        return []
    block = node.branch_node.if_else
    cases = [("case", block.case)] + [(f"other[{i}]", c) for i, c in enumerate(block.other)]
    slots = [(where, case.then_node) for where, case in cases if case.HasField("then_node")]
    if block.HasField("else_node"):
        slots.append(("else", block.else_node))
    return slots


def _canonical_branch(node: workflow_pb2.Node, rename: Rename, task_metadata: TaskMetadataOf, path: str,
                      notes: list[Note], default_interruptible: bool) -> None:
    """Nodes inside a branch are named by position (``decide/case``, ``decide/other[0]``,
    ``decide/else``): a branch is positional, and its inner ids are a scope of their own."""
    for where, inner in branch_slots(node):
        at = f"{path}.{where}.then_node" if where != "else" else f"{path}.else_node"
        inner.CopyFrom(canonical_node(inner, rename, task_metadata, at, notes, default_interruptible,
                                      own_id=f"{node.id}/{where}"))


def _effective_metadata(
    node: workflow_pb2.Node, task: "tasks_pb2.TaskMetadata | None", default_interruptible: bool
) -> None:
    """Node metadata as what it changes relative to what the node would run with anyway.

    Retries: Flyte runs a task node with the node's retries if non-zero, else the task's; so a
    node's retries count only when non-zero and unlike its task's (the task's own retries are
    compared on the task). Interruptible: the node's if set, else the workflow's
    metadata_defaults; task metadata is read for neither this nor the timeout.
    """
    meta = node.metadata
    own = meta.retries.retries
    meta.ClearField("retries")
    if own and own != (task.retries.retries if task is not None else 0):
        meta.retries.retries = own
    interruptible = meta.interruptible if meta.WhichOneof("interruptible_value") else default_interruptible
    meta.ClearField("interruptible")
    if interruptible:
        meta.interruptible = True


def canonical_workflow(
    spec: admin_workflow_pb2.WorkflowSpec, rename: Rename, task_metadata: TaskMetadataOf
) -> tuple[workflow_pb2.WorkflowTemplate, list[Note]]:
    """A workflow template with node ids renamed into one namespace and identity set aside."""
    notes: list[Note] = []
    if spec.HasField("description"):
        notes.append(Note("description", render(spec.description)))
    template = copy_message(spec.template)
    set_aside(template, "id", "template", notes)
    _interface(template.interface, "template.interface", notes)
    interruptible = template.metadata_defaults.interruptible
    nodes = [
        canonical_node(node, rename, task_metadata, f'template.nodes["{rename(node.id)}"]', notes, interruptible)
        for node in template.nodes
    ]
    del template.nodes[:]
    template.nodes.extend(sorted(nodes, key=lambda n: n.id))
    _rewrite_bindings(template.outputs, rename)
    if template.HasField("failure_node"):
        template.failure_node.CopyFrom(
            canonical_node(template.failure_node, rename, task_metadata, "template.failure_node", notes, interruptible)
        )
    prune_empty(template)
    return template, notes


def canonical_launch_plan(
    spec: launch_plan_pb2.LaunchPlanSpec, workflow_interface: interface_pb2.TypedInterface
) -> tuple[launch_plan_pb2.LaunchPlanSpec, list[Note]]:
    """A launch plan spec as FlyteAdmin stores it, without its workflow reference (paired
    separately) and descriptions.

    FlyteAdmin completes default_inputs on create: every workflow input that is neither a
    default nor fixed becomes a required parameter of the workflow input's type. The raw
    default_inputs are kept as an identity note.
    """
    notes: list[Note] = []
    clone = copy_message(spec)
    set_aside(clone, "workflow_id", "", notes)
    raw = sorted(clone.default_inputs.parameters)
    for name in sorted(workflow_interface.inputs.variables):
        if name not in clone.default_inputs.parameters and name not in clone.fixed_inputs.literals:
            parameter = clone.default_inputs.parameters[name]
            parameter.var.type.CopyFrom(workflow_interface.inputs.variables[name].type)
            parameter.required = True
    if raw != sorted(clone.default_inputs.parameters):
        notes.append(Note("default_inputs.parameters (as written)", render(raw)))
    for name in sorted(clone.default_inputs.parameters):
        set_aside(clone.default_inputs.parameters[name].var, "description",
                   f'default_inputs.parameters["{name}"].var', notes)
    prune_empty(clone)
    return clone, notes


def canonical_launch_plan_closure(
    closure: launch_plan_pb2.LaunchPlanClosure,
) -> tuple[launch_plan_pb2.LaunchPlanClosure, list[Note]]:
    """What FlyteAdmin filled in for a launch plan (state, expected inputs and outputs), without
    its timestamps (when it was created) and with descriptions set aside as identity."""
    notes: list[Note] = []
    clone = copy_message(closure)
    clone.ClearField("created_at")
    clone.ClearField("updated_at")
    for name in sorted(clone.expected_inputs.parameters):
        set_aside(clone.expected_inputs.parameters[name].var, "description",
                   f'closure.expected_inputs.parameters["{name}"].var', notes)
    for name in sorted(clone.expected_outputs.variables):
        set_aside(clone.expected_outputs.variables[name], "description",
                   f'closure.expected_outputs.variables["{name}"]', notes)
    prune_empty(clone)
    return clone, notes


MESSAGE_PRESENT = "<message present>"


def canonical_error(document: "errors_pb2.ErrorDocument") -> "errors_pb2.ErrorDocument":
    """An error document with its message and timestamp reduced to whether there is one: the
    text is each language's exception and stack trace, the time is when it ran."""
    clone = copy_message(document)
    if clone.error.message:
        clone.error.message = MESSAGE_PRESENT
    if clone.error.HasField("timestamp"):
        clone.error.timestamp.Clear()
    return clone
