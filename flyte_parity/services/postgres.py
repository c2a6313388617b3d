"""A real PostgreSQL on 127.0.0.1 in a run folder: ``with postgres(folder) as db: ...``.

The first use runs initdb in ``folder/data`` (user ``postgres``, trust authentication, UTF8, no
locale); every use starts ``postgres`` there on a free port, listening on 127.0.0.1 only and on no
Unix socket at all, its log in ``folder/postgres.log``. A later use of the same folder finds its
databases again. Leaving the block — normally, on an error or on Ctrl-C — asks for a fast shutdown,
then SIGKILLs the server's process group: no process and no port is left.

PostgreSQL refuses to run as root: run by root, initdb and the server run as ``nobody``, which
must be able to reach the folder (every folder above it searchable by others). Trust
authentication means any local account may connect: keep nothing secret in it.

Binaries: ``FLYTE_PARITY_PG_BIN`` (a folder holding initdb and postgres) when set, else the newest
Debian server (/usr/lib/postgresql/<major>/bin, package ``postgresql``), else those on PATH.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from flyte_parity.base.errors import UsageError
from flyte_parity.services import loopback
from flyte_parity.services.lifecycle import Service, step
from flyte_parity.services.processes import alive

BIN_VARIABLE = "FLYTE_PARITY_PG_BIN"
ACCOUNT = "nobody"  # who the server runs as when we are root
USER = "postgres"  # the database superuser initdb creates
_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "LANG": "C"}


@dataclass(frozen=True)
class Postgres:
    """A running server: how to connect (user ``postgres``, no password, no TLS) and where it keeps things."""

    host: str
    port: int
    user: str
    data: Path
    log: Path
    pid: int

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/postgres?sslmode=disable"


def server_binaries() -> Path:
    """The folder holding the ``postgres`` and ``initdb`` to run; a UsageError naming the fix when there is none."""
    chosen = os.environ.get(BIN_VARIABLE, "").strip()
    if chosen:
        folder = Path(chosen)
        if not ((folder / "postgres").is_file() and (folder / "initdb").is_file()):
            raise UsageError(f"{BIN_VARIABLE}={chosen} holds no postgres and initdb: point it at a PostgreSQL bin folder")
        return folder
    debian = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/postgres") if (p.parent / "initdb").is_file()]
    if debian:
        return max(debian, key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0)
    found = shutil.which("postgres")
    if found and (Path(found).resolve().parent / "initdb").is_file():
        return Path(found).resolve().parent
    raise UsageError(f"no PostgreSQL server found: `apt-get install postgresql` (Debian), or set {BIN_VARIABLE} "
                     "to a folder holding postgres and initdb")


def account() -> pwd.struct_passwd | None:
    """The account the server runs as: ``nobody`` when we are root, else None (this account)."""
    return pwd.getpwnam(ACCOUNT) if os.geteuid() == 0 else None


def unreachable(folder: Path, uid: int, gid: int) -> Path | None:
    """The first folder above ``folder`` that account uid/gid cannot search, or None when it reaches it."""
    for parent in reversed(Path(folder).resolve().parents):
        if not parent.exists():
            break  # to be made by this account
        mode = parent.stat()
        if mode.st_uid == uid:
            bit = stat.S_IXUSR
        elif mode.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not mode.st_mode & bit:
            return parent
    return None


def preflight(folder: Path) -> Path:
    """The server binaries, once it is known that the server's account can reach ``folder``; else a
    UsageError naming the fix."""
    binaries = server_binaries()
    user = account()
    if user is not None:
        closed = unreachable(Path(folder) / "data", user.pw_uid, user.pw_gid)
        if closed is not None:
            raise UsageError(f"{closed} is closed to {user.pw_name}, the account PostgreSQL runs as under root: "
                             f"`chmod o+x {closed}`, or choose a run folder elsewhere (under /tmp, say)")
    return binaries


def _as(user: pwd.struct_passwd | None) -> dict[str, Any]:
    return {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _prepare(data: Path, user: pwd.struct_passwd | None) -> None:
    """Create the data folder for the server's account, and clear a pid file its last server left."""
    data.mkdir(mode=0o700, exist_ok=True)
    if user is not None:
        os.chown(data, user.pw_uid, user.pw_gid)
    pid_file = data / "postmaster.pid"
    if pid_file.exists():
        first = pid_file.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip()
        if first.isdigit() and alive(int(first)):
            raise UsageError(f"a PostgreSQL already runs on {data} (pid {first}): stop it first")
        pid_file.unlink()


def _ready(data: Path, pid: int) -> bool:
    """postmaster.pid names this server and says "ready" (its line 8, PostgreSQL 10+)."""
    try:
        lines = (data / "postmaster.pid").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[0].strip() == str(pid) and lines[7].strip() == "ready"


@contextmanager
def postgres(folder: Path, *, timeout: float = 60.0, port: int | None = None) -> Iterator[Postgres]:
    """Start PostgreSQL in ``folder`` (initdb on first use), yield how to reach it, stop it on leaving;
    on ``port`` while it is free, else on a free one."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    binaries = preflight(folder)
    user = account()
    data, log = folder / "data", folder / "postgres.log"
    _prepare(data, user)
    if not (data / "PG_VERSION").exists():
        step("initdb", [str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
                        "--no-locale", "--no-instructions", "--no-sync"],
             cwd=data, log=log, env=_ENV, timeout=120, account=_as(user))
    (port,) = loopback.ports_for([port])
    server = Service("PostgreSQL", [str(binaries / "postgres"), "-D", str(data), "-p", str(port),
                                    "-c", f"listen_addresses={loopback.HOST}", "-c", "unix_socket_directories="],
                     cwd=data, log=log, env=_ENV, account=_as(user), note=f"postgres on {loopback.HOST}:{port}",
                     ready=lambda process: _ready(data, process.pid), timeout=timeout,
                     stop_signal=signal.SIGINT, grace=20.0, interval=0.05)  # SIGINT: fast shutdown
    with server:
        yield Postgres(host=loopback.HOST, port=port, user=USER, data=data, log=log, pid=server.pid)
