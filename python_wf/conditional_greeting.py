"""Twin of the upstream ConditionalGreetingWorkflow: a branch ``decide`` greets "World" when the
name is empty, else the name; output ``greeting``."""

from typing import NamedTuple

from flytekit import conditional, workflow

from python_wf.welcome import greet

Greeting = NamedTuple("Greeting", [("greeting", str)])


@workflow
def conditional_greeting_wf(name: str) -> Greeting:
    return (
        conditional("decide")
        .if_(name == "")
        .then(greet(name="World"))
        .else_()
        .then(greet(name=name))
    )
