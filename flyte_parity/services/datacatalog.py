"""Flyte's datacatalog on loopback: the cache a data plane consults for cached tasks.

``with datacatalog(folder, database, storage) as catalog:`` writes ``folder/datacatalog.yaml``
(gRPC, HTTP and profiler ports free-chosen; its own database on the given PostgreSQL; blobs in the
same store as admin), runs ``migrate run`` (which creates the database) and
``serve``, waits until its HTTP health check and gRPC port answer, and stops it on leaving. Without
it a cached, cache-serializable task waits forever for a reservation, whatever the SDK.

The binary: ``DATACATALOG_BIN`` (an executable or its ``.xz``), else ``.tools/bin/datacatalog``
(``make flyte-binaries``). Config keys: flyteorg/flyte v1.16.8, datacatalog's application,
datacatalog, database and storage sections.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from flyte_parity.base import paths
from flyte_parity.services import loopback
from flyte_parity.services.flyteadmin import write_yaml
from flyte_parity.services.lifecycle import Service, step
from flyte_parity.services.postgres import Postgres

BIN_VARIABLE = "DATACATALOG_BIN"
TOOLS_BINARY = paths.TOOLS_BIN / "datacatalog"
DATABASE = "datacatalog"


@dataclass(frozen=True)
class DataCatalog:
    grpc: str  # "127.0.0.1:<port>"
    log: Path
    pid: int


def datacatalog_binary() -> Path:
    return paths.tool_binary(BIN_VARIABLE, TOOLS_BINARY, "datacatalog", "make flyte-binaries")


def catalog_config(*, grpc_port: int, http_port: int, profiler_port: int, database: Postgres,
                   storage: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application": {"grpcPort": grpc_port, "httpPort": http_port, "grpcServerReflection": False},
        "datacatalog": {"storage-prefix": "metadata/datacatalog", "metrics-scope": "datacatalog",
                        "profiler-port": profiler_port, "heartbeat-grace-period-multiplier": 3,
                        "max-reservation-heartbeat": "10s"},
        "database": {"postgres": {"host": database.host, "port": database.port, "username": database.user,
                                  "password": "", "dbname": DATABASE, "options": "sslmode=disable"}},
        "storage": dict(storage),
        "logger": {"level": 4},
    }


@contextmanager
def datacatalog(folder: Path, database: Postgres, storage: Mapping[str, Any], *, timeout: float = 120.0,
                binary: Path | None = None) -> Iterator[DataCatalog]:
    """Migrate and serve datacatalog in ``folder`` (``storage``: its storage section, the one admin
    and propeller use); stopped on leaving."""
    binary = Path(binary) if binary is not None else datacatalog_binary()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "datacatalog.log"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder)}
    grpc_port, http_port, profiler_port = loopback.free_ports(3, bind="0.0.0.0")  # it binds every interface
    config = write_yaml(folder / "datacatalog.yaml", catalog_config(
        grpc_port=grpc_port, http_port=http_port, profiler_port=profiler_port, database=database, storage=storage))
    command = [str(binary), "--config", str(config)]
    step("datacatalog migrate run", command + ["migrate", "run"], cwd=folder, log=log, env=env, timeout=timeout)
    server = Service("datacatalog serve", command + ["serve"], cwd=folder, log=log, env=env,
                     ready=lambda process: loopback.http_status(http_port, "/healthcheck") == 200
                     and loopback.accepts(grpc_port), timeout=timeout, stop_signal=signal.SIGTERM, grace=10.0)
    with server:
        yield DataCatalog(grpc=f"{loopback.HOST}:{grpc_port}", log=log, pid=server.pid)
