"""A Docker daemon of our own in a folder: ``with DockerEngine(folder) as engine: engine.client...``.

Debian's dockerd (package docker.io) runs as root with its data root (``data``), exec root (``x``,
short: Unix socket paths are limited to 107 bytes), pidfile, config, key file and Unix socket all
under ``folder``; ``engine.client`` is a ``docker.DockerClient`` on ``engine.socket``. There is no
/var/run/docker.sock, no bridge, no iptables or ip6tables rule, no masquerading and no ip_forward
change: host networking is never touched, so a container it runs (a build's RUN step) needs
``network_mode="host"``. Its cgroups go under one parent named after the folder, and temporary
files and mounts under ``folder/tmp``.

Leaving the block — normally, on an error or on Ctrl-C — stops dockerd (which stops the containerd
it started), then any process left that names ``folder`` (a shim), unmounts whatever is still
mounted under ``folder``, and removes the empty cgroups it made and the empty run folders that
dockerd and containerd's shims make on the host (/run/docker, /run/containerd/s) when they were not
there before. ``folder`` and what it holds are the caller's.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Sequence

import docker

from flyte_parity.base.errors import UsageError
from flyte_parity.services.lifecycle import Service
from flyte_parity.services.processes import alive, command_line, processes_of, stop_all, uninterrupted

DOCKERD = Path("/usr/sbin/dockerd")
_ENV_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
RUN_FOLDERS = ("/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd")  # children first
_SOCKET_LIMIT = 107  # bytes in sun_path, less its final NUL
_MNT_DETACH = 2


def mounts_under(folder: Path) -> list[str]:
    """The mount points at or under ``folder`` (this process's view), deepest first."""
    root = str(Path(folder).resolve())
    found = []
    for line in Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines():
        point = re.sub(r"\\([0-7]{3})", lambda octal: chr(int(octal.group(1), 8)), line.split(" ")[4])
        if point == root or point.startswith(root.rstrip("/") + "/"):
            found.append(point)
    return sorted(set(found), key=lambda path: path.count("/"), reverse=True)


def unmount_under(folder: Path) -> None:
    """Unmount everything mounted at or under ``folder``, deepest first (a lazy unmount when busy);
    an OSError naming what stays mounted."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(5):
        points = mounts_under(folder)
        if not points:
            return
        for point in points:
            if libc.umount2(point.encode(), 0) != 0:
                libc.umount2(point.encode(), _MNT_DETACH)
    left = mounts_under(folder)
    if left:
        raise OSError(f"still mounted under {folder}: {', '.join(left)}")


def cgroup_parent(folder: Path) -> str:
    """The cgroup (in each hierarchy) under which the containers of the daemon in ``folder`` run."""
    return "flyte-parity-docker-" + hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:12]


def remove_empty_cgroups(name: str) -> None:
    """Remove the cgroup ``name`` (under the root of each hierarchy) and those below it that are empty."""
    for top in [Path("/sys/fs/cgroup") / name, *Path("/sys/fs/cgroup").glob(f"*/{name}")]:
        if top.is_dir():
            for here, _, _ in sorted(os.walk(top), key=lambda entry: entry[0].count("/"), reverse=True):
                try:
                    os.rmdir(here)
                except OSError:
                    pass  # still in use: not ours to force


def remove_new_run_folders(existed: set[str], folders: Sequence[str] = RUN_FOLDERS) -> None:
    """Remove each of ``folders`` (children first) not in ``existed`` (those there before a start) while it is empty."""
    for folder in folders:
        if folder not in existed:
            try:
                os.rmdir(folder)
            except OSError:
                pass  # gone already, or in use by another daemon


def naming(folder: Path) -> list[int]:
    """The live processes of ``folder``: ``processes_of`` it, and any other given a socket under it as
    an argument (a shim whose containerd was killed leads no session and has no parent of ours; a
    pager showing a log there is left alone)."""
    root = str(Path(folder).resolve()).rstrip("/") + "/"
    found = set(processes_of(folder))
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            arguments = (arg.removeprefix("unix://") for arg in command_line(int(entry.name)))
            if any(arg.startswith(root) and arg.endswith(".sock") for arg in arguments):
                found.add(int(entry.name))
    return sorted(pid for pid in found if alive(pid))


class DockerEngine:
    """dockerd in ``folder`` while the block runs; ``client`` and ``socket`` within it."""

    def __init__(self, folder: Path, *, timeout: float = 60.0) -> None:
        self.folder = Path(folder).resolve()
        self.socket = self.folder / "docker.sock"
        self.log = self.folder / "dockerd.log"
        self.timeout = timeout
        self.client: docker.DockerClient | None = None
        self._server: Service | None = None
        self._existed: set[str] = set()

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def _preflight(self) -> None:
        if os.geteuid() != 0:
            raise UsageError("dockerd needs root: run as root (a throwaway machine or container)")
        if not os.access(DOCKERD, os.X_OK):
            raise UsageError(f"no {DOCKERD}: `apt-get install docker.io` (Debian)")
        longest = self.folder / "x" / "containerd" / "containerd.sock.ttrpc"
        if len(str(longest).encode()) > _SOCKET_LIMIT:
            raise UsageError(f"{self.folder} is too long a path for dockerd's Unix sockets: choose a shorter folder")
        pidfile = self.folder / "docker.pid"
        if pidfile.is_file():
            pid = pidfile.read_text(encoding="utf-8").strip()
            if pid.isdigit() and alive(int(pid)):
                raise UsageError(f"a dockerd already runs on {self.folder} (pid {pid}): stop it first")

    def _command(self) -> list[str]:
        config = self.folder / "daemon.json"
        config.write_text(json.dumps({"deprecated-key-path": str(self.folder / "key.json")}) + "\n",
                          encoding="utf-8")  # else it writes /etc/docker/key.json
        return [str(DOCKERD), "--config-file", str(config), "--data-root", str(self.folder / "data"),
                "--exec-root", str(self.folder / "x"), "--pidfile", str(self.folder / "docker.pid"),
                "--host", self.url, "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                "--ip-forward=false", "--exec-opt", "native.cgroupdriver=cgroupfs",
                "--cgroup-parent", "/" + cgroup_parent(self.folder)]

    def _ready(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            with docker.APIClient(base_url=self.url, version="1.41", timeout=2) as probe:
                return bool(probe.ping())
        except Exception:  # not answering yet
            return False

    def __enter__(self) -> DockerEngine:
        self._preflight()
        (self.folder / "tmp").mkdir(parents=True, exist_ok=True)
        self._existed = {folder for folder in RUN_FOLDERS if os.path.lexists(folder)}
        env = {"PATH": _ENV_PATH, "HOME": str(self.folder), "TMPDIR": str(self.folder / "tmp"),
               "DOCKER_TMPDIR": str(self.folder / "tmp"), "LANG": "C"}
        self._server = Service("dockerd", self._command(), cwd=self.folder, log=self.log, env=env,
                               ready=lambda process: self._ready(), timeout=self.timeout,
                               stop_signal=signal.SIGTERM, grace=30.0, interval=0.2)
        try:
            self._server.start()
            self._server.wait()
            self.client = docker.DockerClient(base_url=self.url, version="auto", timeout=600)
        except BaseException:
            self._leave()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._leave()

    def _leave(self) -> None:
        with uninterrupted():
            try:
                if self.client is not None:
                    self.client.close()
                    self.client = None
                if self._server is not None:
                    self._server.stop()
            finally:
                stop_all(naming(self.folder), timeout=10.0)
                deadline = time.monotonic() + 10
                while naming(self.folder) and time.monotonic() < deadline:
                    time.sleep(0.1)
                try:
                    unmount_under(self.folder)
                finally:
                    remove_empty_cgroups(cgroup_parent(self.folder))
                    remove_new_run_folders(self._existed)
