"""``flyte-parity explain``: the reproducer folders of three topics (a task template's field, an
execute-local case, a type row's value through both entrypoints; each in the ledger at every
flytekit-java version the harness runs at), run by their own scripts (no flyte-parity in them),
show the difference their ledger entry claims, each side as the entry says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flyte_parity.base import paths, versions
from flyte_parity.data.catalogue import load_catalogue
from flyte_parity.data.ledger import load_ledger
from flyte_parity.reproduce import explain

LEDGER = paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"
CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"


def _explain(topic: str, out: Path) -> explain.Choice:
    done = subprocess.run([sys.executable, "-m", "flyte_parity.cli", "explain", topic, "--out", str(out)],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    java = versions.flytekit_java()
    return explain.choose(load_ledger(LEDGER), load_catalogue(CATALOGUE, paths.REPO_ROOT).at(java), topic, java)


def _reproduce(folder: Path, scratch: Path) -> str:
    """reproduce.sh in a clean environment: no flyte-parity on its path, its own TMPDIR."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "TMPDIR": str(scratch)}
    done = subprocess.run(["sh", str(folder / "reproduce.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "flyte_parity" not in (folder / "jvm.sh").read_text() + (folder / "python.sh").read_text()
    return done.stdout


def test_generates_deck_reproducer_shows_the_field_absent_on_the_jvm_and_set_in_python(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    choice = _explain("generates-deck", tmp_path / "deck")
    out = _reproduce(tmp_path / "deck", scratch)
    field = explain.TASK.match(choice.entry.path).group(2)
    jvm = [line for line in out.splitlines() if line.startswith("jvm ")]
    python = [line for line in out.splitlines() if line.startswith("python ")]
    assert jvm and python, out
    assert all(line.endswith(f"template.{field} = {choice.entry.jvm}") for line in jvm), out
    assert all(line.endswith(f"template.{field} = {choice.entry.python}") for line in python), out
    report = (tmp_path / "deck" / "README.md").read_text()
    assert choice.entry.jvm in report and choice.entry.python in report and "candidate to file" in report


def test_int64_overflow_reproducer_shows_the_jvm_succeeding_and_python_refusing(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    choice = _explain("int64-overflow", tmp_path / "overflow")
    assert (choice.entry.jvm, choice.entry.python) == ("succeeded", "failed: ValueError")
    out = _reproduce(tmp_path / "overflow", scratch)
    lines = out.splitlines()
    assert "jvm: succeeded" in lines, out
    python = next(i for i, line in enumerate(lines) if line.startswith("python: "))
    assert lines[python].startswith("python: failed"), out
    assert any(line.startswith("ValueError: ") for line in lines[python + 1:]), out
    assert "fib5=-9223372036854775806" in out  # the wrapped long the topic names


def test_jackson_negative_duration_reproducer_shows_each_sides_value_as_the_entry_says(tmp_path):
    """A type row's value through both entrypoints (the topic is in the ledger at every version run)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    choice = _explain("jackson-negative-duration", tmp_path / "duration")
    assert choice.mode == "types" and ".outputs." in choice.entry.path
    lines = _reproduce(tmp_path / "duration", scratch).splitlines()
    # the entry's values read "{seconds: -1 nanos: 500000000} (= -0.500000000 s)"; show.py prints the literal
    jvm, python = (value.split(" (=")[0].strip("{}") for value in (choice.entry.jvm, choice.entry.python))
    assert jvm != python
    assert any(line.startswith("jvm: returned") and f"{{ {jvm} }}" in line for line in lines), lines
    assert any(line.startswith("python: returned") and f"{{ {python} }}" in line for line in lines), lines


def test_a_topic_with_no_entry_in_a_mode_with_plain_commands_is_one_clear_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "flyte_parity.cli", "explain", "random-node-ids",
                           "--out", str(tmp_path / "x")], cwd=paths.REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "reproducers are written for type rows' values" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.fixture(autouse=True)
def _no_temporary_folders_left(tmp_path):
    """Neither flytekit's folders (flyte*) nor jflyte's copies of a task's jars (tasks*) are left in /tmp."""
    def left():
        return {p for pattern in ("flyte*", "tasks*") for p in Path("/tmp").glob(pattern)}
    before = left()
    yield
    assert left() - before == set()
