"""The processes of a local service: each started in a session (process group) of its own, stopped
by signal and then SIGKILL for its whole group, and found again through /proc by its run folder.

Each service process leads a session and names its run folder on its command line, which is how
``processes_of`` finds what a killed supervisor left behind; nothing here matches by program name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, Mapping, Sequence


class ServiceError(RuntimeError):
    """A local service did not start or answer; the message names its log."""


def spawn(command: Sequence[str], *, cwd: Path, log: IO[Any], env: Mapping[str, str],
          **account: Any) -> subprocess.Popen:
    """Start ``command`` in a new session (its pid is its process group), output appended to ``log``.

    ``account`` is passed on to Popen (user=, group=, extra_groups= to run as another account).
    A terminal's Ctrl-C does not reach it: whoever started it stops it.
    """
    return subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, **account)


def run_to_end(command: Sequence[str], *, cwd: Path, log: IO[Any], env: Mapping[str, str], timeout: float,
               **account: Any) -> int | None:
    """Run ``command`` like ``spawn`` and wait for it: its exit code, or None when it ran past
    ``timeout`` seconds. It never outlives the call (killed on timeout, error or Ctrl-C)."""
    log.write(f"==> {' '.join(command)}\n")
    log.flush()
    child = spawn(command, cwd=cwd, log=log, env=env, **account)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if child.poll() is None:
            with uninterrupted():
                stop(child.pid, signal.SIGKILL, timeout=0, child=child)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2:][:1] not in (b"Z", b"X")


def command_line(pid: int) -> list[str]:
    """The arguments of process ``pid`` ([] when it is gone or unreadable)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _parent_and_session(pid: int) -> tuple[int, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[3])


def processes_of(folder: Path) -> list[int]:
    """The live processes of the services run in ``folder``: each process that leads a session and
    names ``folder``, or a path under it, as an argument (every service does: see ``spawn``), with
    the members of its session and its descendants (PostgreSQL's backends rename themselves and
    lead sessions of their own). A shell or a pager that merely works there or shows one of its
    logs leads no such session and is left alone."""
    root = str(Path(folder).resolve())
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            found = _parent_and_session(int(entry.name))
            if found is not None:
                table[int(entry.name)] = found
    leaders = {pid for pid, (_, session) in table.items()
               if pid == session and any(_within(arg, root) for arg in command_line(pid))}

    def belongs(pid: int) -> bool:
        seen = set()
        while pid in table and pid not in seen:
            seen.add(pid)
            parent, session = table[pid]
            if pid in leaders or session in leaders:
                return True
            pid = parent
        return False

    return sorted(pid for pid in table if belongs(pid) and alive(pid))


def _wait_gone(pid: int, timeout: float, child: subprocess.Popen | None) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if (child is not None and child.poll() is not None) or not alive(pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def stop(pid: int, signum: int = signal.SIGTERM, timeout: float = 15.0,
         child: subprocess.Popen | None = None) -> None:
    """Send ``signum`` to ``pid``, give it ``timeout`` seconds to end, then SIGKILL its process group
    (``pid`` leads one: see ``spawn``) so that no helper it started outlives it. Never raises for a
    process already gone; reaps ``child`` when it is ours."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
    _wait_gone(pid, timeout, child)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _wait_gone(pid, 5.0, child)
    if child is not None:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def stop_all(pids: Sequence[int], signum: int = signal.SIGTERM, timeout: float = 15.0) -> None:
    """``stop`` for processes that are not our children, all at once: ``signum`` to each, up to
    ``timeout`` seconds for all to end, then SIGKILL for each one's process group."""
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        stop(pid, signal.SIGKILL, timeout=0)


_holding = False  # an ``uninterrupted`` block runs (in the main thread)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold a Ctrl-C off while the block (a clean-up) runs, then raise it: a second Ctrl-C must not
    leave a half-stopped service behind. A block inside another leaves the holding to the outer one."""
    global _holding
    if _holding or threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    _holding = True
    try:
        yield
    finally:
        _holding = False
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def remove_folder(folder: Path) -> None:
    """Remove a service's folder with Ctrl-C held off (``uninterrupted``): a Ctrl-C during the
    removal of a gigabyte-sized data plane folder would otherwise leave most of it behind."""
    with uninterrupted():
        shutil.rmtree(folder, ignore_errors=True)


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file ('' when it is missing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
