"""Twin of FibonacciWorkflow: four cached SumTask steps fib-2 .. fib-5; output ``fib5``."""

from typing import NamedTuple

from flytekit import task, workflow

Sum = NamedTuple("Sum", [("c", int)])
Fib5 = NamedTuple("Fib5", [("fib5", int)])


@task(cache=True, cache_version="1", cache_serialize=True)
def sum_task(a: int, b: int) -> Sum:
    return Sum(c=a + b)


@workflow
def fibonacci_wf(fib0: int, fib1: int) -> Fib5:
    fib2 = sum_task(a=fib0, b=fib1).with_overrides(node_name="fib-2")
    fib3 = sum_task(a=fib1, b=fib2.c).with_overrides(node_name="fib-3")
    fib4 = sum_task(a=fib2.c, b=fib3.c).with_overrides(node_name="fib-4")
    fib5 = sum_task(a=fib3.c, b=fib4.c).with_overrides(node_name="fib-5")
    return Fib5(fib5=fib5.c)
