"""Twin of the upstream NoopPluginTask (flytekit-java 0.4): a task of the custom type ``noop`` with
no inputs, no outputs and no container, run by whatever backend plugin handles that type, never
by an SDK entrypoint.

flytekit's construct for such a task is a ``PythonTask`` subclass with its own ``task_type``, as
backend-plugin tasks (e.g. the Athena or BigQuery ones) are written: its template has no
container, and ``get_custom`` would give the plugin's configuration. This plugin has none; the JVM
side writes that as an empty ``custom`` struct, flytekit leaves ``custom`` unset for an empty
configuration (TaskTemplate.to_flyte_idl drops a falsy custom)."""

from flytekit.core.base_task import PythonTask
from flytekit.core.interface import Interface


class NoopPluginTask(PythonTask):
    """A no-inputs, no-outputs task handled by a ``noop`` backend plugin."""

    def __init__(self, name: str) -> None:
        super().__init__(task_type="noop", name=name, task_config=None, interface=Interface())


noop_plugin_task = NoopPluginTask(name="python_wf.plugin_tasks.noop_plugin_task")
