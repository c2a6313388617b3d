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


def test_a_twins_key_holds_every_twin_its_module_imports(tmp_path):
    from flyte_parity.sdk.python import module_files
    package = tmp_path / "twins"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shared.py").write_text("def t():\n    return 1\n")
    (package / "deep.py").write_text("from .shared import t\n")
    (package / "greet.py").write_text("import os\nfrom twins.deep import t\n")
    (package / "other.py").write_text("x = 1\n")
    assert [p.name for p in module_files(tmp_path, "twins.greet")] == ["__init__.py", "deep.py", "greet.py",
                                                                       "shared.py"]
    driver = PythonDriver(tmp_path / "work", source_root=tmp_path)
    key = lambda: ResultStore.key(driver.entrypoint_parts(_python_task("twins.greet"), _inputs(1), {}))  # noqa: E731
    before = key()
    (package / "other.py").write_text("x = 2\n")  # a twin it does not import: no change
    assert key() == before
    (package / "shared.py").write_text("def t():\n    return 2\n")  # one it imports through another: a change
    assert key() != before


class LocalRuns(PythonDriver):
    """The Python driver with its in-process local run replaced by ``run`` (counted)."""

    def __init__(self, root: Path, run):
        super().__init__(root / "work", source_root=root)
        self.results, self.run, self.runs = ResultStore(root / "store"), run, 0

    def _run_workflow(self, ref, inputs, scratch):
        self.runs += 1
        scratch.append(str(self.work_dir / "scratch-of-this-run"))
        return self.run(inputs, scratch[-1])


def _twin(root: Path, text: str = "x = 1\n") -> Path:
    (root / "twins").mkdir(exist_ok=True)
    (root / "twins" / "local.py").write_text(text)
    return root / "twins" / "local.py"


def _literal_map(value: int) -> literals_pb2.LiteralMap:
    return _inputs(value)


def test_a_local_run_is_replayed_while_its_workflow_inputs_twin_flytekit_and_environment_are_the_same(
        tmp_path, monkeypatch):
    twin = _twin(tmp_path)
    driver = LocalRuns(tmp_path, lambda inputs, scratch: _literal_map(int(inputs["n"] * 2)))
    assert driver.run_workflow("twins.local:wf", {"n": 2}) == _literal_map(4)
    assert driver.run_workflow("twins.local:wf", {"n": 2}) == _literal_map(4) and driver.runs == 1
    changes = [lambda: driver.run_workflow("twins.local:wf", {"n": 3}),  # an input
               lambda: driver.run_workflow("twins.local:wf", {"n": 2.0}),  # an input of another type
               lambda: driver.run_workflow("twins.local:other", {"n": 2})]  # another workflow
    for number, change in enumerate(changes, start=2):
        change()
        assert driver.runs == number
    twin.write_text("x = 2\n")
    driver.run_workflow("twins.local:wf", {"n": 2})
    assert driver.runs == 5
    monkeypatch.setattr(versions, "flytekit", lambda: "9.9.9")
    driver.run_workflow("twins.local:wf", {"n": 2})
    assert driver.runs == 6
    monkeypatch.setenv("FLYTE_USE_OLD_DC_FORMAT", "true")  # flytekit reads this process's FLYTE_* itself
    driver.run_workflow("twins.local:wf", {"n": 2})
    assert driver.runs == 7
    monkeypatch.setenv("FLYTE_PARITY_PROCESS_LOG", str(tmp_path / "log"))  # the harness's own: no change
    driver.run_workflow("twins.local:wf", {"n": 2})
    assert driver.runs == 7


def test_a_replayed_local_failure_is_the_same_outcome_as_the_run(tmp_path):
    from flyte_parity.sdk import outcome

    def fails(inputs, scratch):
        raise ValueError(f"Value {inputs['n']} is out of range\nsecond line")
    _twin(tmp_path)
    driver = LocalRuns(tmp_path, fails)
    first = outcome.attempt(lambda: driver.run_workflow("twins.local:wf", {"n": 7}))
    again = outcome.attempt(lambda: driver.run_workflow("twins.local:wf", {"n": 7}))
    assert driver.runs == 1 and not first.ok
    assert again == first == outcome.RunOutcome(error="ValueError",
                                                detail="ValueError: Value 7 is out of range\nsecond line")


def test_a_local_run_that_names_its_own_folder_or_whose_inputs_print_by_address_is_not_kept(tmp_path):
    def names_its_folder(inputs, scratch):
        outputs = literals_pb2.LiteralMap()
        outputs.literals["f"].scalar.blob.uri = f"{scratch}/raw/file"
        return outputs
    _twin(tmp_path)
    driver = LocalRuns(tmp_path, names_its_folder)
    driver.run_workflow("twins.local:wf", {"n": 1})
    driver.run_workflow("twins.local:wf", {"n": 1})
    driver.run_workflow("twins.local:wf", {"o": object()})
    driver.run_workflow("twins.local:wf", {"o": object()})
    assert driver.runs == 4 and driver.results.recorded == 0


def _answers(maps):
    from flyteidl.core import errors_pb2

    from flyte_parity.sdk.testee import Answer
    found = []
    for m in maps:
        value = m.literals["x"].scalar.primitive.integer
        if value < 0:
            document = errors_pb2.ErrorDocument()
            document.error.code, document.error.message = "USER:ValueError", f"negative {value}"
            found.append(Answer(error=document))
        else:
            found.append(Answer(outputs=_inputs(value + 1)))
    return found


def test_a_testees_answers_to_a_batch_are_replayed_while_its_build_task_and_requests_are_the_same(tmp_path):
    from flyte_parity.sdk.testee import kept
    store, sent = ResultStore(tmp_path / "store"), []

    def many(maps):
        sent.append(len(maps))
        return _answers(maps)
    parts = {"side": "python", "task": "twins.types:t", "env": [], "flytekit": "1"}
    batch = [_inputs(1), _inputs(-2), _inputs(3)]
    first = kept(store, parts, many)(batch)
    assert kept(store, parts, many)(list(batch)) == first == _answers(batch) and sent == [3]
    kept(store, parts, many)(batch[:2])  # another batch
    kept(store, parts, many)([_inputs(1), _inputs(-2), _inputs(4)])  # one request changed
    kept(store, {**parts, "flytekit": "2"}, many)(batch)  # another build
    kept(store, {**parts, "task": "twins.types:u"}, many)(batch)  # another task
    assert sent == [3, 2, 3, 3, 3]
    assert kept(None, parts, many)(batch) == first and sent[-1] == 3 and len(sent) == 6  # no store: sent


def test_a_testees_build_is_in_its_parts(tmp_path, monkeypatch):
    from flyte_parity.base import paths
    from flyte_parity.data.catalogue import JvmSource
    from flyte_parity.sdk.jvm import JvmDriver
    build = tmp_path / "build"
    for folder in ("lib/parity-testee", "jflyte/lib", "jflyte/modules", "types"):
        (build / folder).mkdir(parents=True)
    (build / "lib/parity-testee/testee.jar").write_bytes(b"one")
    (build / "types/types.jar").write_bytes(b"one")
    monkeypatch.setattr(paths, "jvm_build", lambda: build)
    monkeypatch.setattr(paths, "jflyte_lib", lambda: build / "jflyte/lib")
    monkeypatch.setattr(paths, "jflyte_modules", lambda: build / "jflyte/modules")
    jvm, sources = JvmDriver(tmp_path / "work"), [JvmSource("types", build / "types", "own", "java")]
    parts = lambda: ResultStore.key(jvm.testee_parts(sources, "Identity"))  # noqa: E731
    before = parts()
    (build / "lib/parity-testee/testee.jar").write_bytes(b"two")  # the testee program
    assert parts() != before
    changed = parts()
    (build / "types/types.jar").write_bytes(b"two")  # the tasks' jar
    assert parts() != changed
    monkeypatch.setattr(versions, "flytekit", lambda: "9.9.9")
    assert parts() == parts()  # and a flytekit bump leaves the JVM testee's answers kept
    twin = _twin(tmp_path)
    python = PythonDriver(tmp_path / "work", source_root=tmp_path)
    key = lambda: ResultStore.key(python.testee_parts([], "twins.local:t"))  # noqa: E731
    before = key()
    twin.write_text("x = 2\n")
    assert key() != before
    edited = key()
    monkeypatch.setattr(versions, "flytekit", lambda: "9.9.10")
    assert key() != edited


def test_the_kept_seed_is_the_same_for_every_session_of_a_store_and_new_after_emptying(tmp_path):
    import shutil
    seeds = {ResultStore(tmp_path / "store").kept_seed() for _ in range(3)}
    assert len(seeds) == 1 and 0 <= next(iter(seeds)) < 2 ** 32
    shutil.rmtree(tmp_path / "store")
    assert (tmp_path / "store").exists() is False
    ResultStore(tmp_path / "store").kept_seed()
    assert (tmp_path / "store" / "seed").is_file()


def test_drawn_values_are_kept_and_the_same_as_drawn_here(tmp_path):
    from flyte_parity.values.drawing import Drawing
    from flyte_parity.values.search import drawn
    with Drawing(["integer", "string"], 12, 5, tmp_path / "store") as first:
        assert first.values("integer") == drawn("integer", 12, 5)
        assert first._pool is not None
    with Drawing(["integer", "string"], 12, 5, tmp_path / "store") as again:  # kept: no drawing process
        assert again._pool is None and again.values("string") == drawn("string", 12, 5)
    with Drawing(["integer"], 12, 6, tmp_path / "store") as other_seed:
        assert other_seed._pool is not None and other_seed.values("integer") == drawn("integer", 12, 6)


def test_a_record_that_no_longer_holds_is_run_again_and_replaced(tmp_path):
    store, calls = ResultStore(tmp_path), []

    def run():
        calls.append(1)
        return Record(0, f"run {len(calls)}", "")
    holds = {"run 1": False, "run 2": True}
    assert store.through({"a": 1}, run, usable=lambda r: holds[r.stdout]).stdout == "run 1"
    assert store.through({"a": 1}, run, usable=lambda r: holds[r.stdout]).stdout == "run 2"  # run 1 gone: ran
    assert store.through({"a": 1}, run, usable=lambda r: holds[r.stdout]).stdout == "run 2" and len(calls) == 2
    assert (store.replayed, store.recorded) == (1, 2)
