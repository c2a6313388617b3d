"""FlyteAdmin on loopback with a PostgreSQL of its own: ``with flyteadmin(folder) as admin: ...``.

No Kubernetes, no Docker, no cloud: in ``folder`` it writes admin.yaml and a kubeconfig whose only
cluster is http://127.0.0.1:1 (a closed port: admin needs one to start, and nothing runs), keeps
PostgreSQL in ``folder/postgres`` and blobs in ``folder/store`` (stow ``local``), then runs
``flyteadmin migrate run``, ``migrate seed-projects flytesnacks`` and ``serve`` on free HTTP, gRPC
and profiler ports, and waits for /healthcheck. Registration works (CreateTask, CreateWorkflow
compiles and stores the closure, CreateLaunchPlan, Get*/List*); an execution is stored as FAILED,
as nothing can run it. Leaving the block — normally, on an error or on Ctrl-C — stops admin, then
PostgreSQL: no process and no port is left. Log: ``folder/admin.log``.

Admin binds its ports on every interface (hard-coded upstream); talk to it on 127.0.0.1 only.
The binary: ``FLYTEADMIN_BIN``, else ``.tools/bin/flyteadmin`` (``make flyteadmin``); the config
keys are those of flyteorg/flyte v1.16.8 (flyteadmin's server, database and flytestdlib's storage).
"""

from __future__ import annotations

import json
import os
import signal
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from flyte_parity.base import paths
from flyte_parity.services import loopback
from flyte_parity.services.postgres import Postgres, postgres
from flyte_parity.services.lifecycle import Service, step

BIN_VARIABLE = "FLYTEADMIN_BIN"
ADMIN_ROLES = ("http", "grpc", "profiler")  # the ports FlyteAdmin listens on
TOOLS_BINARY = paths.REPO_ROOT / ".tools" / "bin" / "flyteadmin"
PROJECT = "flytesnacks"  # with admin's default domains: development, staging, production
CONTAINER = "flyte"  # the stow container: a folder of that name under the store
DATABASE = "flyteadmin"  # admin creates it in `migrate run`
NO_CLUSTER = "http://127.0.0.1:1"


@dataclass(frozen=True)
class FlyteAdmin:
    """A running FlyteAdmin: ``grpc`` is what FLYTE_PLATFORM_URL takes (insecure)."""

    grpc: str  # "127.0.0.1:<port>"
    http: str  # "http://127.0.0.1:<port>"
    project: str
    storage: Path  # stow `local` folder; the container is storage / "flyte"
    config: Path
    log: Path
    pid: int
    postgres: Postgres


def admin_binary() -> Path:
    """The flyteadmin executable: ``$FLYTEADMIN_BIN``, else .tools/bin/flyteadmin; a UsageError naming both when neither is."""
    return paths.tool_binary(BIN_VARIABLE, TOOLS_BINARY, "FlyteAdmin", "make flyteadmin")


def kubeconfig() -> dict[str, Any]:
    """A kubeconfig whose only cluster is a closed loopback port: admin starts, nothing is ever scheduled."""
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "none", "preferences": {},
        "clusters": [{"name": "none", "cluster": {"server": NO_CLUSTER}}],
        "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
        "users": [{"name": "none", "user": {}}],
    }


def admin_config(*, http_port: int, grpc_port: int, profiler_port: int, database: Postgres, kube_config: Path,
                 storage: Path) -> dict[str, Any]:
    """admin.yaml: no auth, no TLS, PostgreSQL on loopback, blobs in a local folder."""
    return {
        "server": {
            "httpPort": http_port,
            "grpc": {"port": grpc_port},
            "security": {"secure": False, "useAuth": False, "allowCors": False},
            "kube-config": str(kube_config),
        },
        "flyteadmin": {"profilerPort": profiler_port, "metadataStoragePrefix": ["metadata", "admin"]},
        "database": {"postgres": {"host": database.host, "port": database.port, "username": database.user,
                                  "password": "", "dbname": DATABASE, "options": "sslmode=disable"}},
        # stow `local`: without stow.kind, `type` falls back to S3 settings (see the module docstring).
        "storage": {"type": "stow", "stow": {"kind": "local", "config": {"path": str(storage)}},
                    "container": CONTAINER},
        "logger": {"level": 4},
    }


def write_yaml(path: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as YAML (JSON is YAML: no YAML library needed)."""
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def _healthy(http_port: int, grpc_port: int) -> bool:
    return loopback.http_status(http_port, "/healthcheck") == 200 and loopback.accepts(grpc_port)


def merged(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, nested mappings merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), dict) else value
    return out


@contextmanager
def flyteadmin(folder: Path, binary: Path | None = None, *, project: str = PROJECT, timeout: float = 120.0,
               ports: Mapping[str, int] | None = None, database: Postgres | None = None,
               kube_config: Path | None = None, extra: Mapping[str, Any] | None = None,
               storage_config: Mapping[str, Any] | None = None) -> Iterator[FlyteAdmin]:
    """Start FlyteAdmin in ``folder`` (and PostgreSQL, unless ``database`` is a running one), yield the
    running admin, stop what it started on leaving. ``ports`` (by role: postgres, http, grpc, profiler)
    are used while free; the others are fresh. ``kube_config`` is the cluster admin creates executions
    in (default: none, a closed port); ``extra`` is laid over the config (see ``merged``);
    ``storage_config`` replaces the storage section (default: stow ``local`` in ``folder/store``)."""
    binary = Path(binary) if binary is not None else admin_binary()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    storage = folder / "store"
    (storage / CONTAINER).mkdir(parents=True, exist_ok=True)
    log = folder / "admin.log"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder)}
    wished = dict(ports or {})
    with ExitStack() as stack:
        if database is None:
            database = stack.enter_context(postgres(folder / "postgres", timeout=timeout, port=wished.get("postgres")))
        http_port, grpc_port, profiler_port = loopback.ports_for(  # admin binds every interface
            [wished.get(role) for role in ADMIN_ROLES], bind="0.0.0.0")
        kube = kube_config or write_yaml(folder / "kubeconfig.yaml", kubeconfig())
        document = admin_config(http_port=http_port, grpc_port=grpc_port, profiler_port=profiler_port,
                                database=database, kube_config=kube, storage=storage)
        if storage_config is not None:
            document["storage"] = dict(storage_config)
        config = write_yaml(folder / "admin.yaml", merged(document, extra or {}))
        command = [str(binary), "--config", str(config)]
        for arguments in (["migrate", "run"], ["migrate", "seed-projects", project]):
            step(f"flyteadmin {' '.join(arguments)}", command + arguments, cwd=folder, log=log, env=env,
                 timeout=timeout)
        server = Service("flyteadmin serve", command + ["serve"], cwd=folder, log=log, env=env,
                         note=f"{' '.join(command)} serve (http {http_port}, grpc {grpc_port})",
                         ready=lambda process: _healthy(http_port, grpc_port), timeout=timeout,
                         stop_signal=signal.SIGTERM, grace=15.0)
        with server:
            yield FlyteAdmin(grpc=f"{loopback.HOST}:{grpc_port}", http=f"http://{loopback.HOST}:{http_port}",
                             project=project, storage=storage, config=config, log=log, pid=server.pid,
                             postgres=database)
