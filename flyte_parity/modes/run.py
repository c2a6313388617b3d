"""One parity session as the modes see it: the catalogue and ledger of this run, both SDKs behind
one interface (made when first needed), the case runner, the FlyteAdmin backend (started when a
mode first needs it, stopped at the end), where reports go, and ``check`` — one subject run
through its mode and judged against the ledger."""

from __future__ import annotations

import os
import threading
from contextlib import ExitStack
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import Catalogue
from flyte_parity.data.ledger import check
from flyte_parity.idl.entities import EntitySet
from flyte_parity.modes import registry
from flyte_parity.modes.base import Subject
from flyte_parity.modes.case_runner import CaseRunner
from flyte_parity.reports.folder import ReportFolder
from flyte_parity.sdk.driver import Driver
from flyte_parity.sdk.jvm import JvmDriver
from flyte_parity.sdk.package import load_entities
from flyte_parity.sdk.python import PythonDriver

load = lru_cache(maxsize=None)(load_entities)  # each serialization folder read once per process
NEEDS = {"admin": "backend", "cluster": "backend", "flytectl": "flytectl"}  # what a mode may need -> the session's method that provides it


class NotAvailable(Exception):
    """A subject cannot run on this host; the message says what is missing and how to get it."""


class ParityRun:
    def __init__(self, catalogue: Catalogue, ledger, reports: ReportFolder, work: Path, workers: int = 0,
                 backend: str = "local", options: dict[str, Any] | None = None) -> None:
        self.catalogue, self.ledger, self.reports, self.work = catalogue, ledger, reports, work
        self.backend_name = backend
        self.options = dict(options or {})  # opt-in run options (see the pytest plugin's options)
        self._runner = CaseRunner(workers)
        self._stack = ExitStack()
        self._lock = threading.RLock()
        self._sdks: Sides[Driver] | None = None
        self._folders = 0
        # (row, mode) -> the ledger entries that explained what its subjects found (the matrix's topics)
        self.explained: dict[tuple[str, str], list] = {}
        self._testees = 0  # testees started (each Python one keeps to the next core)
        self.value_runs: dict[str, Any] = {}  # type row -> what the values mode saw (the report's numbers)
        self.selected: list[Subject] = []  # the subjects this session runs, in order (``start``)
        entities: dict[tuple, list[str]] = {}
        for pair in catalogue.pairs:
            entities.setdefault((pair.kind, pair.source.name, pair.jvm_class, pair.jvm), []).append(pair.id)
        # a pair id -> every pair id with the same JVM entity (its known differences travel with it)
        self._sharing = {pid: ids for ids in entities.values() for pid in ids}

    # --- the SDKs ---
    @property
    def sdks(self) -> Sides[Driver]:
        """Both drivers, made on first use (the Python one imports flytekit) and closed at the end."""
        with self._lock:
            if self._sdks is None:
                python = PythonDriver(self.work / "python")
                python.build()
                self._stack.callback(python.close)
                self._sdks = Sides(JvmDriver(self.work / "jvm"), python)
                for driver in self._sdks:
                    driver.results = self.options.get("results")  # SDK results kept by what produced them
            return self._sdks

    def serialized(self, side: str, source) -> EntitySet:
        """What one SDK serializes for a source (each serialized once per session)."""
        return load(self.sdks[side].serialize(source))

    def entities(self, sources: Sides) -> Sides[EntitySet]:
        """What each SDK serializes for these sources."""
        return Sides.of(lambda side: self.serialized(side, sources[side]))

    def folder(self, subject: Subject) -> Path:
        """A fresh work folder for one subject's task runs."""
        with self._lock:
            self._folders += 1
            number = self._folders
        folder = self.work / "cases" / f"{number:03d}-{subject.mode}-{subject.id.replace('/', '__')}"
        folder.mkdir(parents=True)
        return folder

    def until_end(self, manager):
        """Enter a context manager for the rest of the session (left when the session closes)."""
        with self._lock:
            return self._stack.enter_context(manager)

    def shared(self, key: str, make: Callable[[], Any]) -> Any:
        """A result several subjects share (made once; its exception is raised to each of them)."""
        return self._runner.result(("shared", key), make)

    # --- services ---
    def backend(self):
        """The session's FlyteAdmin (``--flyte-backend``), started on first use."""
        def start():
            from flyte_parity.services.backends import BackendUnavailable, backend
            try:
                return self._stack.enter_context(backend(self.backend_name))
            except BackendUnavailable as err:
                raise NotAvailable(str(err)) from None
        return self.shared("backend", start)

    def registrations(self):
        """Each side registered into the backend at most once per session, read back from admin."""
        from flyte_parity.modes.registrations import RegisterRun
        return self.shared("registrations", lambda: RegisterRun(self.backend(), self.sdks, self.work / "register"))

    def testee(self, side: str, env: dict[str, str] | None = None, worker: str | None = None):
        """A long-lived testee of one side (and, for Python, one extra environment) for a case-runner
        worker (``worker``: the calling thread's name when not given) — one per worker, so that rows
        run side by side — started on first use and stopped at the end of the session."""
        key = f"testee:{side}:{sorted((env or {}).items())}:{worker or threading.current_thread().name}"

        def start():
            with self._lock:
                cores = sorted(os.sched_getaffinity(0))
                cpu = cores[self._testees % len(cores)]
                self._testees += 1
            testee = self.sdks[side].testee(self.testee_sources(side), dict(env or {}), self.work / "testees", cpu)
            with self._lock:
                return self._stack.enter_context(testee)
        return self.shared(key, start)

    def testee_sources(self, side: str) -> list:
        """The sources a side's testee runs tasks of: every available type-table row's."""
        return sorted({entry.sources[side] for entry in self.catalogue.types if not entry.unavailable},
                      key=lambda source: source.name)

    def flytectl(self) -> Path:
        from flyte_parity.services.flytectl import flytectl_binary
        return self.shared("flytectl", flytectl_binary)

    # --- running and judging one subject ---
    def _work(self, subject: Subject) -> Callable[[], Any]:
        mode = registry.get(subject.mode)

        def work() -> Any:
            for need in mode.needs:
                if need not in NEEDS:
                    raise ValueError(f"mode {mode.name} needs {need!r}; a session provides {', '.join(NEEDS)}")
                getattr(self, NEEDS[need])()
            return mode.work(subject, self)
        return work

    def start(self, subjects: list[Subject]) -> None:
        """Start the SDK work of every subject whose mode allows it, in this order."""
        self.selected = list(subjects)
        for subject in subjects:
            if registry.get(subject.mode).ahead:
                self._runner.submit(subject.test_id, self._work(subject))

    def result(self, subject: Subject) -> Any:
        return self._runner.result(subject.test_id, self._work(subject))

    def check(self, subject: Subject) -> str | None:
        """Run one subject (or take its result) and judge it: None when every difference is a
        ledger entry and every entry reproduces, else the explanation a reader needs. Raises
        NotAvailable (skip) or UsageError (bad input: one line)."""
        mode = registry.get(subject.mode)
        verdict = mode.judge(subject, self, self.result(subject))
        verdict_check = check(self.ledger, subject.row, mode.name, verdict.found, within=verdict.within,
                              sharing=self._sharing.get(subject.row, ()))
        with self._lock:
            self.explained.setdefault((subject.row, mode.name), []).extend([*verdict_check.explained,
                                                                            *verdict.explained])
        if verdict_check.ok and not verdict.problems:
            return None
        lines = list(verdict.problems)
        if not verdict_check.ok:
            lines.append(verdict_check.explain(subject.row, mode.name))
        if verdict.detail:
            lines.append(verdict.detail)
        return "\n".join(lines)

    def close(self) -> None:
        """Drop work not started, wait for running work, then stop the drivers and services."""
        self._runner.close()
        self._stack.close()

