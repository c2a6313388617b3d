"""Twins of the upstream launch-plan registries: FibonacciLaunchPlan (Java and Scala register the
same names) and ContainerLaunchPlanRegistry."""

from flytekit import LaunchPlan

from python_wf.container import container_wf
from python_wf.fibonacci import fibonacci_wf

fibonacci_fixed = LaunchPlan.get_or_create(
    fibonacci_wf, name="FibonacciWorkflowLaunchPlan", fixed_inputs={"fib0": 0, "fib1": 1})
fibonacci_fixed_each = LaunchPlan.get_or_create(
    fibonacci_wf, name="FibonacciWorkflowLaunchPlan2", fixed_inputs={"fib0": 0, "fib1": 1})
fibonacci_defaults = LaunchPlan.get_or_create(
    fibonacci_wf, name="FibonacciWorkflowLaunchPlan3", default_inputs={"fib0": 0, "fib1": 1})
container = LaunchPlan.get_or_create(container_wf, name="ContainerWorkflow")
