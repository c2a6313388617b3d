"""containerd for a kubelet: a config of its own that keeps root, state, socket, runc's state and
network namespaces under one folder; the pod sandbox image built from a static ``pause`` binary
(an OCI image layout, no registry); and what stopping it needs (its tasks, its shims).

The CRI plug-in runs pods with ``restrict_oom_score_adj`` (root here may lack CAP_SYS_RESOURCE,
and runc then fails every sandbox), cgroupfs, and a CNI config holding only ``loopback``: the
runtime reports its network ready, and pods use the host's network.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import signal
import socket as sockets
import subprocess
import tarfile
from pathlib import Path

from flyte_parity.services.processes import ServiceError, command_line, stop_all

CONTAINERD = Path("/usr/bin/containerd")
CTR = Path("/usr/bin/ctr")
SHIM = Path("/usr/bin/containerd-shim-runc-v2")  # found on containerd's PATH
RUNC = Path("/usr/sbin/runc")
CNI_BIN = Path("/usr/lib/cni")
PAUSE_IMAGE = "localhost/pause:3.10.1-local"
NAMESPACE = "k8s.io"  # the CRI plug-in's
SHIM_SOCKETS = Path("/run/containerd/s")  # hard-coded in containerd 1.6's shims
_DISABLED = ("io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
             "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs")
_OCI = "application/vnd.oci.image"


def _q(value: object) -> str:
    return json.dumps(str(value))  # a TOML basic string


def render_config(folder: Path, socket: Path) -> str:
    """containerd's config.toml (version 2): everything under ``folder``, the CRI plug-in as above."""
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    return "\n".join([
        "version = 2",
        f"root = {_q(folder / 'root')}",
        f"state = {_q(folder / 'state')}",
        f"disabled_plugins = [{', '.join(_q(name) for name in _DISABLED)}]",
        "[grpc]", f"  address = {_q(socket)}",
        "[debug]", '  address = ""',
        "[metrics]", '  address = ""',
        f"[{cri}]",
        f"  sandbox_image = {_q(PAUSE_IMAGE)}",
        "  restrict_oom_score_adj = true",
        "  netns_mounts_under_state_dir = true",
        "  disable_apparmor = true",
        '  stream_server_address = "127.0.0.1"',
        '  stream_server_port = "0"',
        f"[{cri}.containerd]",
        '  snapshotter = "overlayfs"',
        '  default_runtime_name = "runc"',
        f"[{cri}.containerd.runtimes.runc]",
        '  runtime_type = "io.containerd.runc.v2"',
        f"[{cri}.containerd.runtimes.runc.options]",
        f"  BinaryName = {_q(RUNC)}",
        f"  Root = {_q(folder / 'runc')}",
        "  SystemdCgroup = false",
        f"[{cri}.cni]",
        f"  bin_dir = {_q(CNI_BIN)}",
        f"  conf_dir = {_q(folder / 'cni')}",
        "  max_conf_num = 1",
        '[plugins."io.containerd.internal.v1.opt"]',
        f"  path = {_q(folder / 'opt')}",
        "",
    ])


def cni_conflist() -> dict:
    """The one network config: loopback alone (no pod network; pods use the host's)."""
    return {"cniVersion": "1.0.0", "name": "loopback-only", "plugins": [{"type": "loopback"}]}


def write_config(folder: Path, socket: Path) -> Path:
    """Write config.toml and the CNI config into ``folder``; the config's path."""
    (folder / "cni").mkdir(parents=True, exist_ok=True)
    (folder / "cni" / "10-loopback.conflist").write_text(json.dumps(cni_conflist(), indent=1), encoding="utf-8")
    config = folder / "config.toml"
    config.write_text(render_config(folder, socket), encoding="utf-8")
    return config


def _tar(members: list[tuple[str, bytes, int]]) -> bytes:
    """A reproducible tar of (name, content, mode): owner root, time 0."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, content, mode in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), mode, 0
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _blob(content: bytes, media_type: str) -> tuple[dict, tuple[str, bytes, int]]:
    """A descriptor of ``content`` and its tar member in the layout's blobs/sha256."""
    digest = hashlib.sha256(content).hexdigest()
    return ({"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(content)},
            (f"blobs/sha256/{digest}", content, 0o644))


def _json(document: dict) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")


def goarch() -> str:
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def pause_archive(pause: Path, name: str = PAUSE_IMAGE) -> bytes:
    """An OCI image layout (as a tar, for ``ctr images import``) of one image named ``name``: one
    uncompressed layer holding ``/pause`` (the static binary), ENTRYPOINT ["/pause"]."""
    layer = _tar([("pause", Path(pause).read_bytes(), 0o755)])
    layer_descriptor, layer_member = _blob(layer, f"{_OCI}.layer.v1.tar")
    config = {"architecture": goarch(), "os": "linux",
              "config": {"Entrypoint": ["/pause"], "WorkingDir": "/"},
              "rootfs": {"type": "layers", "diff_ids": [layer_descriptor["digest"]]}}
    config_descriptor, config_member = _blob(_json(config), f"{_OCI}.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": f"{_OCI}.manifest.v1+json",
                "config": config_descriptor, "layers": [layer_descriptor]}
    manifest_descriptor, manifest_member = _blob(_json(manifest), f"{_OCI}.manifest.v1+json")
    index = {"schemaVersion": 2, "mediaType": f"{_OCI}.index.v1+json", "manifests": [dict(
        manifest_descriptor, platform={"architecture": goarch(), "os": "linux"},
        annotations={"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]})]}
    return _tar([("oci-layout", _json({"imageLayoutVersion": "1.0.0"}), 0o644),
                 ("index.json", _json(index), 0o644), layer_member, config_member, manifest_member])


def ctr(socket: Path, *arguments: str, timeout: float = 60.0) -> str:
    """Run ``ctr`` against our containerd in the CRI namespace; its output (a ServiceError when it fails)."""
    command = [str(CTR), "--address", str(socket), "--namespace", NAMESPACE, *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          start_new_session=True)  # a terminal's Ctrl-C is ours to handle, not ctr's
    if done.returncode != 0:
        raise ServiceError(f"{' '.join(command)} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def import_image(socket: Path, archive: Path) -> None:
    """Import an image archive (OCI layout or docker save) into the CRI namespace, unpacked."""
    ctr(socket, "images", "import", str(archive), timeout=600)


def tasks(socket: Path) -> list[str]:
    """The ids of the running tasks (containers' processes, pods' sandboxes included)."""
    return ctr(socket, "tasks", "list", "--quiet", timeout=20).split()


def kill_tasks(socket: Path) -> None:
    """SIGKILL every task and delete it (what a clean drain would have done)."""
    for task in tasks(socket):
        for arguments in (("tasks", "kill", "--signal", "SIGKILL", "--all", task), ("tasks", "delete", "--force", task)):
            try:
                ctr(socket, *arguments, timeout=20)
            except (ServiceError, subprocess.TimeoutExpired):
                pass


def shim_socket(socket: Path, namespace: str, task: str) -> Path:
    """Where the shim of ``task`` serves (containerd 1.6: a hash of the daemon's socket, namespace and id)."""
    return SHIM_SOCKETS / hashlib.sha256(os.path.join(str(socket), namespace, task).encode()).hexdigest()


def _option(arguments: list[str], flag: str) -> str:
    return arguments[arguments.index(flag) + 1] if flag in arguments[:-1] else ""


def shims(socket: Path) -> dict[int, Path]:
    """The live shims of the containerd at ``socket`` (found by ``-address <socket>`` on their
    command line, whoever their parent is): pid -> the socket file the shim serves."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        arguments = command_line(int(entry.name))
        if arguments and "containerd-shim" in Path(arguments[0]).name and str(socket) in arguments:
            found[int(entry.name)] = shim_socket(socket, _option(arguments, "-namespace"), _option(arguments, "-id"))
    return found


def answers(socket: Path) -> bool:
    """Whether a containerd listens on ``socket``."""
    with sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM) as probe:
        try:
            probe.connect(str(socket))
            return True
        except OSError:
            return False


def stop_shims(socket: Path, timeout: float = 5.0) -> None:
    """Kill the tasks left (when containerd still answers), then stop the shims of the containerd
    at ``socket`` by pid and remove the sockets they leave."""
    if answers(socket):
        kill_tasks(socket)
    found = shims(socket)
    stop_all(sorted(found), signal.SIGTERM, timeout=timeout)
    for path in found.values():
        if path.is_socket():
            path.unlink(missing_ok=True)
