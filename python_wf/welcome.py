"""Twin of WelcomeWorkflow: greet, then add a question; output ``greeting``."""

from typing import NamedTuple

from flytekit import task, workflow

Greeting = NamedTuple("Greeting", [("greeting", str)])


@task
def greet(name: str) -> Greeting:
    return Greeting(greeting=f"Welcome, {name}!")


@task
def add_question(greeting: str) -> Greeting:
    return Greeting(greeting=f"{greeting} How are you?")


@workflow
def welcome_wf(name: str) -> Greeting:
    greeted = greet(name=name).with_overrides(node_name="greet")
    asked = add_question(greeting=greeted.greeting).with_overrides(node_name="add-question")
    return Greeting(greeting=asked.greeting)
