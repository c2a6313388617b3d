"""IDL parity: what `jflyte serialize` and pyflyte emit for each pair, compared in canonical form.

Semantic differences must be exactly the ledger's entries for the pair; identity differences
are written to reports/idl/ and never fail. Launch-plan pairs compare the two launch plans and
check that they launch paired workflows; task pairs (tasks no workflow runs) compare the two
task templates.
"""

from flyte_parity.idl.canonical import branch_slots
from flyte_parity.idl.compare import sub_workflows
from flyte_parity.data.ledger import Found, check

from .pair_report import pair_report, write_report
from .serialized import load as _load


def test_idl_matches_ledger(idl_pair, parity_catalogue, jvm_driver, python_driver, ledger, reports_dir):
    jvm = _load(jvm_driver.serialize(idl_pair.source))
    python = _load(python_driver.serialize())
    report = pair_report(idl_pair, parity_catalogue, jvm, python)
    out = write_report(reports_dir / "idl" / f"{idl_pair.id.replace('/', '__')}.txt", report)
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
