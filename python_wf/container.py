"""Twin of the upstream ContainerWorkflow: one raw-container task, alpine ``sh -c "echo Hello $NAME"``
with NAME=Joe; no inputs, no outputs."""

from flytekit import ContainerTask, workflow

hello_container_task = ContainerTask(
    name="hello-container-task",
    image="alpine",
    command=["sh"],
    arguments=["-c", "echo Hello $NAME"],
    environment={"NAME": "Joe"},
)


@workflow
def container_wf() -> None:
    hello_container_task().with_overrides(node_name="hello-container-task")
