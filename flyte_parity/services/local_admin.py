"""A local FlyteAdmin that outlives the command starting it: ``flyte-parity local-admin start|status|stop``.

``start`` runs a supervisor (this module: ``python -m flyte_parity.services.local_admin FOLDER BINARY``) in a
session of its own. It holds ``services.flyteadmin`` open — PostgreSQL, then FlyteAdmin — writes
``state.json`` once admin is healthy, and on SIGTERM or SIGINT (or when admin or PostgreSQL dies)
stops both and removes it. ``stop`` sends the supervisor SIGTERM, then ends whatever a supervisor
killed outright left behind (``processes.processes_of``). Everything lives in the run folder
(default ``.flyte-parity/local-admin`` in the checkout): state.json, supervisor.log, admin.log,
admin.yaml, postgres/ (the database, kept from one start to the next) and store/ (blobs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services.flyteadmin import admin_binary, flyteadmin
from flyte_parity.services.lifecycle import Service
from flyte_parity.services.loopback import http_status
from flyte_parity.services.postgres import preflight
from flyte_parity.services.processes import (
    ServiceError,
    alive,
    command_line,
    processes_of,
    stop as stop_process,
    stop_all,
    uninterrupted,
)

DEFAULT_FOLDER = paths.REPO_ROOT / ".flyte-parity" / "local-admin"
STATE = "state.json"


@dataclass(frozen=True)
class State:
    """What ``start`` left running, as the supervisor wrote it once admin answered."""

    folder: str
    supervisor: int
    admin: int
    postgres: int
    grpc: str  # "127.0.0.1:<port>": FLYTE_PLATFORM_URL (insecure)
    http: str
    project: str
    log: str
    storage: str
    started: float

    @property
    def platform_url(self) -> str:
        return f"FLYTE_PLATFORM_URL={self.grpc}"

    def healthy(self) -> bool:
        return http_status(int(self.http.rsplit(":", 1)[1]), "/healthcheck") == 200


def read_state(folder: Path) -> State | None:
    """The state file of ``folder`` (None when missing or unreadable)."""
    try:
        return State(**json.loads((Path(folder) / STATE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _is_supervisor(pid: int, folder: Path) -> bool:
    arguments = command_line(pid)
    return alive(pid) and "flyte_parity.services.local_admin" in arguments and str(folder) in arguments


def running(folder: Path) -> State | None:
    """The state of the local admin of ``folder`` when its supervisor runs, else None."""
    folder = Path(folder).resolve()
    state = read_state(folder)
    return state if state is not None and _is_supervisor(state.supervisor, folder) else None


def check_folder(folder: Path) -> Path:
    """``folder`` resolved; a UsageError when it exists and is no folder."""
    folder = Path(folder).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--dir {folder} is a file, not a folder")
    return folder


def start(folder: Path = DEFAULT_FOLDER, *, timeout: float = 180.0) -> tuple[State, bool]:
    """Start the local admin of ``folder`` unless it runs; (its state, whether this call started it)."""
    folder = check_folder(folder)
    binary = admin_binary()
    preflight(folder / "postgres")  # bad input fails here, in one line, not in the supervisor's log
    current = running(folder)
    if current is not None:
        return current, False
    _sweep(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATE).unlink(missing_ok=True)
    log = folder / "supervisor.log"
    log.unlink(missing_ok=True)  # one start's log
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.REPO_ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}

    written: list[State] = []

    def ready(process: subprocess.Popen) -> bool:
        state = read_state(folder)
        if state is not None and state.supervisor == process.pid:
            written.append(state)
        return bool(written)

    supervisor = Service("the local FlyteAdmin", [sys.executable, "-m", "flyte_parity.services.local_admin",
                                                  str(folder), str(binary)],
                         cwd=folder, log=log, env=env, ready=ready, timeout=timeout, grace=60.0).start()
    try:
        supervisor.wait()  # once ready, it outlives this call: `stop` ends it
    except BaseException:
        with uninterrupted():
            supervisor.stop()
            _sweep(folder)
        raise
    return written[0], True


def _sweep(folder: Path) -> list[int]:
    """End what still runs for ``folder`` (left by a supervisor killed outright); the pids it found."""
    left = processes_of(folder)
    if left:
        stop_all(left, signal.SIGTERM, timeout=15.0)
    return left


def stop(folder: Path = DEFAULT_FOLDER, *, timeout: float = 60.0) -> bool:
    """Stop the local admin of ``folder`` and anything left of an earlier one; whether anything ran."""
    folder = check_folder(folder)
    state = running(folder)
    if state is not None:
        stop_process(state.supervisor, signal.SIGTERM, timeout=timeout)
    left = _sweep(folder)
    (folder / STATE).unlink(missing_ok=True)
    return state is not None or bool(left)


def supervise(folder: Path, binary: Path) -> int:
    """The supervisor: run admin until SIGTERM/SIGINT or until admin or PostgreSQL dies."""

    def leave(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    state_path = folder / STATE
    try:
        with flyteadmin(folder, binary) as admin:
            state = State(folder=str(folder), supervisor=os.getpid(), admin=admin.pid, postgres=admin.postgres.pid,
                          grpc=admin.grpc, http=admin.http, project=admin.project, log=str(admin.log),
                          storage=str(admin.storage), started=time.time())
            partial = state_path.with_suffix(".tmp")
            partial.write_text(json.dumps(asdict(state), indent=1) + "\n", encoding="utf-8")
            partial.replace(state_path)
            print(f"running: {state.platform_url} (http {admin.http}, log {admin.log})", flush=True)
            while alive(admin.pid) and alive(admin.postgres.pid):
                time.sleep(0.5)
            print(f"flyteadmin or PostgreSQL ended by itself; see {admin.log}", flush=True)
            return 1
    except KeyboardInterrupt:
        print("stopped", flush=True)
        return 0
    except (ServiceError, UsageError) as err:
        print(err, flush=True)
        return 1
    finally:
        state = read_state(folder)
        if state is not None and state.supervisor == os.getpid():
            state_path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(supervise(Path(sys.argv[1]), Path(sys.argv[2])))
