"""IDL parity: what `jflyte serialize` and pyflyte emit for each pair, compared in canonical form.

Semantic differences must be exactly the ledger's entries for the pair; identity differences
are written to reports/idl/ and never fail. Launch-plan pairs compare the two launch plans and
check that they launch paired workflows; task pairs (tasks no workflow runs) compare the two
task templates.
"""

from flyte_parity import versions
from flyte_parity.idl.canonical import branch_slots
from flyte_parity.idl.compare import (
    EntityDifference, Report, compare_launch_plans, compare_tasks, compare_workflows, sub_workflows,
)
from flyte_parity.ledger import Found, check

from .serialized import load as _load


def _launch_plan_report(pair, catalogue, jvm, python) -> Report:
    for side, entities, name in (("the JVM side", jvm, pair.jvm), ("the Python twin", python, pair.python_entity)):
        assert name in entities.launch_plans, (
            f"{side} registers no launch plan {name} at flytekit-java {versions.flytekit_java()}; if it exists from "
            "a later version on, give the catalogue entry flytekit_java (and absent_why)")
    report = compare_launch_plans(jvm, pair.jvm, python, pair.python_entity)
    launched = (jvm.launch_plans[pair.jvm].workflow_id.name, python.launch_plans[pair.python_entity].workflow_id.name)
    paired = {(p.jvm, p.python_entity) for p in catalogue.pairs
              if p.kind == "workflow" and p.source == pair.source}
    if launched not in paired:
        report.semantic.append(EntityDifference(pair.jvm, pair.python_entity, "launch_plan.workflow_id (pairing)",
                                                launched[0], f"{launched[1]} (not its pair in the catalogue)"))
    return report


def test_idl_matches_ledger(idl_pair, parity_catalogue, jvm_driver, python_driver, ledger, reports_dir):
    jvm = _load(jvm_driver.serialize(idl_pair.source))
    python = _load(python_driver.serialize())
    if idl_pair.kind == "launch-plan":
        report = _launch_plan_report(idl_pair, parity_catalogue, jvm, python)
    elif idl_pair.kind == "task":
        report = compare_tasks(jvm, idl_pair.jvm, python, idl_pair.python_entity)
    else:
        report = compare_workflows(jvm, idl_pair.jvm, python, idl_pair.python_entity)

    out = reports_dir / "idl" / f"{idl_pair.id.replace('/', '__')}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "\n".join(["# semantic (jvm != python)", *map(str, report.semantic),
                   "# identity (recorded, not a difference)", *map(str, report.identity)]) + "\n",
        encoding="utf-8",
    )
    result = check(ledger, idl_pair.id, "idl", [Found(d.path, d.left, d.right) for d in report.semantic])
    assert result.ok, result.explain(idl_pair.id, "idl") + f"\n(full report: {out})"


def _upstream(catalogue, jvm_driver):
    """Each upstream JVM source with what its jflyte serialize wrote."""
    return [(s, _load(jvm_driver.serialize(s))) for s in catalogue.sources.values() if s.origin == "upstream"]


def test_every_jvm_launch_plan_is_paired(parity_catalogue, jvm_driver):
    """Each launch plan a JVM source serializes is a workflow's default one or a launch-plan pair."""
    problems = []
    for source, jvm in _upstream(parity_catalogue, jvm_driver):
        paired = {p.jvm for p in parity_catalogue.pairs if p.source == source}
        problems += [f"{source.name}: launch plan {name} is registered but not paired"
                     for name in sorted(jvm.launch_plans) if name not in paired]
    assert not problems, "\n".join(problems)


def _tasks_run_by(nodes, subs, found):
    """Every task these nodes run, inside branches and sub-workflows too."""
    for node in nodes:
        if node.WhichOneof("target") == "task_node":
            found.add(node.task_node.reference_id.name)
        _tasks_run_by([inner for _, inner in branch_slots(node)], subs, found)
        if node.workflow_node.sub_workflow_ref.name in subs:
            _tasks_run_by(subs[node.workflow_node.sub_workflow_ref.name].nodes, subs, found)
    return found


def test_every_jvm_task_is_paired_or_run_by_a_paired_workflow(parity_catalogue, jvm_driver):
    """Each task an upstream JVM source serializes runs in a paired workflow or is a task pair."""
    problems = []
    for source, jvm in _upstream(parity_catalogue, jvm_driver):
        covered = {p.jvm for p in parity_catalogue.pairs if p.source == source and p.kind == "task"}
        for pair in parity_catalogue.pairs:
            if pair.source == source and pair.kind == "workflow" and pair.jvm in jvm.workflows:
                spec = jvm.workflows[pair.jvm]
                _tasks_run_by(spec.template.nodes, sub_workflows(jvm, spec), covered)
        problems += [f"{source.name}: task {name} is registered but neither paired nor run by a paired workflow"
                     for name in sorted(jvm.tasks) if name not in covered]
    assert not problems, "\n".join(problems)
