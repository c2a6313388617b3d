"""The session's case runner: the SDK work of every selected case starts ahead of the test that
checks it, a few cases at a time, so that both cores stay busy while pytest runs one test at a time.

A case's work is exactly what its test would otherwise do itself (the same drivers, the same task
runs, each its own OS process); the test takes the result (or the exception the work raised) and
checks it as before. Kinds of work, one per mode that runs tasks:

- ``entrypoint``: a catalogue case through both container entrypoints, cross-fed (``run_pair``);
- ``execute-local``: the JVM side of an execute-local case (``jflyte execute-local``; the Python
  side is a flytekit local run in the test's own process);
- ``types``: a type-table row (``type_table.run_row``);
- ``bad-inputs``: a pair's first task fed the bad inputs (``run_bad_inputs``).

With no workers (``--parity-workers=0``) each test does its own work when it asks for it, as the
suite did before. Ctrl-C: ``launches.stop()`` refuses new SDK processes and ends the running
ones, and ``close`` drops the work not started.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Hashable

from flyte_parity.sdk import outcome
from flyte_parity.modes.entrypoint_walk import run_bad_inputs, run_pair
from flyte_parity.idl.compare import single_task_workflow
from flyte_parity.sdk.package import load_entities
from flyte_parity.modes.type_table import run_row

KINDS = ("entrypoint", "execute-local", "types", "bad-inputs")

load = lru_cache(maxsize=None)(load_entities)  # each serialization folder read once per process


class CaseRunner:
    """Runs case work in ``workers`` threads, keyed by (kind, subject id); ``result`` waits for it."""

    def __init__(self, jvm_driver, python_driver, work: Path, workers: int) -> None:
        self.jvm, self.python, self.work = jvm_driver, python_driver, work
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flyte-parity-case") if workers else None
        self._futures: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        self._folders = 0

    def submit(self, kind: str, subject: Any) -> None:
        """Start the work of one case (once; later calls for the same case do nothing)."""
        if self._pool is None:
            return
        key = (kind, subject.id)
        with self._lock:
            if key not in self._futures:
                self._futures[key] = self._pool.submit(self._work(kind, subject))

    def result(self, kind: str, subject: Any) -> Any:
        """The case's result: waits for work already started, or does the work now."""
        key = (kind, subject.id)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = Future()
                run_here = True
            else:
                run_here = False
        if run_here:
            try:
                future.set_result(self._work(kind, subject)())
            except BaseException as err:
                future.set_exception(err)
        return future.result()

    def close(self) -> None:
        """Drop the work not started; wait for the work running (its SDK processes end with the run)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _folder(self, kind: str, subject_id: str) -> Path:
        with self._lock:
            self._folders += 1
            number = self._folders
        folder = self.work / f"{number:03d}-{kind}-{subject_id.replace('/', '__')}"
        folder.mkdir(parents=True)
        return folder

    def _work(self, kind: str, subject: Any) -> Callable[[], Any]:
        jvm, python = self.jvm, self.python
        if kind == "entrypoint":
            def work() -> Any:
                pair = subject.pair
                jset, jname = load(jvm.serialize(pair.source)), pair.jvm
                pset, pname = load(python.serialize()), pair.python_entity
                if pair.kind == "task":  # a task no workflow runs: walk a one-node workflow around it
                    jset, jname = single_task_workflow(jset, jname)
                    pset, pname = single_task_workflow(pset, pname)
                return run_pair(jset, jname, pset, pname, subject.inputs, jvm, python,
                                self._folder(kind, subject.id))
        elif kind == "execute-local":
            def work() -> Any:
                return outcome.attempt(lambda: jvm.run_local(subject))
        elif kind == "types":
            def work() -> Any:
                return run_row(subject, load(jvm.serialize(subject.source)), load(python.serialize()), jvm, python,
                               self._folder(kind, subject.id))
        elif kind == "bad-inputs":
            def work() -> Any:
                return run_bad_inputs(load(jvm.serialize(subject.source)), subject.jvm, load(python.serialize()),
                                      subject.python_entity, jvm, python, self._folder(kind, subject.id))
        else:
            raise ValueError(f"unknown kind of case work {kind!r}; one of {', '.join(KINDS)}")
        return work
