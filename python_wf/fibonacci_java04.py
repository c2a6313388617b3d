"""Twin of the upstream Java FibonacciWorkflow as flytekit-java 0.4 writes it, and of the four
launch plans its FibonacciLaunchPlan registry registers on it.

Since 0.4 the Java workflow's first step sums ``a = fib1, b = fib0`` (0.3 and the Scala example:
``a = fib0, b = fib1``); the rest is the chain of python_wf.fibonacci. The launch plans keep the
JVM side's names with a ``.java-0.4`` suffix: python_wf.launch_plans already holds launch plans
named FibonacciWorkflowLaunchPlan{,2,3} on python_wf.fibonacci.fibonacci_wf, and one flytekit
project cannot hold two launch plans of one name (the name is identity in the comparison).
"""

from typing import NamedTuple

from flytekit import LaunchPlan, workflow

from python_wf.fibonacci import sum_task

Fib5 = NamedTuple("Fib5", [("fib5", int)])


@workflow
def fibonacci_java04_wf(fib0: int, fib1: int) -> Fib5:
    fib2 = sum_task(a=fib1, b=fib0).with_overrides(node_name="fib-2")
    fib3 = sum_task(a=fib1, b=fib2.c).with_overrides(node_name="fib-3")
    fib4 = sum_task(a=fib2.c, b=fib3.c).with_overrides(node_name="fib-4")
    fib5 = sum_task(a=fib3.c, b=fib4.c).with_overrides(node_name="fib-5")
    return Fib5(fib5=fib5.c)


fibonacci_java04_fixed = LaunchPlan.get_or_create(
    fibonacci_java04_wf, name="FibonacciWorkflowLaunchPlan.java-0.4", fixed_inputs={"fib0": 0, "fib1": 1})
fibonacci_java04_fixed_each = LaunchPlan.get_or_create(
    fibonacci_java04_wf, name="FibonacciWorkflowLaunchPlan2.java-0.4", fixed_inputs={"fib0": 0, "fib1": 1})
fibonacci_java04_defaults = LaunchPlan.get_or_create(
    fibonacci_java04_wf, name="FibonacciWorkflowLaunchPlan3.java-0.4", default_inputs={"fib0": 0, "fib1": 1})
fibonacci_java04_max_parallelism = LaunchPlan.get_or_create(
    fibonacci_java04_wf, name="FibonacciWorkflowLaunchPlan4.java-0.4", fixed_inputs={"fib0": 0, "fib1": 1},
    max_parallelism=10)
