"""One pair's comparison report from two entity sets (serialized, or read back from FlyteAdmin),
shared by the IDL and register tests, and where it is written."""

from pathlib import Path

from flyte_parity.base import versions
from flyte_parity.idl.compare import (
    EntityDifference,
    Report,
    compare_launch_plans,
    compare_tasks,
    compare_workflows,
)


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


def pair_report(pair, catalogue, jvm, python) -> Report:
    """Compare a pair's entities: a workflow (its tasks, sub-workflows, default launch plan), a
    launch plan (and that it launches paired workflows) or a task."""
    if pair.kind == "launch-plan":
        return _launch_plan_report(pair, catalogue, jvm, python)
    if pair.kind == "task":
        return compare_tasks(jvm, pair.jvm, python, pair.python_entity)
    return compare_workflows(jvm, pair.jvm, python, pair.python_entity)


def write_report(path: Path, report: Report, extra: list[str] = ()) -> Path:
    """Semantic differences, then identity differences (recorded, never failing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join([*extra, "# semantic (jvm != python)", *map(str, report.semantic),
                   "# identity (recorded, not a difference)", *map(str, report.identity)]) + "\n",
        encoding="utf-8",
    )
    return path
