"""Every task run is a process of its own: a task that ends its process with exit code 3
(System.exit(3), sys.exit(3)) yields exit code 3 and no outputs, and a task that counts its runs
in static (module) state returns 1 every time — nothing an earlier run left behind reaches the
next one. The Python side is checked as the suite launches it (forked from the pyflyte-execute
fork parent) and as a fresh pyflyte-execute process, with the same results."""

import json
import tempfile
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from flyte_parity.sdk import process_log
from flyte_parity.sdk.python import PythonDriver

from flyte_parity.modes.run import load

TASKS = {"jvm": ("dev.flyteparity.examples.process.ExitThreeTask", "dev.flyteparity.examples.process.StaticCounterTask"),
         "python": ("python_wf.process_contract.exit_three", "python_wf.process_contract.static_counter")}


def _inputs() -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["value"].scalar.primitive.integer = 7
    return inputs


def _runs(driver, tasks, folder):
    """exit, counter, counter, exit, counter: (exit codes, counter outputs, exit runs' outputs)."""
    exit_task, counter_task = tasks
    codes, counts, exit_outputs = [], [], []
    for number, task in enumerate((exit_task, counter_task, counter_task, exit_task, counter_task)):
        result = driver.run_entrypoint(task, _inputs(), folder / f"run-{number}")
        codes.append(result.exit_code)
        if task is counter_task:
            assert result.outputs is not None, result.describe()
            (literal,) = result.outputs.literals.values()  # "value" on the JVM, "o0" in flytekit
            counts.append(literal.scalar.primitive.integer)
        else:
            exit_outputs.append(result.outputs)
    return codes, counts, exit_outputs


def _jflyte_temporary_folders() -> set[Path]:
    """The folders jflyte execute copies a task's staged jars into under the system's temporary folder."""
    return set(Path(tempfile.gettempdir()).glob("tasks*"))


def test_jvm_exit_code_3_and_no_static_state_left(jvm_driver, parity_catalogue, tmp_path):
    entities = load(jvm_driver.serialize(parity_catalogue.sources["own-java"]))
    tasks = tuple(entities.tasks[name] for name in TASKS["jvm"])
    before = _jflyte_temporary_folders()
    codes, counts, exit_outputs = _runs(jvm_driver, tasks, tmp_path)
    assert codes == [3, 0, 0, 3, 0] and counts == [1, 1, 1] and exit_outputs == [None, None]
    # Each run had a temporary folder of its own, gone with the run (a container's /tmp goes with it).
    assert _jflyte_temporary_folders() <= before
    assert not any((tmp_path / f"run-{number}" / "tmp").exists() for number in range(5))


@pytest.mark.parametrize("launch", ["forked", "started"])
def test_python_exit_code_3_and_no_module_state_left(launch, python_driver, tmp_path, monkeypatch):
    log = tmp_path / "processes.jsonl"
    monkeypatch.setenv(process_log.VARIABLE, str(log))  # the case runner's runs may be logged too
    entities = load(python_driver.serialize())
    tasks = tuple(entities.tasks[name] for name in TASKS["python"])
    driver = PythonDriver(tmp_path / "driver", fork=launch == "forked")
    try:
        codes, counts, exit_outputs = _runs(driver, tasks, tmp_path / "runs")
    finally:
        driver.close()
    assert codes == [3, 0, 0, 3, 0] and counts == [1, 1, 1] and exit_outputs == [None, None]
    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    hows = [entry["how"] for entry in logged
            if entry["kind"] == "python:pyflyte-execute" and str(tmp_path / "runs") in " ".join(entry["command"])]
    assert hows == [launch] * 5
