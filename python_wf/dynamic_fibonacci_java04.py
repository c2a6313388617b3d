"""Twin of the upstream Java DynamicFibonacciWorkflow as flytekit-java 0.4 writes it.

The dynamic task ``fibonacci`` fails for n < 0 and gives 0 for n = 0 without a node. For n >= 1
it first chains three nodes with no data between them: ``hello`` (a remote task, HelloWorldTask in
flytesnacks/development), then ``world`` (a remote task, the Scala NoInputsTask in
flytesnacks/staging), then ``greet`` (the SubWorkflow twin, a welcome, on "greet"); after
``greet`` come the sums fib-2 .. fib-n.

The JVM side names the remote tasks without a version (SdkRemoteTask.create(domain, project,
name, ...)); jflyte execute-dynamic-workflow asks FlyteAdmin for the latest registered version
and its task template when the dynamic task runs. flytekit refuses reference tasks inside a
dynamic task ("Reference tasks are currently unsupported within dynamic tasks": they would need
that same call to FlyteAdmin), and a reference task needs a version anyway; what does the same
in flytekit is FlyteRemote.fetch_task without a version (the latest), whose task template goes
into the dynamic job spec as jflyte's does. Both sides therefore need a FlyteAdmin (FLYTE_* /
flytekit config) when n >= 1."""

from typing import NamedTuple

from flytekit import dynamic, workflow
from flytekit.configuration import Config
from flytekit.remote import FlyteRemote

from python_wf.fibonacci import sum_task
from python_wf.sub_workflows_java04 import sub_wf

PROJECT = "flytesnacks"
HELLO_WORLD_TASK = ("development", "org.flyte.examples.HelloWorldTask")
NO_INPUTS_TASK = ("staging", "org.flyte.examples.flytekitscala.NoInputsTask")

Output = NamedTuple("Output", [("output", int)])


def latest_task(remote: FlyteRemote, domain: str, name: str):
    """The latest registered version of a task of PROJECT, fetched from FlyteAdmin."""
    return remote.fetch_task(project=PROJECT, domain=domain, name=name)


@dynamic
def dynamic_fibonacci(n: int) -> Output:
    if n < 0:
        raise ValueError("n < 0")
    if n == 0:
        return Output(output=0)
    remote = FlyteRemote(Config.auto())
    hello = latest_task(remote, *HELLO_WORLD_TASK)().with_overrides(node_name="hello")
    world = latest_task(remote, *NO_INPUTS_TASK)().with_overrides(node_name="world")
    hello >> world
    greeting = sub_wf(name="greet").with_overrides(node_name="greet").greeting
    world >> greeting
    previous, value = 0, 1
    for i in range(2, n + 1):
        step = sum_task(a=value, b=previous).with_overrides(node_name=f"fib-{i}").c
        greeting >> step
        previous, value = value, step
    return Output(output=value)


@workflow
def dynamic_fibonacci_wf(n: int) -> Output:
    result = dynamic_fibonacci(n=n).with_overrides(node_name="fibonacci")
    return Output(output=result.output)
