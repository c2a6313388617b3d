"""Register parity: each SDK registers into a real FlyteAdmin (the session's backend: by default
one started on loopback with PostgreSQL), and what admin stored — tasks as compiled, workflows
with their compiled closures (node connections), launch plans with the spec and closure admin
completed — is compared pair by pair in canonical form.

Two ways in: ``register`` — each SDK's own registration (``jflyte register workflows`` through
the wrapper's launcher, ``pyflyte register``); ``flytectl`` — each SDK's serialized files given to
``flytectl register files``, Flyte's CI/CD path. Semantic differences, and a registration that
ended differently on the two sides, must be exactly the ledger's entries for the pair and mode;
identity differences are written to reports/<mode>/.
"""

import os
import subprocess
import sys

from flyte_parity.base import paths
from flyte_parity.data.ledger import Found, check

from .pair_report import pair_report, write_report

OUTCOME = "registration (outcome)"


def _holds(entities, pair, name) -> bool:
    kind = {"launch-plan": entities.launch_plans, "task": entities.tasks}.get(pair.kind, entities.workflows)
    return name in kind


def _compare(pair, mode, jvm, python, catalogue, ledger, reports_dir):
    """One pair's registrations: the outcomes, then (when both sides' entities are in admin) what
    admin stored. An entity missing on one side is a difference only when the outcomes agree
    (otherwise the outcome already says why)."""
    found = []
    outcomes = (jvm.outcome.label(), python.outcome.label())
    if outcomes[0] != outcomes[1]:
        found.append(Found(OUTCOME, *outcomes))
    held = (_holds(jvm.entities, pair, pair.jvm), _holds(python.entities, pair, pair.python_entity))
    header = [f"# jvm: {outcomes[0]} ({jvm.target.where()})", f"# python: {outcomes[1]} ({python.target.where()})"]
    out = reports_dir / mode / f"{pair.id.replace('/', '__')}.txt"
    if all(held):
        report = pair_report(pair, catalogue, jvm.entities, python.entities)
        write_report(out, report, header)
        found += [Found(d.path, d.left, d.right) for d in report.semantic]
    else:
        if outcomes[0] == outcomes[1]:
            found.append(Found(f"{pair.kind} (in admin)", "stored" if held[0] else "absent",
                               "stored" if held[1] else "absent"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join([*header, "# jvm log", jvm.outcome.log, "# python log", python.outcome.log]) + "\n",
                       encoding="utf-8")
    result = check(ledger, pair.id, mode, found)
    assert result.ok, result.explain(pair.id, mode) + f"\n(full report: {out})"


def test_register_matches_ledger(register_pair, register_run, parity_catalogue, ledger, reports_dir):
    _compare(register_pair, "register", register_run.jvm(register_pair.source), register_run.python(),
             parity_catalogue, ledger, reports_dir)


def test_flytectl_matches_ledger(flytectl_pair, flytectl_binary, register_run, parity_catalogue, ledger, reports_dir):
    _compare(flytectl_pair, "flytectl", register_run.flytectl_jvm(flytectl_pair.source), register_run.flytectl_python(),
             parity_catalogue, ledger, reports_dir)


def test_without_an_admin_binary_register_fails_in_one_line_and_other_modes_run(tmp_path):
    """A run with no usable FlyteAdmin: the register test of a pair fails, naming FLYTEADMIN_BIN and
    `make flyteadmin` in one line (no traceback); the IDL test of the same pair still runs and passes;
    pytest exits non-zero."""
    env = {**os.environ, "FLYTEADMIN_BIN": str(tmp_path / "no-flyteadmin-here")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
         "tests/parity/test_register.py::test_register_matches_ledger[welcome/upstream-java]",
         "tests/parity/test_idl.py::test_idl_matches_ledger[welcome/upstream-java]"],
        cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    said = [line for line in result.stdout.splitlines() if "FLYTEADMIN_BIN" in line]
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 passed, 1 error" in result.stdout, result.stdout[-3000:]
    assert said and all("make flyteadmin" in line for line in said), result.stdout[-3000:]
    assert "Traceback" not in result.stdout and "raise UsageError" not in result.stdout, result.stdout[-3000:]
