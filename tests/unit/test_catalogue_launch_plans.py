"""[[launch_plans]] catalogue entries: launch-plan pairs, their modes and reasons (their own, or
what the modes and the SDKs' declared limits say), per-pair pending modes, and how the matrix
shows a pending mode."""

from pathlib import Path

import pytest

from flyte_parity.data.catalogue import parse_catalogue
from flyte_parity.base.errors import UsageError
from flyte_parity.modes import registry
from flyte_parity.reports.matrix import Column, build, render


def resolved(data):
    return registry.resolve(parse_catalogue(data, Path("/r")), "0.4.62", "1.16.31")

LP = {"name": "fib-lp", "jvm_source": "s", "registry": "org.x.FibRegistry", "jvm": "FibPlan",
      "python": "pkg.plans:fib_plan", "python_name": "FibPlanPy"}
BASE = {
    "not_applicable": {"idl": "wf: not here", "entrypoint": "wf: not here", "bad-inputs": "wf: not here",
                       "register": "wf: not here", "flytectl": "wf: not here",
                       "execution": "wf: not here"},
    "launch_plan_not_applicable": {"execute-local": "lp: no execute", "entrypoint": "lp: no task",
                                   "bad-inputs": "lp: no inputs"},
    "sources": {"s": {"lib": "jvm/x/target/lib"}},
    "inputs": {"i": {"one": {"n": 1}}},
    "pairs": [{"name": "wf", "jvm_source": "s", "jvm": "a.B", "python": "m:wf", "inputs": "i",
               "modes": ["execute-local"]}],
}


def with_plan(data=None, **changes):
    """BASE (or ``data``) with one launch-plan entry: LP with ``changes`` (None removes a key)."""
    entry = {k: v for k, v in {**LP, **changes}.items() if v is not None}
    return {**(data or BASE), "launch_plans": [entry]}


def plan_of(catalogue):
    (plan,) = [p for p in catalogue.pairs if p.kind == "launch-plan"]
    return plan


def test_a_launch_plan_entry_is_a_launch_plan_pair():
    plan = plan_of(resolved(with_plan()))
    assert plan.id == "fib-lp/s"
    assert plan.modes == ("idl", "register", "flytectl", "execution")
    assert plan.registry == "org.x.FibRegistry" and plan.jvm_class == "org.x.FibRegistry"
    assert plan.jvm == "FibPlan" and plan.python == "pkg.plans:fib_plan"
    assert plan.python_name == "FibPlanPy" and plan.python_entity == "FibPlanPy"
    assert dict(plan.inputs) == {} and plan.entrypoint_inputs == ()


def test_launch_plan_reasons_come_from_launch_plan_not_applicable_only():
    catalogue = parse_catalogue(with_plan(), Path("/r"))
    assert dict(plan_of(catalogue).not_applicable) == BASE["launch_plan_not_applicable"]
    assert dict(plan_of(catalogue).pending) == {}
    (workflow,) = [p for p in catalogue.pairs if p.kind == "workflow"]
    assert dict(workflow.not_applicable) == BASE["not_applicable"]


def test_a_workflow_pair_keeps_module_dot_attribute_as_its_entity_and_jvm_class():
    """The launch-plan overrides (registry, python_name) do not leak into workflow pairs."""
    (workflow,) = [p for p in parse_catalogue(with_plan(), Path("/r")).pairs if p.kind == "workflow"]
    assert workflow.jvm_class == "a.B" and workflow.python_entity == "m.wf"


def test_a_launch_plan_only_catalogue_is_accepted_and_runs_in_idl():
    catalogue = resolved(with_plan({**BASE, "pairs": []}))
    assert [p.id for p in catalogue.pairs_in("idl")] == ["fib-lp/s"]
    assert catalogue.pairs_in("execute-local") == []


def test_a_per_plan_not_applicable_overrides_the_shared_reason():
    plan = plan_of(parse_catalogue(with_plan(not_applicable={"entrypoint": "own reason"}), Path("/r")))
    assert plan.not_applicable["entrypoint"] == "own reason"
    assert plan.not_applicable["bad-inputs"] == "lp: no inputs"


@pytest.mark.parametrize("key", ["name", "jvm_source", "registry", "jvm", "python", "python_name"])
def test_a_missing_key_is_refused_by_name(key):
    with pytest.raises(UsageError) as err:
        parse_catalogue(with_plan(**{key: None}), Path("/r"))
    assert f"lacks {key}; add them" in str(err.value)
    assert "launch plan #1" in str(err.value)


def test_an_unknown_source_is_refused():
    with pytest.raises(UsageError, match="unknown jvm_source 'nope'"):
        parse_catalogue(with_plan(jvm_source="nope"), Path("/r"))


@pytest.mark.parametrize("modes, words", [
    (["idl", "entrypoint"], "lists mode entrypoint, which it cannot run (a launch plan runs no task of its own"),
    (["idl", "execute-local"], "lists mode execute-local, which it cannot run (jflyte execute-local runs workflows, "
                               "not launch plans)"),
    (["teleport"], "names unknown modes ['teleport']")])
def test_a_mode_a_launch_plan_cannot_run_is_refused(modes, words):
    with pytest.raises(UsageError) as err:
        resolved(with_plan(modes=modes))
    assert words in str(err.value)


def test_reasons_a_plan_does_not_give_come_from_the_modes_and_the_sdk_limits():
    data = {**BASE, "launch_plan_not_applicable": {}}
    plan = plan_of(resolved(with_plan(data)))
    assert plan.modes == ("idl", "register", "flytectl", "execution")
    assert plan.not_applicable == {"execute-local": "jflyte execute-local runs workflows, not launch plans",
                                   "entrypoint": registry.get("entrypoint").refuses["launch-plan"],
                                   "bad-inputs": registry.get("bad-inputs").refuses["launch-plan"]}


def test_a_mode_without_run_or_reason_is_refused():
    data = {**BASE, "not_applicable": {k: v for k, v in BASE["not_applicable"].items() if k != "register"}}
    with pytest.raises(UsageError, match=r"mode register is neither run nor given a reason"):
        resolved(data)


def test_pending_stands_in_for_a_missing_not_applicable_reason():
    data = {**BASE, "launch_plan_not_applicable": {"entrypoint": "x", "bad-inputs": "x"}}
    plan = plan_of(parse_catalogue(with_plan(data, pending={"execute-local": "runner not built"}), Path("/r")))
    assert dict(plan.pending) == {"execute-local": "runner not built"}
    assert "execute-local" not in plan.not_applicable


def test_pending_replaces_a_shared_not_applicable_reason():
    plan = plan_of(parse_catalogue(with_plan(pending={"entrypoint": "later"}), Path("/r")))
    assert dict(plan.pending) == {"entrypoint": "later"}
    assert "entrypoint" not in plan.not_applicable
    assert set(plan.not_applicable) == {"execute-local", "bad-inputs"}


def test_a_mode_both_run_and_pending_is_refused():
    with pytest.raises(UsageError, match=r"modes \['idl'\] are both run and pending"):
        parse_catalogue(with_plan(modes=["idl"], pending={"idl": "why"}), Path("/r"))


def test_a_launch_plan_listed_twice_is_refused():
    data = {**BASE, "launch_plans": [LP, dict(LP)]}
    with pytest.raises(UsageError, match="pair fib-lp/s is listed twice"):
        parse_catalogue(data, Path("/r"))


def _matrix(catalogue, outcomes):
    columns = [Column(m.name, m.table, m.cells(catalogue)) for m in registry.pair_modes()]
    return build(columns, outcomes, {}, header="versions")


def test_the_matrix_shows_a_pending_mode_with_its_reason_and_counts_it():
    catalogue = resolved(with_plan(pending={"entrypoint": "needs a runner"}))
    matrix = _matrix(catalogue, {("fib-lp/s", "idl"): ["passed"], ("fib-lp/s", "register"): ["passed"],
                                 ("fib-lp/s", "flytectl"): ["passed"], ("fib-lp/s", "execution"): ["passed"],
                                 ("wf/s", "execute-local"): ["passed"]})
    cells = matrix["cells"]["fib-lp/s"]
    assert [cells[m]["kind"] for m in matrix["tables"]["pairs"]["columns"]] == [
        "n/a", "same", "pending", "n/a", "same", "same", "same"]
    assert cells["entrypoint"]["reason"] == "needs a runner"
    # wf/s: same + 6 n/a; fib-lp/s: 4 same, pending, 2 n/a
    assert matrix["counts"]["pending"] == 1 and matrix["counts"]["same"] == 5 and matrix["counts"]["n/a"] == 8
    text = render(matrix)
    assert "| fib-lp/s | n/a [2] | same | pending [3] | n/a [4] | same | same | same |" in text
    assert "3. needs a runner" in text


def test_a_pending_mode_is_pending_even_without_outcomes():
    """A pending mode is not 'not run': the reason is the cell."""
    matrix = _matrix(resolved(with_plan(pending={"entrypoint": "needs a runner"})), {})
    cells = matrix["cells"]["fib-lp/s"]
    assert [cells[m]["kind"] for m in matrix["tables"]["pairs"]["columns"]] == [
        "n/a", "not run", "pending", "n/a", "not run", "not run", "not run"]
    assert matrix["counts"]["pending"] == 1 and matrix["counts"]["not run"] == 5


def test_pending_needs_a_known_mode_and_a_reason():
    base = {
        "sources": {"s": {"lib": "x"}},
        "inputs": {"i": {"one": {}}},
        "not_applicable": {"execute-local": "r", "bad-inputs": "r", "register": "r", "flytectl": "r", "execution": "r"},
    }
    pair = {"name": "a", "jvm_source": "s", "jvm": "A", "python": "m:a", "inputs": "i", "modes": ["idl"]}
    with pytest.raises(UsageError, match=r"names unknown modes \['teleport'\]"):
        resolved({**base, "pairs": [{**pair, "pending": {"entrypoint": "later", "teleport": "x"}}]})
    with pytest.raises(UsageError, match=r"modes \['entrypoint'\] need a reason"):
        parse_catalogue({**base, "pairs": [{**pair, "pending": {"entrypoint": " "}}]}, Path("/r"))
