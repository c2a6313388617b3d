"""The SDK processes the drivers have running, and the switch that stops them all.

Task runs are started from worker threads as well as from the main thread (the session's runner,
``flyte_parity.modes.case_runner``). A terminal's Ctrl-C reaches the main thread only: it calls
``stop()``, after which no new SDK process starts (``Stopped``) and those still running are
terminated, then killed. ``resume()`` opens the switch again for the next session in the same
process. ``held()`` makes new processes wait instead (for a test that times another session
while this one's workers would compete for the cores).
"""

from __future__ import annotations

import subprocess
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

_lock = threading.Lock()
_running: set[subprocess.Popen] = set()
_stopped = False
_open = threading.Event()  # cleared while held(): starts from other threads wait
_open.set()
_holder: int | None = None


class Stopped(RuntimeError):
    """The run is stopping: no SDK process may start now."""


def start(command: Sequence[str], **popen: Any) -> subprocess.Popen:
    """``subprocess.Popen(command, **popen)``, unless the run is stopping; call ``finished`` after.
    While ``held()``, a start from another thread waits for the hold to end."""
    while threading.get_ident() != _holder and not _open.wait(0.1):
        if _stopped:
            break
    with _lock:
        if _stopped:
            raise Stopped(f"the run is stopping: {command[0]} not started")
        process = subprocess.Popen(list(command), **popen)
        _running.add(process)
    return process


def finished(process: subprocess.Popen) -> None:
    with _lock:
        _running.discard(process)


def run(command: Sequence[str], *, timeout: float, grace: float = 5.0, **popen: Any) -> subprocess.CompletedProcess:
    """Like ``subprocess.run(command, capture_output=True, text=True, timeout=...)`` (``text=False``
    for bytes), through ``start``; the process never outlives the call (``end`` with ``grace``)."""
    popen.setdefault("text", True)
    process = start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
    try:
        out, err = process.communicate(timeout=timeout)
    except BaseException:
        end(process, grace)
        raise
    finally:
        finished(process)
    return subprocess.CompletedProcess(list(command), process.returncode, out, err)


def end(process: subprocess.Popen, grace: float = 5.0) -> None:
    """Terminate ``process``, kill it after ``grace`` seconds, and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop(grace: float = 2.0) -> None:
    """No new SDK process from now on; every running one is terminated (killed after ``grace``)."""
    global _stopped
    with _lock:
        _stopped = True
        running = list(_running)
    for process in running:
        if process.poll() is None:
            process.terminate()
    for process in running:
        end(process, grace)  # each was sent SIGTERM above, so their graces run side by side
    with _lock:
        _running.difference_update(running)


def running() -> int:
    """How many SDK processes started here are still running."""
    with _lock:
        return sum(process.poll() is None for process in _running)


@contextmanager
def held(settle: float = 120.0) -> Iterator[None]:
    """No SDK process starts from another thread while the block runs (those starts wait, they are
    not refused); the block begins once the processes already running have ended (at most
    ``settle`` seconds)."""
    global _holder
    _holder = threading.get_ident()
    _open.clear()
    try:
        deadline = time.monotonic() + settle
        while running() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield
    finally:
        _holder = None
        _open.set()


def stopping() -> bool:
    return _stopped


def resume() -> None:
    """Allow launches again (a new session in the same process)."""
    global _stopped
    with _lock:
        _stopped = False
