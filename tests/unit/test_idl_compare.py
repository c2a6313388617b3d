"""The IDL core on synthetic entities: relabelling and reordering changes nothing semantic;
every single semantic change is reported at its path."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flyte_parity.idl.compare import compare_workflows
from flyte_parity.data.ledger import Divergence, check
from flyte_parity.idl.diff import Difference

from .idl_factory import NodeDef, WorkflowDef, build, fibonacci


def compare(wf: WorkflowDef, seed: int = 0, mutate=None, same_file_form: bool = True):
    """Compare the "jvm" and "python" builds of ``wf``; the launch-plan file form (a difference
    of its own, tested below) is made the same unless ``same_file_form`` is false."""
    left, lname, _, _ = build(wf, "jvm")
    right, rname, node_map, task_map = build(wf, "python", seed)
    if same_file_form:
        left.launch_plan_forms[lname] = right.launch_plan_forms[rname]
    if mutate is not None:
        mutate(right, rname, node_map, task_map)
    return compare_workflows(left, lname, right, rname)


def test_a_bare_launch_plan_spec_file_differs_from_a_launch_plan_file():
    """flytectl register files reads a launch-plan file as admin.LaunchPlan only."""
    report = compare(fibonacci(), same_file_form=False)
    assert [(d.path, d.left, d.right) for d in report.semantic] == [
        ("launch_plan (file form)", "LaunchPlanSpec", "LaunchPlan")]
    assert "launch_plan (file form)" not in {d.path for d in report.identity}


def test_relabelled_twin_has_only_identity_differences():
    report = compare(fibonacci())
    assert report.semantic == []
    paths = {d.path for d in report.identity}
    assert "workflow.template.id" in paths
    assert 'workflow.template.nodes["fib-3"].upstream_node_ids' in paths
    assert 'task["org.example.TaskSum"].template.type' in paths


@st.composite
def workflows(draw):
    """Random DAGs: each node runs its own task (so pairing is unique) and binds each input to
    a workflow input, an earlier node's output, or a constant."""
    count = draw(st.integers(1, 6))
    inputs = ["x", "y"]
    nodes, tasks = [], {}
    for i in range(count):
        arity = draw(st.integers(1, 3))
        names = [f"v{i}_{j}" for j in range(arity)]
        tasks[f"T{i}"] = names
        sources = {}
        for var in names:
            kind = draw(st.sampled_from(["in", "node", "lit"] if i else ["in", "lit"]))
            if kind == "in":
                sources[var] = ("in", draw(st.sampled_from(inputs)))
            elif kind == "node":
                sources[var] = ("node", f"node-{draw(st.integers(0, i - 1))}", "c")
            else:
                sources[var] = ("lit", draw(st.integers(-5, 5)))
        nodes.append(NodeDef(f"node-{i}", f"T{i}", sources))
    return WorkflowDef(inputs, tasks, nodes, ("node", f"node-{count - 1}", "c"))


@settings(max_examples=60, deadline=None)
@given(workflows(), st.integers(0, 10_000))
def test_any_relabelling_and_reordering_is_equal(wf, seed):
    assert compare(wf, seed).semantic == []


def _node(right, rname, node_map, left_id):
    return next(n for n in right.workflows[rname].template.nodes if n.id == node_map[left_id])


MUTATIONS = {
    "binding": (
        lambda r, n, nm, tm: setattr(_node(r, n, nm, "fib-3").inputs[0].binding.promise, "var", "fib0")
        if _node(r, n, nm, "fib-3").inputs[0].var == "a"
        else setattr(_node(r, n, nm, "fib-3").inputs[1].binding.promise, "var", "fib0"),
        'workflow.template.nodes["fib-3"].inputs["a"].binding.promise.var', "'fib1'", "'fib0'",
    ),
    "cache-version": (
        lambda r, n, nm, tm: setattr(r.tasks[tm["Sum"]].template.metadata, "discovery_version", "2"),
        'task["org.example.TaskSum"].template.metadata.discovery_version', "'1'", "'2'",
    ),
    "task-retries": (
        lambda r, n, nm, tm: setattr(r.tasks[tm["Sum"]].template.metadata.retries, "retries", 3),
        'task["org.example.TaskSum"].template.metadata.retries.retries', "0", "3",
    ),
    "node-retries": (
        lambda r, n, nm, tm: setattr(_node(r, n, nm, "fib-4").metadata.retries, "retries", 2),
        'workflow.template.nodes["fib-4"].metadata.retries.retries', "0", "2",
    ),
    "input-type": (
        lambda r, n, nm, tm: setattr(
            r.tasks[tm["Sum"]].template.interface.inputs.variables["b"].type, "simple", 2),
        'task["org.example.TaskSum"].template.interface.inputs.variables["b"].type.simple', "INTEGER", "FLOAT",
    ),
    "launch-plan-default": (
        lambda r, n, nm, tm: r.launch_plans[n].default_inputs.parameters["fib0"].default.scalar.primitive
        .__setattr__("integer", 7),
        'launch_plan.default_inputs.parameters["fib0"].behavior', "required=True",
        "default={scalar { primitive { integer: 7 } }}",
    ),
    "workflow-output": (
        lambda r, n, nm, tm: setattr(r.workflows[n].template.outputs[0].binding.promise, "node_id", nm["fib-4"]),
        'workflow.template.outputs["out"].binding.promise.node_id', "'fib-5'", "'fib-4'",
    ),
}


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_a_single_semantic_change_is_reported_at_its_path(kind):
    mutate, path, left, right = MUTATIONS[kind]
    report = compare(fibonacci(), seed=3, mutate=mutate)
    assert [(d.path, d.left, d.right) for d in report.semantic] == [(path, left, right)]


def test_an_extra_node_is_reported_unmatched():
    def add_node(right, rname, node_map, task_map):
        template = right.workflows[rname].template
        extra = template.nodes.add()
        extra.CopyFrom(_node(right, rname, node_map, "fib-5"))
        extra.id = "n99"

    report = compare(fibonacci(), mutate=add_node)
    assert [(d.path, d.left) for d in report.semantic] == [('workflow.template.nodes["n99"]', "<absent>")]


def test_identical_twin_nodes_pair_without_a_difference():
    wf = WorkflowDef(
        inputs=["x"], tasks={"T": ["a"]},
        nodes=[NodeDef("one", "T", {"a": ("in", "x")}), NodeDef("two", "T", {"a": ("in", "x")}),
               NodeDef("sum", "T", {"a": ("node", "two", "c")})],
        output=("node", "sum", "c"),
    )
    for seed in range(5):
        assert compare(wf, seed).semantic == []


def test_a_seeded_change_in_the_python_twin_fails_against_the_ledger():
    """What `make parity` does for a pair, on synthetic entities: the ledger explains the known
    divergence; a changed twin (cache version) adds one it does not explain."""
    ledger = [Divergence("fib/x", "idl", 'task["org.example.TaskSum"].template.metadata.retries.retries',
                         "task-retries", "0", "3", "why", "source")]
    known = MUTATIONS["task-retries"][0]
    report = compare(fibonacci(), mutate=known)
    found = [Difference(d.path, d.left, d.right) for d in report.semantic]
    assert check(ledger, "fib/x", "idl", found).ok

    def changed(r, n, nm, tm):
        known(r, n, nm, tm)
        MUTATIONS["cache-version"][0](r, n, nm, tm)

    report = compare(fibonacci(), mutate=changed)
    result = check(ledger, "fib/x", "idl", [Difference(d.path, d.left, d.right) for d in report.semantic])
    assert not result.ok
    assert [f.path for f in result.unexpected] == ['task["org.example.TaskSum"].template.metadata.discovery_version']
    assert "not in the ledger" in result.explain("fib/x", "idl")


def test_a_ledger_entry_that_no_longer_reproduces_fails():
    ledger = [Divergence("fib/x", "idl", "workflow.template.nodes[\"fib-2\"].metadata.retries.retries",
                         "node-retries", "<absent>", "2", "why", "source")]
    result = check(ledger, "fib/x", "idl", [])
    assert not result.ok and result.stale == tuple(ledger)
    assert "no longer reproduce" in result.explain("fib/x", "idl")


@settings(max_examples=60, deadline=None)
@given(workflows(), st.integers(0, 10_000), st.data())
def test_any_changed_binding_is_reported_at_that_binding(wf, seed, data):
    node = data.draw(st.sampled_from(wf.nodes))
    var = data.draw(st.sampled_from(sorted(node.inputs)))

    def mutate(right, rname, node_map, task_map):
        target = _node(right, rname, node_map, node.id)
        binding = next(b for b in target.inputs if b.var == var)
        binding.binding.Clear()
        binding.binding.scalar.primitive.integer = 99

    report = compare(wf, seed, mutate)
    assert len(report.semantic) == 1, [str(d) for d in report.semantic]
    assert report.semantic[0].path.startswith(f'workflow.template.nodes["{node.id}"].inputs["{var}"].binding')
    assert "99" in report.semantic[0].right
