"""A parent process that has imported flytekit once and forks one child per ``pyflyte-execute`` run.

Each task run is still its own OS process: a child forked from a parent that has done nothing but
import flytekit's entrypoint (what every ``pyflyte-execute`` does first), with its own argv,
environment, working folder, standard streams (files), exit code and pid; it runs flytekit's own
``pyflyte-execute`` command in it, runs the exit handlers a Python process runs, and exits. No
state passes from one run to the next: every child starts from the parent's untouched import.
What is saved is the import (about 0.7 s of every run).

A run is forked only when its environment differs from the parent's in variables flytekit reads
at run time (``RUN_TIME_VARIABLES``); any other difference could change what flytekit did at
import, so that run gets a fresh ``pyflyte-execute`` process instead (``ForkParent.fits``).
``TMPDIR`` may differ too: each child's temporary files go to its own TMPDIR (``tempfile`` reads it
again in the child); the parent's, where flytekit made its folders at import, is removed on close.

Server: ``python -m flyte_parity.sdk.fork_parent SOCKET`` (one thread: requests, forks and exits are
multiplexed with pidfds). It stays in the process group of whoever started it, so a terminal's
Ctrl-C reaches it and its children; it ends its children and itself on SIGINT, SIGTERM, or when
the process that started it dies. Client: ``ForkParent``, thread-safe.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Mapping, Sequence

from flyte_parity.sdk import launches

# Variables flytekit reads while running a task, never at import (checked in flytekit 1.16:
# flytekit/bin/entrypoint.py, flytekit/core/type_engine.py, flytekit/configuration/__init__.py).
RUN_TIME_VARIABLES = ("FLYTE_USE_OLD_DC_FORMAT", "_F_SS_C", "FLYTE_FAIL_ON_ERROR", "_F_L_MIN_SIZE_MB",
                      "_F_L_MAX_SIZE_MB", "BATCH_JOB_ARRAY_INDEX_OFFSET", "BATCH_JOB_ARRAY_INDEX_VAR_NAME")
RUN_TIME_PREFIXES = ("FLYTE_INTERNAL_",)
MARKER = "flyte_parity.sdk.fork_parent"  # in the command line of the parent and of every child


PER_CHILD_VARIABLES = ("TMPDIR",)  # set for each child and read again in it


def _run_time(name: str) -> bool:
    return name in RUN_TIME_VARIABLES or name in PER_CHILD_VARIABLES or name.startswith(RUN_TIME_PREFIXES)


# ---------------------------------------------------------------- the server (the fork parent)

_SIGINT_AT_IMPORT = [signal.SIG_DFL]  # what importing flytekit left as the SIGINT handler


def _child(request: dict, closing: list[int]) -> None:
    """In the forked child: become the task's process and never return."""
    code = 1
    try:
        for fd in closing:
            try:
                os.close(fd)
            except OSError:
                pass
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, _SIGINT_AT_IMPORT[0])  # as in a fresh pyflyte-execute
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        for target, (path, flags) in enumerate(((os.devnull, os.O_RDONLY),
                                                (request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                                (request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC))):
            fd = os.open(path, flags, 0o644)
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # the parent's was cached at import: read TMPDIR again
        sys.argv = list(request["argv"])
        from flytekit.bin.entrypoint import execute_task_cmd

        try:
            execute_task_cmd.main(args=sys.argv[1:], prog_name=Path(sys.argv[0]).name)
            code = 0
        except SystemExit as exit_:
            if exit_.code is None:
                code = 0
            elif isinstance(exit_.code, int):
                code = exit_.code
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
        except BaseException:  # as an uncaught exception ends a Python process
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code & 0xFF)


def serve(socket_path: str) -> int:
    starter = os.getppid()  # when it dies, we are re-parented and stop
    import flytekit.bin.entrypoint  # noqa: F401  (the import every child would otherwise repeat)

    _SIGINT_AT_IMPORT[0] = signal.getsignal(signal.SIGINT)

    children: dict[int, tuple[int, socket.socket]] = {}  # pid -> (pidfd, connection)
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    print("ready", flush=True)
    try:
        while not stopping and os.getppid() == starter:
            for key, _ in selector.select(timeout=0.2):
                if key.data == "accept":
                    connection, _ = listener.accept()
                    selector.register(connection, selectors.EVENT_READ, "request")
                elif key.data == "request":
                    connection = key.fileobj
                    selector.unregister(connection)
                    try:
                        request = json.loads(connection.makefile("r", encoding="utf-8").readline())
                    except ValueError:
                        connection.close()
                        continue
                    open_fds = [listener.fileno(), connection.fileno(), *(fd for fd, _ in children.values())]
                    pid = os.fork()
                    if pid == 0:
                        selector.close()
                        _child(request, open_fds)
                    pidfd = os.pidfd_open(pid)
                    children[pid] = (pidfd, connection)
                    selector.register(pidfd, selectors.EVENT_READ, ("exit", pid))
                    connection.sendall((json.dumps({"pid": pid}) + "\n").encode())
                else:
                    _, pid = key.data
                    pidfd, connection = children.pop(pid)
                    selector.unregister(pidfd)
                    os.close(pidfd)
                    _, status = os.waitpid(pid, 0)
                    try:
                        connection.sendall((json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n").encode())
                    except OSError:
                        pass
                    connection.close()
    finally:
        for pid, (pidfd, connection) in children.items():
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
            connection.close()
        listener.close()
    return 0


# ---------------------------------------------------------------- the client

class ForkParent:
    """A running fork parent: ``run`` is ``subprocess.run(argv, env=env, cwd=cwd, capture_output=True,
    text=True)`` for a ``pyflyte-execute`` command, as a forked child."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env = dict(env)
        self.cwd = Path(cwd)
        self._folder = Path(tempfile.mkdtemp(prefix="flyte-parity-fork-"))
        self._socket = str(self._folder / "socket")
        self._lock = threading.Lock()
        self._server: subprocess.Popen | None = None

    def fits(self, env: Mapping[str, str]) -> bool:
        """Whether a run with ``env`` may be forked: it differs from the parent's only in run-time variables."""
        names = set(env) | set(self.env)
        return all(env.get(name) == self.env.get(name) for name in names if not _run_time(name))

    def _started(self) -> None:
        with self._lock:
            if self._server is not None and self._server.poll() is None:
                return
            log = open(self._folder / "server.log", "w", encoding="utf-8")
            scratch = self._folder / "tmp"  # the folders flytekit makes at import; removed on close
            scratch.mkdir(exist_ok=True)
            self._server = subprocess.Popen([sys.executable, "-m", MARKER, self._socket],
                                            env={**self.env, "TMPDIR": str(scratch)}, cwd=self.cwd,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
            log.close()
            line = self._server.stdout.readline()
            if line.strip() != "ready":
                self._server.wait()
                raise RuntimeError(f"the pyflyte-execute fork parent did not start; {self._folder / 'server.log'}:\n"
                                   + (self._folder / "server.log").read_text(encoding="utf-8")[-2000:])

    def run(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
        if launches.stopping():
            raise launches.Stopped(f"the run is stopping: {argv[0]} not forked")
        self._started()
        with tempfile.TemporaryDirectory(dir=self._folder) as streams:
            out, err = Path(streams) / "stdout", Path(streams) / "stderr"
            request = {"argv": list(argv), "env": dict(env), "cwd": str(cwd), "stdout": str(out), "stderr": str(err)}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.connect(self._socket)
                connection.sendall((json.dumps(request) + "\n").encode())
                answers = connection.makefile("r", encoding="utf-8")
                started = json.loads(answers.readline())
                pid = started["pid"]
                connection.settimeout(timeout)
                try:
                    line = answers.readline()
                except BaseException:  # a timeout, or Ctrl-C: the child does not outlive the call
                    _kill(pid)
                    raise
                if not line:
                    raise RuntimeError(f"the pyflyte-execute fork parent ended during a run (pid {pid})")
                code = json.loads(line)["code"]
            return subprocess.CompletedProcess(list(argv), code, _read(out), _read(err))

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            launches.end(server, grace=10)
        if server is not None and server.stdout:
            server.stdout.close()
        shutil.rmtree(self._folder, ignore_errors=True)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
