"""Twins of the upstream SubWorkflow (left + right) and UberWorkflow, which runs it twice as a
sub-workflow, then one more sum: total = a + b + c + d."""

from typing import NamedTuple

from flytekit import workflow

from python_wf.fibonacci import sum_task

Result = NamedTuple("Result", [("result", int)])
Total = NamedTuple("Total", [("total", int)])


@workflow
def sub_wf(left: int, right: int) -> Result:
    summed = sum_task(a=left, b=right).with_overrides(node_name="sum")
    return Result(result=summed.c)


@workflow
def uber_wf(a: int, b: int, c: int, d: int) -> Total:
    first = sub_wf(left=a, right=b).with_overrides(node_name="sub-1")
    second = sub_wf(left=first.result, right=c).with_overrides(node_name="sub-2")
    total = sum_task(a=second.result, b=d).with_overrides(node_name="post-sum")
    return Total(total=total.c)
