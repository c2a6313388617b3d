"""Registration placeholders in identifiers: ids are identity, but a placeholder in a field it
does not fill in (jflyte's ``domain: "{{ registration.version }}"``) is a semantic difference,
wherever the id sits (task and workflow templates, nodes, branches, sub-workflows, launch plans)."""

from __future__ import annotations

import itertools

import pytest
from flyteidl.core import identifier_pb2, workflow_pb2
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

from flyte_parity.idl.canonical import (
    EMPTY,
    REGISTRATION_FIELDS,
    canonical_node,
    canonical_task,
    identifier_fields,
    misplaced_placeholders,
    own_placeholder,
    placeholder_mismatches,
)
from flyte_parity.idl.compare import compare_launch_plans, compare_workflows, placeholder_differences, stable_path
from flyte_parity.idl.diff import ABSENT
from flyte_parity.idl.walk import message_children

from .idl_factory import build, fibonacci
from .test_compare_structure import NO_TASKS, SAME, sub_entities, task_spec
from .test_idl_compare import workflows

FIELDS = ("project", "domain", "name", "version", "org")
JFLYTE = {"project": own_placeholder("project"), "domain": own_placeholder("version"),
          "version": own_placeholder("domain")}  # what jflyte serialize writes
SUFFIX = " (registration placeholder)"


def fields(**values: str) -> tuple[tuple[str, str], ...]:
    """An identifier's text fields as canonical notes carry them (unset ones empty)."""
    return tuple((name, values.get(name, "")) for name in FIELDS)


def set_ids(message: Message, values: dict[str, str]) -> None:
    """Write ``values`` into every identifier set anywhere in ``message``."""
    for field, value in message.ListFields():
        for child in message_children(field, value):
            if child.DESCRIPTOR.full_name == "flyteidl.core.Identifier":
                for name, text in values.items():
                    setattr(child, name, text)
            else:
                set_ids(child, values)


def set_all_ids(entities, values: dict[str, str]) -> None:
    for spec in [*entities.tasks.values(), *entities.workflows.values(), *entities.launch_plans.values()]:
        set_ids(spec, values)


def semantic(report) -> list[tuple[str, str, str]]:
    return sorted((d.path, d.left, d.right) for d in report.semantic)


# ---------------------------------------------------------------- the rule, field by field


@pytest.mark.parametrize("field, target", itertools.product(FIELDS, [*FIELDS, "unknown"]))
def test_a_placeholder_is_in_place_only_in_the_field_it_names(field, target):
    misplaced = misplaced_placeholders({field: f"{{{{ registration.{target} }}}}"})
    in_place = field in REGISTRATION_FIELDS and target == field
    assert misplaced == ([] if in_place else [field])


@pytest.mark.parametrize("value", ["{{registration.domain}}", "{{  registration.domain  }}",
                                   "x-{{ registration.domain }}", "{{ registration.domain }}-x",
                                   "{{ registration.domain }}{{ registration.domain }}"])
def test_a_placeholder_not_written_exactly_is_misplaced(value):
    """flytectl replaces a field only when it equals the placeholder exactly."""
    assert misplaced_placeholders({"domain": value}) == ["domain"]


@pytest.mark.parametrize("value", ["", "development", "v1", "{{ .input }}", "{{ registration }}", "registration.domain"])
def test_other_values_are_no_placeholders(value):
    assert misplaced_placeholders({name: value for name in FIELDS}) == []


def test_jflytes_ids_have_domain_and_version_misplaced():
    assert misplaced_placeholders(dict(fields(name="org.example.Wf", **JFLYTE))) == ["domain", "version"]


def test_identifier_fields_are_its_text_fields_empty_ones_included():
    identifier = identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="t", domain="d")
    found = dict(identifier_fields(identifier))
    assert {"project": "", "domain": "d", "name": "t", "version": ""}.items() <= found.items()
    assert "resource_type" not in found


# ---------------------------------------------------------------- the rule, two sides


def test_a_swap_against_pyflytes_empty_id_is_reported_field_by_field():
    assert placeholder_mismatches(fields(**JFLYTE), fields(name="py.wf")) == [
        ("domain", own_placeholder("version"), EMPTY), ("version", own_placeholder("domain"), EMPTY)]


def test_a_swap_against_placeholders_in_place_shows_both():
    right = fields(**{f: own_placeholder(f) for f in REGISTRATION_FIELDS})
    assert placeholder_mismatches(fields(**JFLYTE), right) == [
        ("domain", own_placeholder("version"), own_placeholder("domain")),
        ("version", own_placeholder("domain"), own_placeholder("version"))]


def test_a_side_without_the_identifier_shows_absent():
    assert placeholder_mismatches(fields(**JFLYTE), None) == [
        ("domain", own_placeholder("version"), ABSENT), ("version", own_placeholder("domain"), ABSENT)]
    assert placeholder_mismatches(None, fields(domain=own_placeholder("project"))) == [
        ("domain", ABSENT, own_placeholder("project"))]


def test_the_same_misplacement_on_both_sides_is_no_difference():
    assert placeholder_mismatches(fields(**JFLYTE), fields(**JFLYTE)) == []


def test_placeholders_in_place_or_none_are_no_difference():
    own = fields(**{f: own_placeholder(f) for f in REGISTRATION_FIELDS})
    for left, right in [(own, fields(name="x")), (fields(project="p"), fields()), (own, None), (None, None)]:
        assert placeholder_mismatches(left, right) == []


# ---------------------------------------------------------------- properties

PLACEHOLDERS = st.sampled_from([f"{{{{ registration.{t} }}}}" for t in [*FIELDS, "x"]])
PLAIN = st.text(st.characters(blacklist_characters="{}"), max_size=8)


@st.composite
def identifiers(draw, misplace: bool = True):
    """An identifier's text fields: plain text, the field's own placeholder, or (with
    ``misplace``) any placeholder."""
    values = {}
    for name in FIELDS:
        choices = [PLAIN] + ([st.just(own_placeholder(name))] if name in REGISTRATION_FIELDS else [])
        values[name] = draw(st.one_of(*choices, *([PLACEHOLDERS] if misplace else [])))
    return fields(**values)


@settings(max_examples=200, deadline=None)
@given(identifiers())
def test_any_identifier_equals_itself(identifier):
    assert placeholder_mismatches(identifier, identifier) == []


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), identifiers()), st.one_of(st.none(), identifiers()))
def test_the_rule_is_symmetric(left, right):
    forward = placeholder_mismatches(left, right)
    backward = placeholder_mismatches(right, left)
    assert sorted(forward) == sorted((name, lval, rval) for name, rval, lval in backward)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), identifiers(misplace=False)), st.one_of(st.none(), identifiers(misplace=False)))
def test_ids_without_a_misplaced_placeholder_never_differ(left, right):
    assert placeholder_mismatches(left, right) == []


@settings(max_examples=200, deadline=None)
@given(identifiers(), st.one_of(st.none(), identifiers()))
def test_every_field_reported_is_misplaced_on_a_side_and_differs(left, right):
    misplaced = set(misplaced_placeholders(dict(left))) | set(misplaced_placeholders(dict(right or ())))
    for name, lval, rval in placeholder_mismatches(left, right):
        assert name in misplaced and lval != rval


@pytest.mark.parametrize("order", list(itertools.permutations(REGISTRATION_FIELDS)))
def test_any_permutation_of_the_placeholders_reports_the_moved_ones(order):
    written = {field: own_placeholder(target) for field, target in zip(REGISTRATION_FIELDS, order)}
    moved = [field for field, target in zip(REGISTRATION_FIELDS, order) if field != target]
    assert [name for name, _, _ in placeholder_mismatches(fields(**written), fields())] == moved


# ---------------------------------------------------------------- through the comparison


def fibonacci_pair(jvm_ids: dict[str, str] | None = None, python_ids: dict[str, str] | None = None):
    left, lname, _, _ = build(fibonacci(), "jvm")
    right, rname, _, _ = build(fibonacci(), "python")
    left.launch_plan_forms[lname] = right.launch_plan_forms[rname]
    set_all_ids(left, jvm_ids or {})
    set_all_ids(right, python_ids or {})
    return left, lname, right, rname


FIB_IDS = ["workflow.template.id", "launch_plan.workflow_id",
           *(f'workflow.template.nodes["{n}"].task_node.reference_id' for n in ("fib-2", "fib-3", "fib-4", "fib-5"))]


def test_jflytes_swap_is_reported_at_every_id_of_a_workflow_and_its_launch_plan():
    report = compare_workflows(*fibonacci_pair(JFLYTE))
    assert semantic(report) == sorted(
        (f"{path}.{name}{SUFFIX}", own_placeholder(other), EMPTY)
        for path in FIB_IDS for name, other in (("domain", "version"), ("version", "domain")))
    assert {d.path for d in report.identity} >= set(FIB_IDS)  # the ids themselves stay identity


def test_placeholders_in_place_leave_ids_identity():
    report = compare_workflows(*fibonacci_pair({f: own_placeholder(f) for f in REGISTRATION_FIELDS}))
    assert report.semantic == []
    assert {d.path for d in report.identity} >= set(FIB_IDS)


def test_a_misplacement_on_the_python_side_is_reported_too():
    report = compare_workflows(*fibonacci_pair(python_ids={"project": own_placeholder("domain")}))
    misplaced = own_placeholder("domain")
    assert semantic(report) == sorted([
        *((f"{path}.project{SUFFIX}", EMPTY, misplaced) for path in FIB_IDS),
        (f'task["org.example.TaskSum"].template.id.project{SUFFIX}', ABSENT, misplaced),  # jflyte writes no task id
    ])


def test_a_task_template_id_is_checked():
    left, lname, right, rname = fibonacci_pair()
    left.tasks["org.example.TaskSum"].template.id.CopyFrom(
        identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="org.example.TaskSum", **JFLYTE))
    report = compare_workflows(left, lname, right, rname)
    assert semantic(report) == [
        (f'task["org.example.TaskSum"].template.id.domain{SUFFIX}', own_placeholder("version"), EMPTY),
        (f'task["org.example.TaskSum"].template.id.version{SUFFIX}', own_placeholder("domain"), EMPTY)]
    assert {(d.left_entity, d.right_entity) for d in report.semantic} == {("org.example.TaskSum", "py.tasks.t_Sum")}


def test_a_launch_plan_compared_on_its_own_is_checked():
    left, lname, right, rname = fibonacci_pair(JFLYTE)
    report = compare_launch_plans(left, lname, right, rname)
    assert [d.path for d in report.semantic] == [f"launch_plan.workflow_id.{f}{SUFFIX}" for f in ("domain", "version")]


def test_sub_workflows_branches_and_their_tasks_are_checked():
    left, lname = sub_entities("jvm")
    right, rname = sub_entities("python")
    set_all_ids(left, {"domain": own_placeholder("version")})
    report = compare_workflows(left, lname, right, rname)
    assert [d.path for d in report.semantic] == [f"{path}.domain{SUFFIX}" for path in [
        "workflow.template.id",
        'workflow.template.nodes["call-x"].workflow_node.sub_workflow_ref',
        'workflow.template.nodes["decide"].branch_node.if_else.case.then_node.task_node.reference_id',
        'task["L.B"].template.id',
        'sub_workflows["L.sub"].template.id',
        'sub_workflows["L.sub"].template.nodes["inner"].task_node.reference_id',
        'task["L.T"].template.id',
    ]]


def test_a_launch_plan_reference_in_a_node_is_checked():
    node = workflow_pb2.Node(id="call")
    node.workflow_node.launchplan_ref.CopyFrom(identifier_pb2.Identifier(name="lp", **JFLYTE))
    notes: list = []
    canonical_node(node, SAME, NO_TASKS, "here", notes)
    found = list(placeholder_differences(notes, [], "l", "r", ""))
    assert [(d.path, d.left, d.right) for d in found] == [
        (f"here.workflow_node.launchplan_ref.domain{SUFFIX}", own_placeholder("version"), ABSENT),
        (f"here.workflow_node.launchplan_ref.version{SUFFIX}", own_placeholder("domain"), ABSENT)]


def test_only_identifiers_carry_their_fields_in_notes():
    spec = task_spec("T", ["a"])
    spec.template.id.domain = "d"
    _, notes = canonical_task(spec)
    carried = {n.path: n.id_fields for n in notes}
    assert dict(carried["template.id"])["domain"] == "d"
    assert carried["template.type"] is None


@settings(max_examples=40, deadline=None)
@given(workflows(), st.integers(0, 10_000), st.permutations(REGISTRATION_FIELDS))
def test_any_workflow_reports_exactly_the_moved_placeholders_at_each_id(wf, seed, order):
    left, lname, _, _ = build(wf, "jvm")
    right, rname, _, _ = build(wf, "python", seed)
    left.launch_plan_forms[lname] = right.launch_plan_forms[rname]
    set_all_ids(left, {field: own_placeholder(target) for field, target in zip(REGISTRATION_FIELDS, order)})
    moved = [field for field, target in zip(REGISTRATION_FIELDS, order) if field != target]
    ids = ["workflow.template.id", "launch_plan.workflow_id",
           *(f'workflow.template.nodes["{n.id}"].task_node.reference_id' for n in wf.nodes)]
    report = compare_workflows(left, lname, right, rname)
    assert sorted(d.path for d in report.semantic) == sorted(f"{i}.{f}{SUFFIX}" for i in ids for f in moved)


# ---------------------------------------------------------------- stable paths


@pytest.mark.parametrize("path, shown", [
    ('workflow.template.nodes["wabcd-n0"].task_node.reference_id.domain', 'workflow.template.nodes["w????-n0"].task_node.reference_id.domain'),
    ('sub_workflows["S"].template.nodes["wqzxy-n12"].x', 'sub_workflows["S"].template.nodes["w????-n12"].x'),
    ('workflow.template.nodes["fib-2"].x', 'workflow.template.nodes["fib-2"].x'),
    ('workflow.template.nodes["wabcde-n0"].x', 'workflow.template.nodes["wabcde-n0"].x'),
    ('workflow.template.nodes["wabcd-n0-x"].x', 'workflow.template.nodes["wabcd-n0-x"].x'),
])
def test_random_node_prefixes_are_written_stably(path, shown):
    assert stable_path(path) == shown


def test_a_placeholder_at_a_randomly_named_node_has_a_stable_path():
    node = workflow_pb2.Node(id="wkxyz-n3")
    node.task_node.reference_id.CopyFrom(identifier_pb2.Identifier(name="t", **JFLYTE))
    notes: list = []
    canonical_node(node, SAME, NO_TASKS, 'template.nodes["wkxyz-n3"]', notes)
    assert [d.path for d in placeholder_differences(notes, [], "l", "r", "workflow.")] == [
        f'workflow.template.nodes["w????-n3"].task_node.reference_id.{f}{SUFFIX}' for f in ("domain", "version")]
