"""Twins of the upstream AllInputsWorkflow (flytekit-java 0.4): one cached task ``all-inputs`` that
returns its twelve inputs unchanged (integer, float, string, boolean, datetime, duration, a blob, a
struct, a list, a map, an empty list and an empty map), run on constants; the workflow outputs
what the task returns. AllInputsLaunchPlan registers ``AllInputsWorkflowLaunchPlan`` on it with
no fixed or default inputs.

``generic`` is a Jackson-mapped AutoValue class on the JVM side, declared as a bare STRUCT (no
schema); the twin declares it as ``dict``, flytekit's bare STRUCT (a dataclass would add a JSON
schema and field types the JVM side does not declare). ``blob`` is a single untyped blob (a
``FlyteFile``) naming ``file://test/test.csv``, which does not exist: the twin passes it as a
reference (``remote_path=False``) so that flytekit does not try to upload it."""

from datetime import datetime, timedelta, timezone
from typing import Dict, List, NamedTuple

from flytekit import LaunchPlan, task, workflow
from flytekit.types.file import FlyteFile

AllInputs = NamedTuple(
    "AllInputs",
    [
        ("i", int),
        ("f", float),
        ("s", str),
        ("b", bool),
        ("t", datetime),
        ("d", timedelta),
        ("blob", FlyteFile),
        ("generic", dict),
        ("l", List[str]),
        ("m", Dict[str, str]),
        ("emptyList", List[str]),
        ("emptyMap", Dict[str, int]),
    ],
)


@task(cache=True, cache_version="1", cache_serialize=True)
def all_inputs_task(
    i: int,
    f: float,
    s: str,
    b: bool,
    t: datetime,
    d: timedelta,
    blob: FlyteFile,
    generic: dict,
    l: List[str],  # noqa: E741 (the JVM name)
    m: Dict[str, str],
    emptyList: List[str],  # noqa: N803 (the JVM name)
    emptyMap: Dict[str, int],  # noqa: N803 (the JVM name)
) -> AllInputs:
    return AllInputs(i, f, s, b, t, d, blob, generic, l, m, emptyList, emptyMap)


@workflow
def all_inputs_wf() -> AllInputs:
    echoed = all_inputs_task(
        i=1,
        f=2.0,
        s="test",
        b=True,
        t=datetime(2023, 1, 16, tzinfo=timezone.utc),
        d=timedelta(days=1),
        # A reference to an existing object, not a local file to upload.
        blob=FlyteFile("file://test/test.csv", remote_path=False),
        generic={"hello": "hello", "world": "world"},
        l=["foo", "bar"],
        m={"test": "test"},
        emptyList=[],
        emptyMap={},
    ).with_overrides(node_name="all-inputs")
    return AllInputs(
        echoed.i, echoed.f, echoed.s, echoed.b, echoed.t, echoed.d, echoed.blob, echoed.generic,
        echoed.l, echoed.m, echoed.emptyList, echoed.emptyMap,
    )


all_inputs_lp = LaunchPlan.get_or_create(all_inputs_wf, name="AllInputsWorkflowLaunchPlan")
