"""IDL parity: what `jflyte serialize` and pyflyte emit for each pair, compared in canonical form.

Semantic differences must be exactly the ledger's entries for the pair; identity differences
are written to reports/idl/ and never fail. Launch-plan pairs compare the two launch plans and
check that they launch paired workflows.
"""

from flyte_parity.idl.compare import EntityDifference, compare_launch_plans, compare_workflows, Report
from flyte_parity.ledger import Found, check

from .serialized import load as _load


def _launch_plan_report(pair, catalogue, jvm, python) -> Report:
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


def test_every_jvm_launch_plan_is_paired(parity_catalogue, jvm_driver):
    """Each launch plan a JVM source serializes is a workflow's default one or a launch-plan pair."""
    problems = []
    for source in parity_catalogue.sources.values():
        if source.origin != "upstream":
            continue
        jvm = _load(jvm_driver.serialize(source))
        paired = {p.jvm for p in parity_catalogue.pairs if p.source == source}
        problems += [f"{source.name}: launch plan {name} is registered but not paired"
                     for name in sorted(jvm.launch_plans) if name not in paired]
    assert not problems, "\n".join(problems)
