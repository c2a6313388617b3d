"""Twins of the upstream tasks that no upstream workflow runs: HelloWorldTask (Java: no inputs;
Scala: a message), PrintMessageTask (a message) and SimpleStructTask (a struct ``in`` returned as
``out``). ``in`` is a Python keyword, so the struct twin declares its interface explicitly, as a
flytekit user would, instead of through a function signature."""

from typing import Any

from flytekit import task
from flytekit.core.interface import Interface
from flytekit.core.python_function_task import PythonInstanceTask


@task
def hello_world() -> None:
    print("Hello World")


@task
def print_message(message: str) -> None:
    print(message)


class StructIdentity(PythonInstanceTask):
    """Returns its struct input ``in`` as its output ``out``."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, task_config=None,
                         interface=Interface(inputs={"in": dict}, outputs={"out": dict}))

    def execute(self, **kwargs: Any) -> Any:
        return kwargs["in"]


simple_struct = StructIdentity(name="python_wf.standalone_tasks.simple_struct")
