"""A run on a machine without a FlyteAdmin binary: the modes that need one are not run — said once,
in one line naming the fix — the others run, and the run is incomplete (non-zero); leaving those
modes out (``--without=admin``, ``make parity WITHOUT=admin``) makes it a complete run."""

import os
import subprocess
import sys

from flyte_parity.base import paths

TESTS = ["tests/parity/test_modes.py::test_parity[register:welcome/upstream-java]",
         "tests/parity/test_modes.py::test_parity[idl:welcome/upstream-java]"]


def _run(tmp_path, *options):
    env = {**os.environ, "FLYTEADMIN_BIN": str(tmp_path / "no-flyteadmin-here")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
         *options, *TESTS], cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_without_an_admin_binary_the_admin_modes_are_not_run_and_the_run_is_incomplete(tmp_path):
    result = _run(tmp_path)
    out = result.stdout
    assert result.returncode == 1, out[-3000:]
    assert "1 passed, 1 skipped" in out, out[-3000:]
    said = [line for line in out.splitlines() if "FLYTEADMIN_BIN" in line]
    assert said and all("make flyteadmin" in line for line in said), out[-3000:]
    assert any(line.startswith("flyte-parity: incomplete: 1 test(s) not run: missing FlyteAdmin") for line in said)
    assert "Traceback" not in out and "raise UsageError" not in out, out[-3000:]
    matrix = (tmp_path / "reports" / "parity-matrix.md").read_text()
    row = next(line for line in matrix.splitlines() if line.startswith("| welcome/upstream-java |"))
    idl, register = [cell.strip() for cell in row.strip(" |").split("|")][1:]
    assert idl.startswith("ledger: ") and register == "not run [1]", row
    assert "\n1. FlyteAdmin: FLYTEADMIN_BIN=" in matrix and "make flyteadmin" in matrix, matrix


def test_leaving_the_admin_modes_out_is_a_complete_run(tmp_path):
    result = _run(tmp_path, "--without=admin")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed, 1 deselected" in result.stdout, result.stdout[-3000:]
