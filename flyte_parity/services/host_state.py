"""What a kubelet and its containerd change on the host outside their run folder, noted before they
start and put back after they stop: kernel settings, what appears in /var/log/containers,
/var/log/pods and /var/lib/kubelet, the kubepods cgroups, containerd's shim-socket folder, and
every mount under the run folder.

The notes are kept in ``<folder>/host-state.json``: a later run in the same folder undoes what a
killed one left, and ``kubernetes.leftovers`` compares the host with them.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import signal
import socket
from pathlib import Path
from typing import Sequence

from flyte_parity.base.errors import UsageError
from flyte_parity.services.processes import command_line

# What the kubelet sets at start (its kernel tunables; protectKernelDefaults: false lets it).
KERNEL_SETTINGS = ("vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
                   "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes")
# Written by the kubelet whatever its root dir: its container log links, its device-plugin socket.
HOST_FOLDERS = ("/var/log/containers", "/var/log/pods", "/var/lib/kubelet", "/var/lib/kubelet/device-plugins")
RUN_FOLDERS = ("/run/containerd", "/run/containerd/s")  # every containerd puts its shims' sockets there
STATE_FILE = "host-state.json"
_LOCK = "\0flyte-parity-kubernetes"  # the name of the abstract socket hold_host binds
_MNT_DETACH = 2


def sysctl_name(key: str) -> str:
    return key.replace("/", ".")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _entries(folder: str) -> list[str] | None:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


def note(folder: Path, **extra: object) -> dict:
    """The host's state as the cluster finds it (and ``extra``), written to ``folder``'s state file."""
    state = {**extra, "kernel": {key: _read(Path("/proc/sys", key)) for key in KERNEL_SETTINGS},
             "folders": {path: _entries(path) for path in HOST_FOLDERS},
             "run": {path: os.path.isdir(path) for path in RUN_FOLDERS},
             "restored": False}
    save(folder, state)
    return state


def save(folder: Path, state: dict) -> None:
    (Path(folder) / STATE_FILE).write_text(json.dumps(state, indent=1), encoding="utf-8")


def load(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def kernel_changes(state: dict) -> dict[str, tuple[str | None, str | None]]:
    """Each kernel setting that differs from the noted value: key -> (noted, now)."""
    now = {key: _read(Path("/proc/sys", key)) for key in state["kernel"]}
    return {key: (value, now[key]) for key, value in state["kernel"].items() if value is not None and now[key] != value}


def _write_kernel(state: dict) -> list[str]:
    """Write the noted kernel settings back; what could not be written."""
    failed = []
    for key, (noted, _) in kernel_changes(state).items():
        try:
            Path("/proc/sys", key).write_text(noted + "\n", encoding="utf-8")
        except OSError as err:
            failed.append(f"{sysctl_name(key)}: {err}")
    return failed


def restore_kernel(folder: Path) -> None:
    """Put the kernel settings noted in ``folder`` back, unless that run's host is restored already."""
    state = load(folder)
    if state and not state.get("restored"):
        for failure in _write_kernel(state):
            print(f"==> kubernetes: could not restore {failure}", flush=True)


def restore(folder: Path) -> None:
    """Undo what a cluster run in ``folder`` changed on the host (once): kill what still runs in a
    kubepods cgroup, unmount everything under ``folder``, remove the kubepods cgroups and what the
    kubelet wrote in its host folders, put the kernel settings back."""
    kill_pod_processes()
    unmount_all(folder)
    remove_cgroups()
    restore_kernel(folder)
    state = load(folder)
    if state and not state.get("restored"):
        remove_new_entries(state)
        remove_run_folders(state)
        state["restored"] = True
        save(folder, state)


def new_entries(state: dict) -> list[Path]:
    """What appeared in the kubelet's host folders since the note (a folder itself when it did not
    exist then)."""
    found = []
    for folder, before in state["folders"].items():
        now = _entries(folder)
        if now is None:
            continue
        if before is None:
            found.append(Path(folder))
        else:
            found.extend(Path(folder, name) for name in now if name not in before)
    return found


def remove_new_entries(state: dict) -> None:
    for path in sorted(new_entries(state), key=lambda path: len(path.parts), reverse=True):
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def remove_run_folders(state: dict) -> None:
    """containerd's shim-socket folders, when they did not exist before and are empty now."""
    for path in reversed(RUN_FOLDERS):
        if not state["run"].get(path, True):
            try:
                os.rmdir(path)
            except OSError:
                pass


def _mountinfo() -> list[list[str]]:
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        return [line.split() for line in handle]


def _unescape(field: str) -> str:
    return field.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def mounts_under(folder: Path) -> list[str]:
    """Mount points under ``folder`` (not itself), deepest first (a mount shown twice is listed twice)."""
    root = str(Path(folder).resolve())
    points = [_unescape(fields[4]) for fields in _mountinfo()]
    under = [point for point in points if point.startswith(root + "/")]
    return sorted(under, key=lambda point: (point.count("/"), len(point)), reverse=True)


def unmount_all(folder: Path, rounds: int = 10) -> list[str]:
    """Unmount everything under ``folder``, deepest first (detached when busy); what is left."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(rounds):
        points = mounts_under(folder)
        if not points:
            return []
        for point in points:
            if libc.umount2(point.encode(), 0) != 0 and ctypes.get_errno() == errno.EBUSY:
                libc.umount2(point.encode(), _MNT_DETACH)
    return mounts_under(folder)


def cgroup_hierarchies() -> list[Path]:
    """The mount points of the cgroup hierarchies (v1 and v2)."""
    found = []
    for fields in _mountinfo():
        separator = fields.index("-")
        if fields[separator + 1] in ("cgroup", "cgroup2"):
            found.append(Path(_unescape(fields[4])))
    return found


def kubepods_cgroups() -> list[Path]:
    """Every cgroup named kubepods* at the top of a hierarchy, with what is inside it, deepest first."""
    found = []
    for hierarchy in cgroup_hierarchies():
        for top in sorted(hierarchy.glob("kubepods*")):
            if top.is_dir():
                for root, folders, _ in os.walk(top, topdown=False):
                    found.extend(Path(root, name) for name in folders)
                found.append(top)
    return found


def remove_cgroups() -> list[Path]:
    """Remove the kubepods cgroups (only empty ones can go); those left."""
    for cgroup in kubepods_cgroups():
        try:
            os.rmdir(cgroup)
        except OSError:
            pass
    return kubepods_cgroups()


def kill_pod_processes() -> None:
    """SIGKILL whatever still runs in a kubepods cgroup (containers whose shim is gone)."""
    for cgroup in kubepods_cgroups():
        try:
            pids = (cgroup / "cgroup.procs").read_text(encoding="utf-8").split()
        except OSError:
            continue
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def _ancestry() -> set[int]:
    """This process and its ancestors."""
    found, pid = set(), os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
            pid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return found


def processes_naming(folder: Path, programs: Sequence[str] = ()) -> list[tuple[int, list[str]]]:
    """(pid, arguments) of each process, not this one or an ancestor, that has ``folder`` (or a path
    under it) on its command line or runs one of ``programs``."""
    mention = re.compile(re.escape(str(Path(folder).resolve())) + r"(?=/|$|[^\w.-])")
    programs, mine, found = set(programs), _ancestry(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in mine:
            arguments = command_line(int(entry.name))
            if arguments and (arguments[0] in programs or any(mention.search(arg) for arg in arguments)):
                found.append((int(entry.name), arguments))
    return found


def running_kubelets(but: Path | None = None) -> list[str]:
    """Any kubelet or kube-apiserver on this host (but those of a run in folder ``but``): 'pid command' each."""
    mine = {pid for pid, _ in processes_naming(but)} if but else set()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            name = (entry / "comm").read_text(encoding="utf-8").strip() if entry.name.isdigit() else ""
        except OSError:
            continue
        if name in ("kubelet", "kube-apiserver") and int(entry.name) not in mine:
            found.append(f"{entry.name} {' '.join(command_line(int(entry.name)))[:160]}")
    return found


def hold_host(folder: Path) -> socket.socket:
    """Hold the host's one cluster slot (an abstract socket, released with its holder, whatever ends
    it); a UsageError when a cluster runs or a kubelet not of ``folder``'s run does."""
    lock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        lock.bind(_LOCK)
    except OSError:
        lock.close()
        raise UsageError("another kubernetes() runs on this host and only one kubelet can: wait for it to end") from None
    others = running_kubelets(but=folder)
    if others:
        lock.close()
        raise UsageError(f"a kubelet or kube-apiserver already runs on this host ({others[0]}): stop it first")
    return lock
