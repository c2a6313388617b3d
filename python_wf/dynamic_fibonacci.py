"""Twin of the upstream DynamicFibonacciWorkflow: a dynamic task that, for n >= 2, chains SumTask
nodes fib-2 .. fib-n at run time; n = 0 gives 0, n = 1 gives 1, n < 0 fails."""

from typing import NamedTuple

from flytekit import dynamic, workflow

from python_wf.fibonacci import sum_task

Output = NamedTuple("Output", [("output", int)])


@dynamic
def dynamic_fibonacci(n: int) -> Output:
    if n < 0:
        raise ValueError("n < 0")
    if n == 0:
        return Output(output=0)
    previous, value = 0, 1
    for i in range(2, n + 1):
        step = sum_task(a=value, b=previous).with_overrides(node_name=f"fib-{i}")
        previous, value = value, step.c
    return Output(output=value)


@workflow
def dynamic_fibonacci_wf(n: int) -> Output:
    result = dynamic_fibonacci(n=n).with_overrides(node_name="fibonacci")
    return Output(output=result.output)
