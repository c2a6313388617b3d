"""One pair's entities compared (as serialized, or as read back from FlyteAdmin): a workflow with
its tasks, sub-workflows and default launch plan; a launch plan, and that it launches paired
workflows; or a task. Shared by the IDL, register and flytectl modes."""

from __future__ import annotations

from flyte_parity.base import versions
from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import Catalogue, Pair
from flyte_parity.idl.compare import Report, between, compare_launch_plans, compare_tasks, compare_workflows
from flyte_parity.idl.entities import EntitySet


class MissingEntity(Exception):
    """A side does not hold the pair's entity at all; the message says what to fix."""


def holds(entities: EntitySet, pair: Pair, name: str) -> bool:
    kind = {"launch-plan": entities.launch_plans, "task": entities.tasks}.get(pair.kind, entities.workflows)
    return name in kind


def pair_report(pair: Pair, catalogue: Catalogue, entities: Sides[EntitySet]) -> Report:
    jvm, python = entities
    if pair.kind == "task":
        return compare_tasks(jvm, pair.jvm, python, pair.python_entity)
    if pair.kind == "workflow":
        return compare_workflows(jvm, pair.jvm, python, pair.python_entity)
    for side, held, name in (("the JVM side", jvm, pair.jvm), ("the Python twin", python, pair.python_entity)):
        if name not in held.launch_plans:
            raise MissingEntity(
                f"{side} registers no launch plan {name} at flytekit-java {versions.flytekit_java()}; if it exists "
                "from a later version on, give the catalogue entry flytekit_java (and absent_why)")
    report = compare_launch_plans(jvm, pair.jvm, python, pair.python_entity)
    launched = (jvm.launch_plans[pair.jvm].workflow_id.name, python.launch_plans[pair.python_entity].workflow_id.name)
    paired = {(p.jvm, p.python_entity) for p in catalogue.pairs if p.kind == "workflow" and p.source == pair.source}
    if launched not in paired:
        report.semantic.append(between(pair.jvm, pair.python_entity, "launch_plan.workflow_id (pairing)",
                                                launched[0], f"{launched[1]} (not its pair in the catalogue)"))
    return report


def report_lines(report: Report, header: list[str] = ()) -> list[str]:
    """Semantic differences, then identity differences (recorded, never failing)."""
    return [*header, "# semantic (jvm != python)", *map(str, report.semantic),
            "# identity (recorded, not a difference)", *map(str, report.identity)]
