"""The pytest plugin: catalogue-driven parametrisation, session-wide drivers, the ledger.

A test that takes ``local_case`` runs once per execute-local case of the catalogue
(``--catalogue``, default tests/parity/catalogue.toml); one that takes ``idl_pair`` once per
pair in mode ``idl`` (``bad_inputs_pair``: mode ``bad-inputs``); ``entrypoint_case`` once per
entrypoint case; ``type_entry`` once per type-table row. Drivers are made once per session; each serializes at most once.
The SDK work of those cases starts at the session's first test, ``--parity-workers`` cases at a
time (``case_runner``); each test checks its own case's result.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from flyte_parity.services import flytectl
from flyte_parity.sdk import launches
from flyte_parity.base import paths, versions
from flyte_parity.services.backends import BACKENDS, BackendUnavailable, backend
from flyte_parity.modes.case_runner import CaseRunner
from flyte_parity.data.catalogue import Catalogue, load_catalogue
from flyte_parity.sdk import JvmDriver, PythonDriver
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.interrupts import keep_ctrl_c
from flyte_parity.data.ledger import Divergence, Draft, RunLedger, load_ledger
from flyte_parity.reports.matrix import build as build_matrix
from flyte_parity.reports.matrix import render as render_matrix
from flyte_parity.reports.matrix import columns as matrix_columns
from flyte_parity.reports.matrix import render_compact
from flyte_parity.reports.matrix import splice as splice_matrix
from flyte_parity.reports.matrix import summary as matrix_summary
from flyte_parity.modes.registrations import RegisterRun

# Which parametrised argument names a test's pair (or type row) and mode.
_ROW_PARAMS = {"local_case": "execute-local", "idl_pair": "idl", "entrypoint_case": "entrypoint",
               "bad_inputs_pair": "bad-inputs", "register_pair": "register", "flytectl_pair": "flytectl",
               "execution_pair": "execution",
               "type_entry": "types"}

# Which parametrised argument names a case whose SDK work the case runner does, and its kind.
_CASE_PARAMS = {"entrypoint_case": "entrypoint", "local_case": "execute-local", "type_entry": "types",
                "bad_inputs_pair": "bad-inputs"}

DEFAULT_CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"
DEFAULT_LEDGER = paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"
README = paths.REPO_ROOT / "README.md"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flyte-parity")
    group.addoption(
        "--catalogue", default=str(DEFAULT_CATALOGUE),
        help="catalogue of JVM/Python pairs (default: tests/parity/catalogue.toml)",
    )
    group.addoption(
        "--ledger", default=str(DEFAULT_LEDGER),
        help="known divergences (default: tests/parity/ledger.toml)",
    )
    group.addoption(
        "--reports", default=str(paths.REPO_ROOT / "reports"),
        help="folder for the run's reports (default: reports/)",
    )
    group.addoption(
        "--jvm-build", default=None,
        help="the JVM build to run (a folder name under jvm/target, e.g. mvn-0.3.20; default: "
             "$FLYTE_PARITY_JVM_BUILD, else jvm/target/current, the last `make jvm`)",
    )
    group.addoption(
        "--ledger-draft", default=None,
        help="append a draft ledger entry for every unexplained difference to this file (for maintainers "
             "settling a new SDK version; the entries still need topic, why and source)",
    )
    group.addoption(
        "--flyte-backend", default="local", choices=BACKENDS,
        help="the FlyteAdmin register mode uses: local (started for the run on loopback; needs "
             "FLYTEADMIN_BIN or `make flyteadmin`), remote (FLYTE_PLATFORM_URL and FLYTE_STAGING_LOCATION "
             "from the environment or .env.local) or sandbox (the Flyte sandbox; needs Docker)",
    )
    group.addoption(
        "--parity-workers", type=int, default=os.cpu_count() or 1,
        help="how many cases' SDK work runs at once, ahead of the tests that check it (default: the "
             "number of cores; 0: each test runs its own case when it comes)",
    )
    group.addoption(
        "--flytekit-version", default=None,
        help="the flytekit version this run must use (refused if the virtualenv has another; "
             "`make parity FLYTEKIT_VERSION=...` installs it)",
    )
    group.addoption(
        "--flytekit-java-version", default=None,
        help="the flytekit-java version this run must use (refused if jvm/ was built with another; "
             "`make parity FLYTEKIT_JAVA_VERSION=...` builds it)",
    )


def pytest_configure(config: pytest.Config) -> None:
    importlib.import_module("flytekit")  # once, here: its SIGINT handler is replaced before any test runs
    keep_ctrl_c()
    build = config.getoption("--jvm-build", default=None)
    if build:
        os.environ[paths.BUILD_VARIABLE] = build  # for the drivers and every process they start


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse a run whose SDKs are not the versions asked for, naming the command that fixes it."""
    config = session.config
    config._flyte_parity_started = time.time()
    launches.resume()
    wanted = {"flytekit": (config.getoption("--flytekit-version"), versions.flytekit(), "FLYTEKIT_VERSION"),
              "flytekit-java": (config.getoption("--flytekit-java-version"), versions.flytekit_java(),
                                "FLYTEKIT_JAVA_VERSION")}
    for sdk, (asked, found, variable) in wanted.items():
        if asked and asked != found:
            pytest.exit(f"flyte-parity: {sdk} {asked} was asked for, but this checkout has {found}; "
                        f"run `make parity {variable}={asked}`", returncode=2)


def _java_version() -> str:
    """The flytekit-java version of the JVM build in use; stops the session when there is none."""
    found = versions.flytekit_java()
    if found == "not built":
        pytest.exit(f"flyte-parity: no JVM build at {paths.jvm_build()}; run `make jvm` (or `make parity`)",
                    returncode=2)
    return found


def _catalogue(config: pytest.Config) -> Catalogue:
    """The catalogue as the flytekit-java version of this run sees it (Catalogue.at)."""
    cached = getattr(config, "_flyte_parity_catalogue", None)
    if cached is None:
        try:
            cached = load_catalogue(Path(config.getoption("--catalogue")), paths.REPO_ROOT).at(_java_version())
        except UsageError as err:
            pytest.exit(f"flyte-parity: {err}", returncode=2)
        config._flyte_parity_catalogue = cached
    return cached


def _ledger(config: pytest.Config) -> list[Divergence]:
    """The ledger entries that apply to this run's flytekit-java and flytekit versions."""
    try:
        return load_ledger(Path(config.getoption("--ledger"))).applicable(_java_version(), versions.flytekit())
    except UsageError as err:
        pytest.exit(f"flyte-parity: {err}", returncode=2)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "local_case" in metafunc.fixturenames:
        cases = _catalogue(metafunc.config).cases("execute-local")
        metafunc.parametrize("local_case", cases, ids=[c.id for c in cases])
    if "entrypoint_case" in metafunc.fixturenames:
        cases = _catalogue(metafunc.config).cases("entrypoint")
        metafunc.parametrize("entrypoint_case", cases, ids=[c.id for c in cases])
    if "type_entry" in metafunc.fixturenames:
        entries = _catalogue(metafunc.config).types
        metafunc.parametrize("type_entry", entries, ids=[e.id for e in entries])
    for fixture, mode in (("idl_pair", "idl"), ("bad_inputs_pair", "bad-inputs"), ("register_pair", "register"),
                          ("flytectl_pair", "flytectl"), ("execution_pair", "execution")):
        if fixture in metafunc.fixturenames:
            pairs = _catalogue(metafunc.config).pairs_in(mode)
            metafunc.parametrize(fixture, pairs, ids=[p.id for p in pairs])


@pytest.fixture(scope="session")
def parity_catalogue(pytestconfig: pytest.Config) -> Catalogue:
    return _catalogue(pytestconfig)


@pytest.fixture(scope="session")
def jvm_driver(tmp_path_factory: pytest.TempPathFactory) -> JvmDriver:
    return JvmDriver(tmp_path_factory.mktemp("jvm"))


@pytest.fixture(scope="session")
def python_driver(tmp_path_factory: pytest.TempPathFactory):
    driver = PythonDriver(tmp_path_factory.mktemp("python"))
    driver.build()
    yield driver
    driver.close()  # the pyflyte-execute fork parent, on success, failure and Ctrl-C alike


@pytest.fixture(scope="session")
def case_runner(pytestconfig: pytest.Config, jvm_driver, python_driver, tmp_path_factory: pytest.TempPathFactory):
    runner = CaseRunner(jvm_driver, python_driver, tmp_path_factory.mktemp("cases"),
                        max(0, pytestconfig.getoption("--parity-workers")))
    yield runner
    runner.close()  # before the drivers' teardown (the fork parent), on Ctrl-C too


@pytest.fixture(scope="session", autouse=True)
def _cases_started(request: pytest.FixtureRequest) -> None:
    """At the session's first test: start the SDK work of every selected case, in test order."""
    planned = [(kind, item.callspec.params[name]) for item in request.session.items
               for name, kind in _CASE_PARAMS.items() if name in getattr(getattr(item, "callspec", None), "params", {})]
    if planned and request.config.getoption("--parity-workers") > 0:
        runner = request.getfixturevalue("case_runner")
        for kind, subject in planned:
            runner.submit(kind, subject)


def pytest_keyboard_interrupt(excinfo) -> None:
    """Ctrl-C: no SDK process starts from now on, and the running ones are ended (worker threads
    do not see the interrupt themselves)."""
    launches.stop()


@pytest.fixture(scope="session")
def flyte_backend(pytestconfig: pytest.Config):
    """The FlyteAdmin of register mode (``--flyte-backend``), one for the session, stopped at its end.
    No admin binary fails the tests that need it, in one line saying how to get one."""
    name = pytestconfig.getoption("--flyte-backend")
    try:
        with backend(name) as running:
            yield running
    except BackendUnavailable as err:
        pytest.skip(str(err))
    except UsageError as err:
        pytest.fail(f"flyte-parity: {err}", pytrace=False)


@pytest.fixture(scope="session")
def flytectl_binary() -> Path:
    """flytectl for the flytectl mode; without one, its tests fail in one line saying how to get it."""
    try:
        return flytectl.flytectl_binary()
    except UsageError as err:
        pytest.fail(f"flyte-parity: {err}", pytrace=False)


@pytest.fixture(scope="session")
def register_run(flyte_backend, jvm_driver, python_driver, tmp_path_factory: pytest.TempPathFactory) -> RegisterRun:
    return RegisterRun(flyte_backend, jvm_driver, python_driver, tmp_path_factory.mktemp("register"))


@pytest.fixture(scope="session")
def ledger(pytestconfig: pytest.Config) -> list[Divergence]:
    draft = pytestconfig.getoption("--ledger-draft")
    return RunLedger(_ledger(pytestconfig), Draft(Path(draft), _java_version()) if draft else None)


@pytest.fixture(scope="session")
def reports_dir(pytestconfig: pytest.Config) -> Path:
    folder = Path(pytestconfig.getoption("--reports"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    if callspec is None or (report.when != "call" and report.outcome == "passed"):
        return
    for name, mode in _ROW_PARAMS.items():
        if name in callspec.params:
            subject = callspec.params[name]
            row = subject.pair.id if hasattr(subject, "pair") else subject.id
            results = item.config.__dict__.setdefault("_flyte_parity_outcomes", {})
            results.setdefault((row, mode), []).append(report.outcome)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    outcomes = config.__dict__.get("_flyte_parity_outcomes")
    if not outcomes:
        return
    catalogue = _catalogue(config)
    ledger_entries = _ledger(config)
    rows, counts = build_matrix(catalogue, outcomes, ledger_entries)
    folder = Path(config.getoption("--reports"))
    folder.mkdir(parents=True, exist_ok=True)
    header = versions.line() + "."
    names = matrix_columns(catalogue)
    report = render_matrix(rows, counts, header, names)
    drift = folder / "schema-drift.md"
    if drift.is_file() and drift.stat().st_mtime >= config.__dict__.get("_flyte_parity_started", float("inf")):
        report += "\n" + drift.read_text(encoding="utf-8")  # written by this session's drift test
    (folder / "parity-matrix.md").write_text(report, encoding="utf-8")
    names_by_column = list(names)
    kinds = {(row, names_by_column[i]): c.kind for row, cells in rows for i, c in enumerate(cells)}
    kinds.update({(row, "types"): cells[0].kind for row, cells in rows if row.startswith("types/")})
    topics = Counter(d.topic for d in ledger_entries if kinds.get((d.pair, d.mode)) == "ledger")
    (folder / "matrix.json").write_text(json.dumps({
        "topics": dict(topics),
        "flytekit_java": versions.flytekit_java(), "flytekit_java_commit": versions.flytekit_java_commit(),
        "flytekit": versions.flytekit(), "header": header,
        "cells": {row: {names_by_column[i]: {"kind": c.kind, "text": c.text, "reason": c.reason}
                        for i, c in enumerate(cells) if c.kind} for row, cells in rows},
        "counts": dict(counts),
    }, indent=1, sort_keys=True), encoding="utf-8")
    terminalreporter.write_line(f"{matrix_summary(counts)} (reports/parity-matrix.md)")
    # The README shows the matrix of the latest full run of the default catalogue and ledger.
    full = counts.get("not run", 0) == 0
    default = (Path(config.getoption("--catalogue")).resolve() == DEFAULT_CATALOGUE.resolve()
               and Path(config.getoption("--ledger")).resolve() == DEFAULT_LEDGER.resolve()
               and versions.is_pinned_build())
    if full and default and README.exists():
        text = README.read_text(encoding="utf-8")
        updated = splice_matrix(text, render_compact(rows, counts, header, names))
        if updated != text:
            README.write_text(updated, encoding="utf-8")
            terminalreporter.write_line("README.md: parity matrix updated from this run")
