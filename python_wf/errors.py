"""Twin of ErrorWorkflow: one node, ``raise``, whose task fails with the given message (an empty one is echoed)."""

from typing import NamedTuple

from flytekit import task, workflow

Echo = NamedTuple("Echo", [("echo", str)])


@task
def raising_task(message: str) -> Echo:
    if message:
        raise ValueError(message)
    return Echo(echo=message)


@workflow
def error_wf(message: str) -> Echo:
    raised = raising_task(message=message).with_overrides(node_name="raise")
    return Echo(echo=raised.echo)
