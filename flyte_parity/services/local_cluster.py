"""A local Flyte data plane that outlives the command starting it: ``flyte-parity local-cluster start|status|stop``.

``start`` builds both SDK images (or takes them from the cache), then runs a supervisor (this
module: ``python -m flyte_parity.services.local_cluster FOLDER``) in a session of its own. It holds
``services.flyte_cluster`` open in ``FOLDER/run`` — wiped at each start: a data plane keeps no state
from one start to the next — writes ``state.json`` once propeller runs, and on SIGTERM or SIGINT
(or when admin or propeller dies) stops every part and puts the host back. ``stop`` sends the
supervisor SIGTERM and waits for it, then ends whatever a supervisor killed outright left behind.
Logs stay in ``FOLDER/run`` until the next start (default folder: ``.flyte-parity/local-cluster``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.base.secrets import is_secret
from flyte_parity.services.lifecycle import Service
from flyte_parity.services.local_admin import check_folder, export_lines
from flyte_parity.services.processes import (
    ServiceError,
    alive,
    command_line,
    processes_of,
    stop as stop_process,
    stop_all,
    uninterrupted,
)

DEFAULT_FOLDER = paths.REPO_ROOT / ".flyte-parity" / "local-cluster"
STATE = "state.json"
MODULE = "flyte_parity.services.local_cluster"


@dataclass(frozen=True)
class State:
    folder: str
    supervisor: int
    grpc: str  # FLYTE_PLATFORM_URL (insecure)
    project: str
    staging: str  # FLYTE_STAGING_LOCATION for jflyte register
    jflyte_image: str
    flytekit_image: str
    kubeconfig: str
    logs: str
    started: float
    store: dict = None  # FLYTE_AWS_* for the store


    def environment(self) -> dict[str, str]:
        """What a shell needs to register and run against this data plane (FLYTE_INTERNAL_IMAGE: jflyte's
        image); the store's secret is not in it (see ``export_lines``)."""
        return {"FLYTE_PLATFORM_URL": self.grpc, "FLYTE_PLATFORM_INSECURE": "true",
                "FLYTE_STAGING_LOCATION": self.staging, "FLYTE_INTERNAL_IMAGE": self.jflyte_image,
                "FLYTE_PARITY_FLYTEKIT_IMAGE": self.flytekit_image, "KUBECONFIG": self.kubeconfig,
                "FLYTECTL_CONFIG": str(Path(self.folder) / "flytectl.yaml"),
                **{k: v for k, v in (self.store or {}).items() if not is_secret(k)}}

    def export_lines(self) -> str:
        """``export`` lines for ``eval``; a secret is read from its file (mode 0600) when the line runs, never printed."""
        lines = export_lines(self.environment())
        for name in sorted(k for k in (self.store or {}) if is_secret(k)):
            lines += f'export {name}="$(cat {shlex.quote(str(Path(self.folder) / (name + ".secret")))})"\n'
        return lines


def read_state(folder: Path) -> State | None:
    try:
        return State(**json.loads((Path(folder) / STATE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def running(folder: Path) -> State | None:
    """The state of the data plane of ``folder`` when its supervisor runs, else None."""
    folder = Path(folder).resolve()
    state = read_state(folder)
    if state is None:
        return None
    arguments = command_line(state.supervisor)
    return state if alive(state.supervisor) and MODULE in arguments and str(folder) in arguments else None


def start(folder: Path = DEFAULT_FOLDER, *, timeout: float = 300.0) -> tuple[State, bool]:
    """Start the data plane of ``folder`` unless it runs; (its state, whether this call started it)."""
    from flyte_parity.services.flyte_cluster import sdk_images

    folder = check_folder(folder)
    current = running(folder)
    if current is not None:
        return current, False
    _sweep(folder)
    sdk_images()  # built here, with its progress on this terminal; the supervisor finds them cached
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    (folder / STATE).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.REPO_ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}
    written: list[State] = []

    def ready(process: subprocess.Popen) -> bool:
        state = read_state(folder)
        if state is not None and state.supervisor == process.pid:
            written.append(state)
        return bool(written)

    supervisor = Service("the local Flyte data plane", [sys.executable, "-m", MODULE, str(folder)], cwd=folder,
                         log=folder / "supervisor.log", env=env, ready=ready, timeout=timeout, grace=120.0)
    (folder / "supervisor.log").unlink(missing_ok=True)
    supervisor.start()
    try:
        supervisor.wait()
    except BaseException:
        with uninterrupted():
            supervisor.stop()
            _sweep(folder)
        raise
    return written[0], True


def _sweep(folder: Path) -> list[int]:
    left = processes_of(folder)
    if left:
        stop_all(left, signal.SIGTERM, timeout=15.0)
    return left


def stop(folder: Path = DEFAULT_FOLDER, *, timeout: float = 180.0) -> bool:
    """Stop the data plane of ``folder`` and anything left of an earlier one; whether anything ran."""
    folder = check_folder(folder)
    state = running(folder)
    if state is not None:
        stop_process(state.supervisor, signal.SIGTERM, timeout=timeout)
    left = _sweep(folder)
    (folder / STATE).unlink(missing_ok=True)
    for secret in folder.glob("*.secret"):
        secret.unlink()
    return state is not None or bool(left)


def supervise(folder: Path) -> int:
    """The supervisor: run the data plane until SIGTERM/SIGINT or until admin or propeller dies."""
    from flyte_parity.services.flyte_cluster import flyte_cluster
    from flyte_parity.services.flyte_cluster import sdk_images

    def leave(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    run = folder / "run"
    try:
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(mode=0o755)
        run.chmod(0o755)
        with flyte_cluster(run, sdk_images()) as flyte:
            state = State(str(folder), os.getpid(), flyte.admin.grpc, flyte.admin.project, flyte.staging,
                          flyte.images["jflyte"], flyte.images["flytekit"], str(flyte.kube.kubeconfig), str(run),
                          time.time(), flyte.store.environment())
            (folder / "flytectl.yaml").write_text(  # flytectl and pyflyte read it (FLYTECTL_CONFIG)
                f"admin:\n  endpoint: dns:///{state.grpc}\n  insecure: true\n", encoding="utf-8")
            for name, value in (state.store or {}).items():
                if is_secret(name):
                    secret = folder / (name + ".secret")
                    secret.touch(mode=0o600)
                    secret.write_text(value, encoding="utf-8")
            _write(folder, asdict(state))
            print(f"running: FLYTE_PLATFORM_URL={state.grpc} (logs {run})", flush=True)
            while alive(flyte.admin.pid) and alive(flyte.propeller.pid):
                time.sleep(0.5)
            print(f"flyteadmin or flytepropeller ended by itself; see the logs in {run}", flush=True)
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
            (folder / STATE).unlink(missing_ok=True)


def _write(folder: Path, document: dict[str, Any]) -> None:
    partial = folder / (STATE + ".tmp")
    partial.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    partial.replace(folder / STATE)


def status_line(state: State) -> str:
    return (f"running: FLYTE_PLATFORM_URL={state.grpc}, project {state.project}, images {state.jflyte_image} and "
            f"{state.flytekit_image}, supervisor pid {state.supervisor}, logs {state.logs}")


if __name__ == "__main__":
    sys.exit(supervise(Path(sys.argv[1])))
