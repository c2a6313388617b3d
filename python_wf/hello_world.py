"""Twin of the upstream HelloWorldWorkflow (flytekit-java 0.4): one node running the hello-world
task (prints "Hello World"); no inputs, no outputs. The JVM node id is generated
(``<random prefix>-n0``), so the twin keeps flytekit's generated one too."""

from flytekit import workflow

from python_wf.standalone_tasks import hello_world


@workflow
def hello_world_wf() -> None:
    hello_world()
