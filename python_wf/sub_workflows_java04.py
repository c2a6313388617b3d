"""Twins of the upstream Java SumWorkflow and SubWorkflow as flytekit-java 0.4 writes them.

SumWorkflow (new in 0.4) is what SubWorkflow was in 0.3: one cached sum ``sum`` of ``left`` and
``right``, output ``result``. SubWorkflow became a welcome: it runs the welcome workflow as a
sub-workflow in node ``greet`` on its input ``name`` and outputs its ``greeting``."""

from typing import NamedTuple

from flytekit import workflow

from python_wf.fibonacci import sum_task
from python_wf.welcome import welcome_wf

Result = NamedTuple("Result", [("result", int)])
Greeting = NamedTuple("Greeting", [("greeting", str)])


@workflow
def sum_wf(left: int, right: int) -> Result:
    summed = sum_task(a=left, b=right).with_overrides(node_name="sum")
    return Result(result=summed.c)


@workflow
def sub_wf(name: str) -> Greeting:
    welcomed = welcome_wf(name=name).with_overrides(node_name="greet")
    return Greeting(greeting=welcomed.greeting)
