"""Python SDK runs leave no temporary folder behind: each pyflyte-execute run (forked or fresh) and
the serialize subprocess get a TMPDIR of their own, removed after them, and flytekit's in-process
local run keeps its folders in one of its own.

Every process here starts with TMPDIR set to a private folder standing in for /tmp (other runs on
the machine may add /tmp/flyte* entries at any moment); what a run would leave in /tmp it would
leave there."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from flyte_parity.data.catalogue import PythonSource
from flyte_parity.sdk.python import PythonDriver
from flyte_parity.sdk.package import load_entities

FIBONACCI = PythonSource("fibonacci", ("python_wf.fibonacci",))


@pytest.fixture
def system_tmp(tmp_path, monkeypatch):
    """A private system temporary folder for this process and every process it starts."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def removed(monkeypatch):
    """What each folder held when it was removed (``shutil.rmtree``), by path."""
    seen: dict[str, list[str]] = {}
    rmtree = shutil.rmtree

    def spy(path, *args, **kwargs):
        seen[str(path)] = sorted(p.name for p in Path(path).iterdir()) if Path(path).is_dir() else []
        return rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", spy)
    return seen


def _integers(**values: int) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals={
        name: literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))
        for name, value in values.items()})


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "fresh"])
def test_a_task_run_keeps_its_temporary_files_in_its_own_folder(tmp_path, system_tmp, removed, monkeypatch, fork):
    log = tmp_path / "processes.jsonl"
    monkeypatch.setenv("FLYTE_PARITY_PROCESS_LOG", str(log))
    driver = PythonDriver(tmp_path / "work", fork=fork)
    run = tmp_path / "run"
    try:
        task = load_entities(driver.serialize(FIBONACCI)).tasks["python_wf.fibonacci.sum_task"]
        result = driver.run_entrypoint(task, _integers(a=1, b=2), run)
    finally:
        driver.close()

    assert result.outputs is not None, result.describe()
    assert result.outputs.literals["c"].scalar.primitive.integer == 3
    executed = [json.loads(line) for line in log.read_text().splitlines() if "pyflyte-execute" in line]
    assert [(entry["how"], entry["env"]["TMPDIR"]) for entry in executed] == [
        ("forked" if fork else "started", str(run / "tmp"))]
    # flytekit's sandbox for the run (tempfile.mkdtemp(prefix="flyte")) was made in the run's TMPDIR
    assert any(name.startswith("flyte") for name in removed[str(run / "tmp")])
    assert not (run / "tmp").exists()
    assert sorted(p.name for p in system_tmp.iterdir()) == []
    assert not list((tmp_path / "work").glob("tmp-*"))


def test_a_local_run_keeps_flytekits_folders_in_its_own(tmp_path, system_tmp):
    """The first local run imports flytekit with its import-time folders in the driver's folder; no
    run adds anything under them; closing the driver removes them. (flytekit is imported here,
    not at the module's top: an import at collection would put its folders in the real /tmp.)"""
    driver = PythonDriver(tmp_path / "work")
    run = lambda: driver.run_workflow("python_wf.fibonacci:fibonacci_wf", {"fib0": 0, "fib1": 1})  # noqa: E731
    assert run().literals["fib5"].scalar.primitive.integer == 5
    from flytekit.configuration import Config
    from flytekit.core import data_persistence

    imported = [Path(Config.local_sandbox_path), Path(data_persistence.flyte_tmp_dir)]  # this process's

    def entries() -> set[Path]:
        return {path for root in imported for path in root.rglob("*")}

    before = entries()
    assert run().literals["fib5"].scalar.primitive.integer == 5
    assert sorted(entries() - before) == []
    assert sorted(p.name for p in system_tmp.iterdir()) == []
    driver.close()
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == []
