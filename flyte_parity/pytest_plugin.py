"""The pytest plugin: every registered mode's subjects as tests, one session per run, the ledger,
and the matrix at the end.

A test that takes ``parity_subject`` runs once per subject of every mode in the registry
(``flyte_parity.modes.registry``), with the id ``<mode>:<subject>`` (so ``-k <mode>`` selects a
mode); ``parity_run`` is the session (``modes.run.ParityRun``: the SDK drivers, the case runner,
the FlyteAdmin backend, the reports folder). The SDK work of the selected subjects whose mode
allows it starts at the session's first test, ``--parity-workers`` at a time; each test checks its
own subject. At the end the matrix of the modes that ran is written to the reports folder; the
README is refreshed only by ``make readme``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from flyte_parity import modes  # noqa: F401  (registers the built-in modes)
from flyte_parity.base import paths, versions
from flyte_parity.base.errors import UsageError
from flyte_parity.data.catalogue import Catalogue, load_catalogue
from flyte_parity.data.ledger import Draft, RunLedger, load_ledger
from flyte_parity.modes import registry
from flyte_parity.modes.base import Subject
from flyte_parity.modes.run import NotAvailable, ParityRun
from flyte_parity.reports.folder import ReportFolder
from flyte_parity.sdk.results import ResultStore, default_root
from flyte_parity.reports.matrix import Column, build, merge, render, summary
from flyte_parity.reports import dashboard, values_report
from flyte_parity.sdk import launches
from flyte_parity.services.backends import BACKENDS
from flyte_parity.services.preflight import need_missing, parse_needs

DEFAULT_CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"
DEFAULT_LEDGER = paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flyte-parity")
    group.addoption("--catalogue", default=str(DEFAULT_CATALOGUE),
                    help="catalogue of JVM/Python pairs (default: tests/parity/catalogue.toml)")
    group.addoption("--ledger", default=str(DEFAULT_LEDGER),
                    help="known divergences (default: tests/parity/ledger.toml)")
    group.addoption("--reports", default=str(paths.REPO_ROOT / "reports"),
                    help="folder for the run's reports (default: reports/)")
    group.addoption("--jvm-build", default=None,
                    help="the JVM build to run (a folder name under jvm/target, e.g. mvn-0.3.20; default: "
                         "$FLYTE_PARITY_JVM_BUILD, else jvm/target/current, the last `make jvm`)")
    group.addoption("--ledger-draft", default=None,
                    help="append a draft ledger entry for every unexplained difference to this file (for "
                         "maintainers settling a new SDK version; each entry still needs its topic)")
    group.addoption("--flyte-backend", default=None, choices=BACKENDS,
                    help="the Flyte the admin modes use: local-cluster (default: a whole data plane started for "
                         "the run on loopback — FlyteAdmin, Kubernetes, FlytePropeller, datacatalog — with "
                         "both SDKs' images built here), local (FlyteAdmin alone, nothing executes; the "
                         "default with --without cluster), remote (FLYTE_PLATFORM_URL and "
                         "FLYTE_STAGING_LOCATION from the environment or .env.local) or sandbox (the Flyte "
                         "sandbox image; needs Docker and the image)")
    group.addoption("--jflyte-legacy-env", action="store_true", default=False,
                    help="opt-in: give JVM executions FLYTE_INTERNAL_PROJECT/DOMAIN/VERSION, which FlytePropeller "
                         "set before v1.16.2 and flytekit-java 0.4.62 reads; off, JVM tasks fail as for users")
    group.addoption("--values-examples", type=int, default=200,
                    help="how many generated values the values mode tries per type row, besides its rules' "
                         "witnesses (default: 200)")
    group.addoption("--values-seed", type=int, default=None,
                    help="the values mode's Hypothesis seed (default: the one kept with the SDK results, so a "
                         "rerun sends the same values; a new one per run when the store is off; printed, pass it "
                         "to replay a run)")
    group.addoption("--no-result-cache", action="store_true", default=False,
                    help="run every SDK invocation, replaying none from .flyte-parity/results (the store is "
                         "off anyway when CI=true; `make clean-results` empties it)")
    group.addoption("--parity-workers", type=int, default=os.cpu_count() or 1,
                    help="how many subjects' SDK work runs at once, ahead of the tests that check it (default: "
                         "the number of cores; 0: each test runs its own subject when it comes)")
    group.addoption("--without", default="",
                    help="leave out the modes that need these (admin: a FlyteAdmin; flytectl; cluster: a data "
                         "plane that runs executions), comma- or "
                         "space-separated; `make parity WITHOUT=admin` passes it")
    group.addoption("--flytekit-version", default=None,
                    help="the flytekit version this run must use (refused if the virtualenv has another; "
                         "`make parity FLYTEKIT_VERSION=...` installs it)")
    group.addoption("--flytekit-java-version", default=None,
                    help="the flytekit-java version this run must use (refused if jvm/ was built with another; "
                         "`make parity FLYTEKIT_JAVA_VERSION=...` builds it)")


def backend_name(config: pytest.Config) -> str:
    """``--flyte-backend``, else local-cluster — or local when the run leaves the data plane out."""
    chosen = config.getoption("--flyte-backend", default=None)
    if chosen:
        return chosen
    try:
        without = parse_needs(config.getoption("--without", default=""))
    except UsageError:
        without = set()
    return "local" if "cluster" in without else "local-cluster"


def values_seed(config: pytest.Config) -> int:
    """``--values-seed``, else the result store's kept seed (a rerun sends the same values), else
    one made for this run (the same for the whole session)."""
    if getattr(config, "_flyte_parity_values_seed", None) is None:
        given = config.getoption("--values-seed", default=None)
        store = result_store(config)
        if given is None:
            given = store.kept_seed() if store is not None else int.from_bytes(os.urandom(4), "big")
        config._flyte_parity_values_seed = given
    return config._flyte_parity_values_seed


def pytest_configure(config: pytest.Config) -> None:
    build_id = config.getoption("--jvm-build", default=None)
    if build_id:
        os.environ[paths.BUILD_VARIABLE] = build_id  # for the drivers and every process they start


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse a run whose SDKs are not the versions asked for, naming the command that fixes it."""
    config = session.config
    launches.resume()
    wanted = {"flytekit": (config.getoption("--flytekit-version"), versions.flytekit(), "FLYTEKIT_VERSION"),
              "flytekit-java": (config.getoption("--flytekit-java-version"), versions.flytekit_java(),
                                "FLYTEKIT_JAVA_VERSION")}
    for sdk, (asked, found, variable) in wanted.items():
        if asked and asked != found:
            pytest.exit(f"flyte-parity: {sdk} {asked} was asked for, but this checkout has {found}; "
                        f"run `make parity {variable}={asked}`", returncode=2)


class _Refused(Exception):
    """The run cannot start: ``str()`` is the one line to end it with."""


def _java_version_or_refuse() -> str:
    found = versions.flytekit_java()
    if found == "not built":
        raise _Refused(f"flyte-parity: no JVM build at {paths.jvm_build()}; run `make jvm` (or `make parity`)")
    return found


def _catalogue(config: pytest.Config) -> Catalogue:
    """The catalogue as this run's SDK versions see it, checked against the modes (one line on error)."""
    cached = getattr(config, "_flyte_parity_catalogue", None)
    if cached is None:
        path = Path(config.getoption("--catalogue"))
        try:
            java = _java_version_or_refuse()
            cached = registry.resolve(load_catalogue(path, paths.REPO_ROOT).at(java), java, versions.flytekit())
        except UsageError as err:
            raise _Refused(f"flyte-parity: {err}") from None
        except (KeyError, TypeError, ValueError) as err:
            raise _Refused(f"flyte-parity: catalogue {path}: {type(err).__name__}: {err}; fix the file") from None
        config._flyte_parity_catalogue = cached
    return cached


def _ledger(config: pytest.Config) -> RunLedger:
    """The ledger entries that apply to this run's versions (and where unexplained ones are drafted)."""
    cached = getattr(config, "_flyte_parity_ledger", None)
    if cached is None:
        try:
            java = _java_version_or_refuse()
            ledger = load_ledger(Path(config.getoption("--ledger")))
            legacy = bool(config.getoption("--jflyte-legacy-env"))
            entries = ledger.applicable(java, versions.flytekit(), legacy)
        except UsageError as err:
            pytest.exit(f"flyte-parity: {err}", returncode=2)
        except _Refused as refused:
            pytest.exit(str(refused), returncode=2)
        draft = config.getoption("--ledger-draft")
        cached = config._flyte_parity_ledger = RunLedger(entries, Draft(Path(draft), java, legacy) if draft else None,
                                                         ledger.topics)
    return cached


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every mode's subjects. A catalogue the run cannot use is said once, after collection (an
    exit raised while a module is collected would come with pytest's collection traceback)."""
    if "parity_subject" in metafunc.fixturenames:
        try:
            catalogue = _catalogue(metafunc.config)
        except _Refused as refused:
            metafunc.config._flyte_parity_refused = str(refused)
            metafunc.parametrize("parity_subject", [])
            return
        subjects = [s for mode in registry.modes() for s in mode.subjects(catalogue)]
        metafunc.parametrize("parity_subject", subjects, ids=[s.test_id for s in subjects])


def _subject(item: pytest.Item) -> Subject | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    found = params.get("parity_subject")
    return found if isinstance(found, Subject) else None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--without``: the subjects of modes that need a left-out part are deselected."""
    try:
        without = parse_needs(config.getoption("--without"))
    except UsageError as err:
        raise pytest.UsageError(f"flyte-parity: {err}") from None
    if not without:
        return
    kept, dropped = [], []
    for item in items:
        subject = _subject(item)
        left_out = subject is not None and without & set(registry.get(subject.mode).needs)
        (dropped if left_out else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """End a run that cannot start in its one line; else note which subjects it selected (after -k
    and -m), in test order, and mark those whose mode needs a part this machine lacks as not run."""
    config = session.config
    refused = getattr(config, "_flyte_parity_refused", None)
    if refused:
        pytest.exit(refused, returncode=2)
    selected = [(s, item) for item in session.items if (s := _subject(item)) is not None]
    missing = {need: need_missing(need) for need in {n for s, _ in selected for n in registry.get(s.mode).needs}
               if backend_name(config).startswith("local")}
    not_run = {}
    for subject, item in selected:
        lacking = [line for need in registry.get(subject.mode).needs for line in missing.get(need, [])]
        if lacking:
            not_run[subject.test_id] = lacking[0]
            item.add_marker(pytest.mark.skip(reason=f"not run: {lacking[0]}"))
    config._flyte_parity_not_run = not_run
    config._flyte_parity_selected = [s for s, _ in selected if s.test_id not in not_run]


@pytest.fixture(scope="session")
def parity_catalogue(pytestconfig: pytest.Config) -> Catalogue:
    try:
        return _catalogue(pytestconfig)
    except _Refused as refused:
        pytest.exit(str(refused), returncode=2)


@pytest.fixture(scope="session")
def parity_run(pytestconfig: pytest.Config, parity_catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory):
    """The session: made at the first parity test, the SDK work of every selected subject started
    (in test order), stopped at the end — on failure and Ctrl-C too."""
    folder = Path(pytestconfig.getoption("--reports"))
    run = ParityRun(parity_catalogue, _ledger(pytestconfig), ReportFolder(folder),
                    tmp_path_factory.mktemp("parity"), max(0, pytestconfig.getoption("--parity-workers")),
                    backend_name(pytestconfig), {"jflyte_legacy_env": pytestconfig.getoption("--jflyte-legacy-env"),
                                                 "values_examples": pytestconfig.getoption("--values-examples"),
                                                 "values_seed": values_seed(pytestconfig),
                                                 "results": result_store(pytestconfig)})
    pytestconfig._flyte_parity_explained = run.explained  # the matrix's ledger topics, read at the end
    pytestconfig._flyte_parity_value_runs = run.value_runs  # the values mode's numbers, read at the end
    try:
        run.sdks  # here, in the main thread: flytekit's import replaces the SIGINT handler, which is put back
        run.start(getattr(pytestconfig, "_flyte_parity_selected", []))
        yield run
    finally:
        run.close()


def result_store(config: pytest.Config) -> ResultStore | None:
    """The session's store of SDK results, or None: off in CI (CI=true) and with --no-result-cache."""
    cached = config.__dict__.get("_flyte_parity_results", False)
    if cached is False:
        off = config.getoption("--no-result-cache") or os.environ.get("CI", "").lower() in ("true", "1")
        cached = config.__dict__["_flyte_parity_results"] = None if off else ResultStore(default_root())
    return cached


def check(subject: Subject, run) -> None:
    """Run one subject and fail with its explanation only (no traceback), or skip with what is missing."""
    try:
        failure = run.check(subject)
    except NotAvailable as missing:
        pytest.skip(str(missing))
    except UsageError as err:
        pytest.fail(f"flyte-parity: {err}", pytrace=False)
    if failure:
        pytest.fail(failure, pytrace=False)


def pytest_keyboard_interrupt(excinfo) -> None:
    """Ctrl-C: no SDK process starts from now on, and the running ones are ended (worker threads
    do not see the interrupt themselves)."""
    launches.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    subject = _subject(item)
    if subject is None or (report.when != "call" and report.outcome == "passed"):
        return
    results = item.config.__dict__.setdefault("_flyte_parity_outcomes", {})
    lacking = getattr(item.config, "_flyte_parity_not_run", {}).get(subject.test_id)
    results.setdefault((subject.row, subject.mode), []).append(f"not run: {lacking}" if lacking else report.outcome)
    if report.failed:
        failures = item.config.__dict__.setdefault("_flyte_parity_failures", {})
        failures.setdefault((subject.row, subject.mode), []).append(report.longreprtext)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run some of whose subjects could not run for a missing part is incomplete: not a success."""
    if getattr(session.config, "_flyte_parity_not_run", None) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _previous(path: Path) -> dict | None:
    """The matrix an earlier run wrote here, if it can be read (partial runs keep its cells)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """The matrix of the modes this run selected: reports/parity-matrix.md and matrix.json."""
    selected = getattr(config, "_flyte_parity_selected", [])
    not_run = getattr(config, "_flyte_parity_not_run", {})
    if any(s.mode == "values" for s in selected):
        seed = values_seed(config)
        value_runs = getattr(config, "_flyte_parity_value_runs", {})
        written = ReportFolder(Path(config.getoption("--reports"))).document(
            "values.md", values_report.render(value_runs, seed, versions.line() + "."))
        kept = config.getoption("--values-seed", default=None) is None and result_store(config) is not None
        terminalreporter.write_line(f"values mode: seed {seed} (replay with --values-seed={seed}"
                                    + ("; kept with the SDK results, so reruns send the same values: "
                                       "`make clean-results` or --no-result-cache draws new ones" if kept else "")
                                    + f"); {sum(r.tried for r in value_runs.values())} values tried ({written})")
    store = config.__dict__.get("_flyte_parity_results")
    if store is not None:
        terminalreporter.write_line(f"SDK results: {store.replayed} replayed from {store.root}, {store.recorded} "
                                    "recorded (--no-result-cache: run every one)")
    outcomes = config.__dict__.get("_flyte_parity_outcomes")
    if not outcomes:
        return
    catalogue = _catalogue(config)
    ran = {s.mode for s in selected} | {test_id.partition(":")[0] for test_id in not_run}
    columns = [Column(m.name, m.table, m.cells(catalogue)) for m in registry.modes() if m.name in ran]
    default = (Path(config.getoption("--catalogue")).resolve() == DEFAULT_CATALOGUE.resolve()
               and Path(config.getoption("--ledger")).resolve() == DEFAULT_LEDGER.resolve())
    matrix = build(columns, outcomes, getattr(config, "_flyte_parity_explained", {}), header=versions.line() + ".",
                   absent={p.id: p.absent for p in catalogue.pairs if p.absent},
                   pending={f"{cls} ({source})": why for (source, cls), why in sorted(catalogue.pending.items())},
                   versions={"flytekit_java": versions.flytekit_java(),
                             "flytekit_java_commit": versions.flytekit_java_commit(),
                             "flytekit": versions.flytekit(), "pinned_build": versions.is_pinned_build(),
                             "default_catalogue": default},
                   ran_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   failures=config.__dict__.get("_flyte_parity_failures", {}),
                   replayed=store.replayed if store is not None else None)
    reports = ReportFolder(Path(config.getoption("--reports")))
    matrix = merge(_previous(reports.root / "matrix.json"), matrix)
    reports.document("matrix.json", json.dumps(matrix, indent=1, sort_keys=True, ensure_ascii=False))
    written = reports.document("parity-matrix.md", render(matrix))
    terminalreporter.write_line(f"{summary(matrix['counts'], matrix['kept'])} ({written})")
    page = dashboard.write(reports.root / "html", matrix, _ledger(config).topics, reports.root,
                           getattr(config, "_flyte_parity_value_runs", {}))
    terminalreporter.write_line(f"parity dashboard: {page}")
    for reason in sorted(set(not_run.values())):
        count = sum(1 for r in not_run.values() if r == reason)
        terminalreporter.write_line(f"flyte-parity: incomplete: {count} test(s) not run: missing {reason}")

