"""The entities one serialization produced, or one registration left in FlyteAdmin: tasks,
workflows and launch plans by name (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2


@dataclass
class EntitySet:
    """What one `jflyte serialize` or pyflyte package holds, keyed by entity name; read back from
    FlyteAdmin it also holds what admin compiled and filled in."""

    origin: str
    tasks: dict[str, task_pb2.TaskSpec] = field(default_factory=dict)
    workflows: dict[str, workflow_pb2.WorkflowSpec] = field(default_factory=dict)
    launch_plans: dict[str, launch_plan_pb2.LaunchPlanSpec] = field(default_factory=dict)
    # How each launch plan was written: "LaunchPlan" (id + spec, pyflyte) or "LaunchPlanSpec" (bare, jflyte).
    launch_plan_forms: dict[str, str] = field(default_factory=dict)
    # From FlyteAdmin only: each compiled (sub-)workflow's node connections, by template name, and
    # each launch plan's closure (expected inputs and outputs, state).
    connections: dict[str, compiler_pb2.ConnectionSet] = field(default_factory=dict)
    launch_plan_closures: dict[str, launch_plan_pb2.LaunchPlanClosure] = field(default_factory=dict)
