"""The Python testee (flyte_parity/sdk/python_testee.py; protocol in flyte_parity/sdk/testee.py):
flytekit tasks run on many values in one process. Its answers are checked against what
``pyflyte-execute`` writes for the same task and inputs.pb — outputs.pb byte for byte, error.pb's
code, kind and origin and the last line of its message — for every value of the catalogue's type
rows (with each row's Python setting), a task that does not exist and inputs of the wrong type;
then that it keeps serving after a failure, exits 0 at the end of its input and leaves no
temporary folder behind (flytekit makes some at import: they go to the testee's own TMPDIR)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

from flyte_parity.base import paths, versions
from flyte_parity.data.catalogue import TWINS, load_catalogue
from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.modes.run import load
from flyte_parity.sdk.python import PythonDriver

CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    python = PythonDriver(tmp_path_factory.mktemp("python"))
    yield python
    python.close()


@pytest.fixture(scope="module")
def rows():
    catalogue = load_catalogue(CATALOGUE, paths.REPO_ROOT).at(versions.flytekit_java())
    return [entry for entry in catalogue.types if not entry.unavailable]


@pytest.fixture(scope="module")
def tasks(driver):
    return load(driver.serialize(TWINS)).tasks


def _inputs(spec) -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["value"].CopyFrom(literal_from_spec(spec))
    return inputs


def _last_line(message: str) -> str:
    return [line for line in message.strip().splitlines() if line.strip()][-1].strip()


def _same(testee_answer, entrypoint) -> str | None:
    """None when the testee answered as pyflyte-execute wrote, else what differs."""
    if entrypoint.outputs is not None:
        if testee_answer.outputs is None:
            return f"pyflyte-execute wrote outputs, the testee failed: {testee_answer.error.error.code}"
        if testee_answer.outputs.SerializeToString(deterministic=True) != \
                entrypoint.outputs.SerializeToString(deterministic=True):
            return f"outputs differ: {testee_answer.outputs} != {entrypoint.outputs}"
        return None
    if entrypoint.error is None:
        return f"pyflyte-execute wrote neither outputs nor an error: {entrypoint.describe()}"
    if testee_answer.error is None:
        return f"pyflyte-execute failed ({entrypoint.error.error.code}), the testee returned outputs"
    mine, theirs = testee_answer.error.error, entrypoint.error.error
    for field in ("code", "kind", "origin"):
        if getattr(mine, field) != getattr(theirs, field):
            return f"error {field} differs: {getattr(mine, field)!r} != {getattr(theirs, field)!r}"
    if _last_line(mine.message) != _last_line(theirs.message):
        return f"error message ends differently: {_last_line(mine.message)!r} != {_last_line(theirs.message)!r}"
    return None


def test_type_rows_answer_as_pyflyte_execute(driver, rows, tasks, tmp_path):
    mismatches, compared = [], 0
    for env in sorted({tuple(sorted(entry.python_env.items())) for entry in rows}):
        mine = [entry for entry in rows if tuple(sorted(entry.python_env.items())) == env]
        with driver.testee([TWINS], dict(env), tmp_path / "logs") as testee:
            for entry in mine:
                for name, spec in entry.values.items():
                    inputs = _inputs(spec)
                    folder = tmp_path / entry.kind / entry.source.name / name
                    expected = driver.run_entrypoint(tasks[entry.python_entity], inputs, folder, dict(env))
                    problem = _same(testee.call(entry.python, inputs), expected)
                    compared += 1
                    if problem:
                        mismatches.append(f"{entry.id} {name}: {problem}")
    assert compared >= 20, f"only {compared} values compared: the catalogue's type rows are missing"
    assert not mismatches, "\n".join(mismatches)


def test_failures_answer_as_pyflyte_execute_and_the_testee_keeps_serving(driver, tasks, tmp_path):
    wrong = literals_pb2.LiteralMap()
    wrong.literals["value"].scalar.primitive.string_value = "not an integer"
    expected = driver.run_entrypoint(tasks["python_wf.types.integer_identity"], wrong, tmp_path / "wrong")
    good = _inputs({"integer": 7})
    shared_tmp = Path(tempfile.gettempdir())
    before = set(shared_tmp.iterdir())
    with driver.testee([TWINS], {}, tmp_path / "logs") as testee:
        assert _same(testee.call("python_wf.types:integer_identity", wrong), expected) is None
        missing = testee.call("python_wf.types:no_such_task", good)
        assert missing.error is not None and missing.error.error.code.startswith("USER:")
        assert missing.error.error.origin == 1  # USER, as the entrypoint classifies a task that cannot load
        again = testee.call("python_wf.types:integer_identity", good)
        assert again.outputs.literals["value"].scalar.primitive.integer == 7
        process, scratch = testee._process, testee.scratch
        assert scratch.is_dir() and any(scratch.iterdir()), "flytekit's folders should go to the testee's own TMPDIR"
    assert process.returncode == 0, f"the testee exited {process.returncode} at the end of its input"
    assert not scratch.exists(), "the testee's temporary folder outlived it"
    left = sorted(str(p) for p in set(shared_tmp.iterdir()) - before if p.name.startswith(("flyte", "tmp")))
    assert not left, f"the testee left folders in {shared_tmp}: {left}"
