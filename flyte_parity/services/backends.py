"""The FlyteAdmin a register run talks to, one context manager per backend (``--flyte-backend``).

- ``local`` (default): ``services.flyteadmin`` in a fresh run folder — PostgreSQL and FlyteAdmin on
  loopback, stopped on leaving; jflyte stages jars into a folder of admin's own storage.
- ``remote``: an existing cluster, ``FLYTE_PLATFORM_URL`` (insecure gRPC) from the environment or
  ``.env.local``, ``FLYTE_STAGING_LOCATION`` for the jars, ``FLYTE_PARITY_PROJECT`` (default
  flytesnacks); nothing is started or stopped.
- ``sandbox``: the Flyte sandbox through testcontainers — not built yet; it says so, and says
  first when there is no Docker engine to run it.

Every backend yields a ``Backend``: ``target(side)`` is where one side registers. The two SDKs
(and each JVM source) register into the same project and domain under versions of their own
(``<run>-<side>``): entity names such as launch plans may be the same on both sides, and admin
keeps one structure per name and version.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from flyte_parity.base import paths
from flyte_parity.base.envfile import load_env_file
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.registration import Target
from flyte_parity.services.flyteadmin import PROJECT, flyteadmin

BACKENDS = ("local", "remote", "sandbox")
DOMAIN = "development"


class BackendUnavailable(Exception):
    """This backend cannot run on this host; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Backend:
    name: str
    address: str
    project: str
    staging: str
    run: str  # a fresh id per run: versions never collide with an earlier run's on the same admin
    log: Path | None = None

    def target(self, side: str) -> Target:
        return Target(self.address, self.project, DOMAIN, f"{self.run}-{side}", self.staging)


@contextmanager
def backend(name: str, work_dir: Path | None = None) -> Iterator[Backend]:
    """Start (or reach) the ``name`` backend and yield it; whatever was started is stopped on leaving."""
    run = "parity-" + secrets.token_hex(4)
    if name == "local":
        yield from _local(run)
    elif name == "remote":
        yield _remote(run)
    elif name == "sandbox":
        if not _docker_available():
            raise BackendUnavailable("--flyte-backend=sandbox needs a Docker engine (none at DOCKER_HOST or "
                                     "/var/run/docker.sock) to start the Flyte sandbox; use --flyte-backend=local here")
        raise BackendUnavailable("--flyte-backend=sandbox is not built yet (the Flyte sandbox through "
                                 "testcontainers); use --flyte-backend=local, or remote against a running sandbox")
    else:
        raise UsageError(f"unknown --flyte-backend {name!r}; use one of {', '.join(BACKENDS)}")


def _docker_available() -> bool:
    host = os.environ.get("DOCKER_HOST", "")
    return bool(host) or Path("/var/run/docker.sock").exists()


def _local(run: str) -> Iterator[Backend]:
    # Under /tmp with 0755: PostgreSQL runs as an unprivileged account when the suite runs as root.
    folder = Path(tempfile.mkdtemp(prefix="flyte-parity-admin-"))
    folder.chmod(0o755)
    try:
        with flyteadmin(folder) as admin:
            staging = admin.storage / "flyte" / "jvm-staging"
            staging.mkdir(parents=True, exist_ok=True)
            yield Backend("local", admin.grpc, admin.project, staging.as_uri(), run, admin.log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remote(run: str) -> Backend:
    env = {**(load_env_file(paths.REPO_ROOT / ".env.local") if (paths.REPO_ROOT / ".env.local").is_file() else {}),
           **os.environ}
    address = env.get("FLYTE_PLATFORM_URL", "").strip()
    staging = env.get("FLYTE_STAGING_LOCATION", "").strip()
    if not address or not staging:
        raise UsageError("--flyte-backend=remote needs FLYTE_PLATFORM_URL (admin's gRPC host:port) and "
                         "FLYTE_STAGING_LOCATION (where jflyte stages jars) in the environment or .env.local")
    return Backend("remote", address, env.get("FLYTE_PARITY_PROJECT", PROJECT), staging, run)
