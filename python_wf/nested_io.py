"""Twins of the upstream Scala NestedIOWorkflow (flytekit-java 0.4), its two tasks and the launch
plan ``NestedIOWorkflowLaunchPlan`` its LaunchPlanRegistry registers.

NestedIOTask returns its inputs ``name`` (a string) and ``generic`` (a case class ``Nested``)
unchanged; NestedIOTaskNoop does the same with NestedIOTask's outputs. The workflow runs one after
the other and outputs nothing; the JVM node ids are generated, so the twin keeps flytekit's
generated ones. The launch plan gives both inputs defaults: ``yo`` and a fully populated Nested.

flytekit-scala declares a case class as a bare STRUCT (no schema), so the twin declares
``generic`` as ``dict``, flytekit's bare STRUCT; a dataclass would add a JSON schema and field
types the JVM side does not declare. The default below is the Scala one field for field (Scala
numbers are struct numbers, None is null); flytekit-scala also writes each case class's class name
into its struct under ``__type``, an SDK detail the twin does not copy."""

from typing import NamedTuple

from flytekit import LaunchPlan, task, workflow

NestedIO = NamedTuple("NestedIO", [("name", str), ("generic", dict)])


@task
def nested_io_task(name: str, generic: dict) -> NestedIO:
    return NestedIO(name=name, generic=generic)


@task
def nested_io_task_noop(name: str, generic: dict) -> NestedIO:
    return NestedIO(name=name, generic=generic)


@workflow
def nested_io_wf(name: str, generic: dict) -> None:
    first = nested_io_task(name=name, generic=generic)
    nested_io_task_noop(name=first.name, generic=first.generic)


def _world() -> dict:
    return {"double": 7.0, "nested": {"string": "world"}}


NESTED_DEFAULT = {
    "boolean": True,
    "byte": 1,
    "short": 2,
    "int": 3,
    "long": 4,
    "float": 5.0,
    "double": 6.0,
    "string": "hello",
    "list": ["1", "2"],
    "listOfNested": [_world()],
    "map": {"1": "1", "2": "2"},
    "mapOfNested": {"foo": _world()},
    "optBoolean": False,
    "optByte": None,
    "optList": ["3", "4"],
    "optMap": {"3": "3", "4": "4"},
    "nested": _world(),
}

nested_io_lp = LaunchPlan.get_or_create(
    nested_io_wf, name="NestedIOWorkflowLaunchPlan", default_inputs={"name": "yo", "generic": NESTED_DEFAULT})
