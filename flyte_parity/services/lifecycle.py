"""The one lifecycle of a local service process: start it with its log, wait until it is ready,
stop it and its process group. ``with Service(...) as server:`` does all three; ``start``, ``wait``
and ``stop`` are there for a caller that lets a ready service outlive it. ``step`` runs a command
a service needs first (initdb, migrations) to its end.

Whatever ends the block — its end, an exception, a Ctrl-C, or a start that failed — the process
gets ``stop_signal``, ``grace`` seconds, then SIGKILL for its whole group: no process is left.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from flyte_parity.services.processes import ServiceError, run_to_end, spawn, stop, tail, uninterrupted


def step(name: str, command: Sequence[str], *, cwd: Path, log: Path, env: Mapping[str, str], timeout: float,
         account: Mapping[str, Any] | None = None) -> None:
    """Run ``command`` to its end, its output appended to ``log``; a ServiceError naming ``name``, how
    it ended and the log's tail when it fails or runs past ``timeout`` seconds (it is killed then)."""
    with open(log, "a", encoding="utf-8") as handle:
        code = run_to_end(command, cwd=cwd, log=handle, env=env, timeout=timeout, **dict(account or {}))
    if code != 0:
        why = "timed out" if code is None else f"exit {code}"
        raise ServiceError(f"{name} failed ({why}); {log}:\n{tail(log)}")


class Service:
    """A server process named ``name`` (in messages), run as ``command`` in ``cwd`` with output
    appended to ``log``. It is ready once ``ready(process)`` is true; it must be within ``timeout``
    seconds and must not exit before. ``note`` is the line written to the log before it starts
    (default: the command); ``account`` goes to Popen (user=, group=, extra_groups=)."""

    def __init__(self, name: str, command: Sequence[str], *, cwd: Path, log: Path, env: Mapping[str, str],
                 ready: Callable[[subprocess.Popen], bool], timeout: float, stop_signal: int = signal.SIGTERM,
                 grace: float = 15.0, note: str | None = None, account: Mapping[str, Any] | None = None,
                 interval: float = 0.1) -> None:
        self.name, self.command, self.cwd, self.log, self.env = name, list(command), Path(cwd), Path(log), env
        self.ready, self.timeout, self.stop_signal, self.grace = ready, timeout, stop_signal, grace
        self.note, self.account, self.interval = note, dict(account or {}), interval
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was not started"
        return self.process.pid

    def start(self) -> Service:
        """Start the process (in a session of its own: see ``processes.spawn``)."""
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(f"==> {self.note or ' '.join(self.command)}\n")
            handle.flush()
            self.process = spawn(self.command, cwd=self.cwd, log=handle, env=self.env, **self.account)
        return self

    def wait(self) -> Service:
        """Return once it is ready; a ServiceError with the log's tail when it exits or the timeout passes first."""
        process = self.process
        assert process is not None, f"{self.name} was not started"
        deadline = time.monotonic() + self.timeout
        while not self.ready(process):
            if process.poll() is not None:
                raise self._error(f"exited ({process.returncode}) while starting")
            if time.monotonic() > deadline:
                raise self._error(f"not ready after {self.timeout:.0f} s")
            time.sleep(self.interval)
        return self

    def stop(self) -> None:
        """``stop_signal``, up to ``grace`` seconds, then SIGKILL for its group; a Ctrl-C waits until it is done."""
        if self.process is not None:
            with uninterrupted():
                stop(self.process.pid, self.stop_signal, timeout=self.grace, child=self.process)

    def __enter__(self) -> Service:
        self.start()
        try:
            return self.wait()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _error(self, what: str) -> ServiceError:
        return ServiceError(f"{self.name} {what}; {self.log}:\n{tail(self.log)}")
