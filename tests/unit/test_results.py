"""SDK results kept by what produced them (flyte_parity/sdk/results.py, Driver.run_entrypoint):
the store, and that changing any one part of a task run's key — the template (a staged jar is
named by its digest there), the inputs, an environment variable the task reads, the Python twin,
the flytekit version, jflyte's jars — makes that run happen again, while nothing changed replays it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import task_pb2
from flyteidl.core import literals_pb2

from flyte_parity.base import versions
from flyte_parity.sdk import results
from flyte_parity.sdk.driver import Driver
from flyte_parity.sdk.python import PythonDriver
from flyte_parity.sdk.results import Record, ResultStore


def test_a_record_comes_back_as_it_was_put_and_counts(tmp_path):
    store = ResultStore(tmp_path / "results")
    key = store.key({"verb": "x"})
    assert store.get(key) is None and store.replayed == 0
    store.put(key, Record(3, "out ✓", "err", {"outputs.pb": b"\x00\x01", "sub/x": b"y"}))
    store.put(key, Record(9, "other", "", {}))  # the first record stands
    assert store.get(key) == Record(3, "out ✓", "err", {"outputs.pb": b"\x00\x01", "sub/x": b"y"})
    assert (store.replayed, store.recorded) == (1, 1)
    assert not [p for p in (tmp_path / "results").rglob(".*")]  # no staging folder left


def test_through_runs_once_per_key(tmp_path):
    store, calls = ResultStore(tmp_path), []

    def run():
        calls.append(1)
        return Record(0, "ran", "")
    assert store.through({"a": 1}, run).stdout == "ran"
    assert store.through({"a": 1}, run).stdout == "ran" and len(calls) == 1
    store.through({"a": 2}, run)
    assert len(calls) == 2


class Echo(Driver):
    """A driver whose task copies inputs.pb to outputs.pb (or writes what ``write`` says)."""

    language, entrypoint = "python", "echo"

    def __init__(self, write=None):
        self.runs, self.write, self.parts = 0, write, {"sdk": "1"}

    def result_parts(self, task):
        return dict(self.parts)

    def _run_task(self, args, env, folder):
        self.runs += 1
        data = self.write(folder) if self.write else folder.inputs.read_bytes()
        folder.outputs.write_bytes(data)
        return 0, "printed", ""


def _task(env=()):
    spec = task_pb2.TaskSpec()
    spec.template.container.args.extend(["echo", "--inputs", "{{.input}}", "--out", "{{.outputPrefix}}"])
    for key, value in env:
        spec.template.container.env.add(key=key, value=value)
    return spec


def _inputs(value: int):
    inputs = literals_pb2.LiteralMap()
    inputs.literals["x"].scalar.primitive.integer = value
    return inputs


def test_a_task_run_is_replayed_only_while_nothing_of_its_key_changed(tmp_path):
    driver = Echo()
    driver.results = ResultStore(tmp_path / "store")
    first = driver.run_entrypoint(_task(), _inputs(1), tmp_path / "r1")
    again = driver.run_entrypoint(_task(), _inputs(1), tmp_path / "r2")
    assert driver.runs == 1 and again.outputs == first.outputs == _inputs(1) and again.stdout == "printed"
    assert (tmp_path / "r2" / "outputs" / "outputs.pb").read_bytes() == _inputs(1).SerializeToString()
    changes = [lambda: driver.run_entrypoint(_task(), _inputs(2), tmp_path / "a"),  # an input
               lambda: driver.run_entrypoint(_task([("K", "v")]), _inputs(1), tmp_path / "b"),  # the template
               lambda: driver.run_entrypoint(_task(), _inputs(1), tmp_path / "c", {"FLYTE_X": "1"})]  # env given
    for number, change in enumerate(changes, start=2):
        change()
        assert driver.runs == number
    driver.parts = {"sdk": "2"}  # the SDK build, the twin, the driver code: what result_parts says
    driver.run_entrypoint(_task(), _inputs(1), tmp_path / "d")
    assert driver.runs == 5


def test_outputs_that_name_the_runs_own_folder_are_not_kept(tmp_path):
    def blob_in_the_run(folder):
        outputs = literals_pb2.LiteralMap()
        outputs.literals["f"].scalar.blob.uri = str(folder.root / "raw" / "file")
        return outputs.SerializeToString()
    driver = Echo(write=blob_in_the_run)
    driver.results = ResultStore(tmp_path / "store")
    driver.run_entrypoint(_task(), _inputs(1), tmp_path / "r1")
    driver.run_entrypoint(_task(), _inputs(1), tmp_path / "r2")
    assert driver.runs == 2 and driver.results.recorded == 0


def _python_task(module: str) -> task_pb2.TaskSpec:
    spec = task_pb2.TaskSpec()
    spec.template.container.args.extend(["pyflyte-execute", "--inputs", "{{.input}}", "--resolver", "r", "--",
                                         "task-module", module, "task-name", "t"])
    return spec


def test_a_python_runs_key_holds_its_twin_the_flytekit_version_and_the_variables_a_task_reads(tmp_path, monkeypatch):
    (tmp_path / "twins").mkdir()
    twin = tmp_path / "twins" / "greet.py"
    twin.write_text("x = 1\n")
    driver = PythonDriver(tmp_path / "work", source_root=tmp_path)
    key = lambda: ResultStore.key(driver.entrypoint_parts(_python_task("twins.greet"), _inputs(1), {}))  # noqa: E731
    before = key()
    assert key() == before
    twin.write_text("x = 2\n")
    assert key() != before
    edited = key()
    monkeypatch.setattr(versions, "flytekit", lambda: "9.9.9")
    assert key() != edited
    monkeypatch.undo()
    assert key() == edited
    monkeypatch.setenv("FLYTE_SDK_LOGGING_LEVEL", "10")  # FLYTE_* are never passed on: no change
    assert key() == edited
    monkeypatch.setenv("PYTHONHASHSEED", "3")  # a variable a task reads: a change
    assert key() != edited
    monkeypatch.delenv("PYTHONHASHSEED")
    monkeypatch.setenv("TERM", "something-else")  # one it does not: no change
    assert key() == edited


def test_a_jvm_runs_key_holds_jflytes_jars(tmp_path, monkeypatch):
    from flyte_parity.base import paths
    from flyte_parity.sdk.jvm import JvmDriver
    lib, modules = tmp_path / "jflyte" / "lib", tmp_path / "jflyte" / "modules"
    lib.mkdir(parents=True)
    modules.mkdir()
    (lib / "jflyte-1.jar").write_bytes(b"one")
    monkeypatch.setattr(paths, "jflyte_lib", lambda: lib)
    monkeypatch.setattr(paths, "jflyte_modules", lambda: modules)
    driver = JvmDriver(tmp_path / "work")
    key = lambda: ResultStore.key(driver.entrypoint_parts(_task(), _inputs(1), {}))  # noqa: E731
    before = key()
    (lib / "jflyte-1.jar").write_bytes(b"two")
    assert key() != before


@pytest.mark.parametrize("name", ["PYTHONPATH", "JAVA_TOOL_OPTIONS", "LC_ALL", "TZ", "FLYTE_X"])
def test_the_variables_a_task_reads_are_in_and_the_shells_are_not(name):
    assert name in results.read_environment({name: "1", "TERM": "x", "PWD": "/", "SHLVL": "2"})
    assert set(results.read_environment({"TERM": "x", "PWD": "/", "SHLVL": "2", "PYTEST_CURRENT_TEST": "t"})) == set()


def test_a_kept_jvm_serialization_is_used_only_while_the_jars_it_staged_are_there(tmp_path):
    from google.protobuf import json_format

    from flyte_parity.sdk.jvm import _staged
    jar = tmp_path / "staging" / "app-abc.jar"
    spec = task_pb2.TaskSpec()
    json_format.ParseDict({"jflyte": {"artifacts": [{"name": "app.jar", "location": jar.as_uri()}]}},
                          spec.template.custom)
    files = {"00_t_1.pb": spec.SerializeToString(), "01_w_2.pb": b"not a task"}
    assert not _staged(files)
    jar.parent.mkdir()
    jar.write_bytes(b"jar")
    assert _staged(files)


def test_a_jvm_runs_key_holds_no_flytekit_part(tmp_path, monkeypatch):
    from flyte_parity.sdk.jvm import JvmDriver
    driver = JvmDriver(tmp_path / "work")
    key = lambda: ResultStore.key(driver.entrypoint_parts(_task(), _inputs(1), {}))  # noqa: E731
    before = key()
    monkeypatch.setattr(versions, "flytekit", lambda: "9.9.9")
    assert key() == before  # bumping flytekit repeats no JVM task run


def test_the_store_lives_where_flyte_parity_results_says_else_in_the_project(monkeypatch, tmp_path):
    from flyte_parity.base import paths
    monkeypatch.delenv("FLYTE_PARITY_RESULTS", raising=False)
    assert results.default_root() == paths.REPO_ROOT / ".flyte-parity" / "results"
    monkeypatch.setenv("FLYTE_PARITY_RESULTS", str(tmp_path))
    assert results.default_root() == tmp_path
