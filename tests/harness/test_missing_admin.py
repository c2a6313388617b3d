"""A run with no usable FlyteAdmin binary: the admin modes fail in one line, the others run."""

import os
import subprocess
import sys

from flyte_parity.base import paths


def test_without_an_admin_binary_register_fails_in_one_line_and_other_modes_run(tmp_path):
    """The register test of a pair fails, naming FLYTEADMIN_BIN and `make flyteadmin` in one line
    (no traceback); the IDL test of the same pair still runs and passes; pytest exits non-zero."""
    env = {**os.environ, "FLYTEADMIN_BIN": str(tmp_path / "no-flyteadmin-here")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
         "tests/parity/test_modes.py::test_parity[register:welcome/upstream-java]",
         "tests/parity/test_modes.py::test_parity[idl:welcome/upstream-java]"],
        cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    said = [line for line in result.stdout.splitlines() if "FLYTEADMIN_BIN" in line]
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 failed, 1 passed" in result.stdout, result.stdout[-3000:]
    assert said and all("make flyteadmin" in line for line in said), result.stdout[-3000:]
    assert "Traceback" not in result.stdout and "raise UsageError" not in result.stdout, result.stdout[-3000:]
