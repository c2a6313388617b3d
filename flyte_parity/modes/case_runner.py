"""The session's case runner: the SDK work of every selected subject whose mode allows it starts
ahead of the test that checks it, a few at a time, so that both cores stay busy while pytest runs
one test at a time.

A subject's work is exactly what its test would otherwise do itself (the same drivers, the same
task runs, each its own OS process); the test takes the result (or the exception the work raised)
and checks it. With no workers each test does its own work when it asks for it. Ctrl-C:
``launches.stop()`` refuses new SDK processes and ends the running ones, and ``close`` drops the
work not started.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Hashable


class CaseRunner:
    """Runs work in ``workers`` threads, keyed by the caller's key; ``result`` waits for it."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flyte-parity-case") if workers else None
        self._futures: dict[Hashable, Future] = {}
        self._lock = threading.Lock()

    def submit(self, key: Hashable, work: Callable[[], Any]) -> None:
        """Start one piece of work (once; later calls for the same key do nothing)."""
        if self._pool is None:
            return
        with self._lock:
            if key not in self._futures:
                self._futures[key] = self._pool.submit(work)

    def result(self, key: Hashable, work: Callable[[], Any]) -> Any:
        """The work's result: waits for work already started, or does the work now."""
        with self._lock:
            future = self._futures.get(key)
            run_here = future is None
            if run_here:
                future = self._futures[key] = Future()
        if run_here:
            try:
                future.set_result(work())
            except BaseException as err:
                future.set_exception(err)
        return future.result()

    def close(self) -> None:
        """Drop the work not started; wait for the work running (its SDK processes end with the run)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
