"""Twin of the upstream Java UberWorkflow as flytekit-java 0.4 writes it: the sum workflow as a
sub-workflow twice (``sub-1``: a + b, ``sub-2``: + c), a sum ``post-sum`` (+ d), then the dynamic
Fibonacci task ``fibonacci`` on that total; output ``result``, the total's Fibonacci number."""

from typing import NamedTuple

from flytekit import workflow

from python_wf.dynamic_fibonacci_java04 import dynamic_fibonacci
from python_wf.fibonacci import sum_task
from python_wf.sub_workflows_java04 import sum_wf

Result = NamedTuple("Result", [("result", int)])


@workflow
def uber_wf(a: int, b: int, c: int, d: int) -> Result:
    first = sum_wf(left=a, right=b).with_overrides(node_name="sub-1")
    second = sum_wf(left=first.result, right=c).with_overrides(node_name="sub-2")
    total = sum_task(a=second.result, b=d).with_overrides(node_name="post-sum")
    fibonacci = dynamic_fibonacci(n=total.c).with_overrides(node_name="fibonacci")
    return Result(result=fibonacci.output)
