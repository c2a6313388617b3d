"""A real single-node Kubernetes (services.kubernetes) on loopback, no mocks: its node gets Ready, a
host-network pod of the pause image runs, and leaving — at the block's end or on Ctrl-C — leaves
nothing: no process of ours, no mount under the run folder, the kernel settings as they were, no
kubepods cgroup, nothing new in /var/log/containers.

Needs root, Debian's etcd-server, containerd, runc, containernetworking-plugins and openssl, and
the Kubernetes binaries (KUBERNETES_BIN_DIR, or `make kubernetes`); skipped without them. Only one
kubelet can run on a host: a test waits while another one runs."""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import containerd, host_state, kubernetes
from flyte_parity.services.kubernetes import kubernetes as cluster_in, leftovers

PROGRAMS = ("etcd", "containerd", "containerd-shim-runc-v2", *kubernetes.COMMANDS)
WAIT_FOR_OTHER_KUBELET = 900.0

# Starts a cluster in argv[1] with a pod running, says "ready", then sleeps until interrupted.
CHILD = """
import sys, time
from pathlib import Path
from flyte_parity.services.kubernetes import kubernetes
from tests.harness.test_kubernetes import run_pause_pod
with kubernetes(Path(sys.argv[1])) as cluster:
    run_pause_pod(cluster, "interrupted")
    print("ready", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def host_free(tmp_path):
    """The parts are there and no other cluster or kubelet runs (waits for it to end)."""
    try:
        kubernetes.preflight()
    except UsageError as missing:
        pytest.skip(str(missing))
    deadline = time.monotonic() + WAIT_FOR_OTHER_KUBELET
    while True:
        try:
            host_state.hold_host(tmp_path).close()
            return
        except UsageError as busy:
            if time.monotonic() > deadline:
                pytest.skip(str(busy))
            time.sleep(5)


def _kernel() -> dict[str, str]:
    return {key: Path("/proc/sys", key).read_text() for key in host_state.KERNEL_SETTINGS}


def _our_processes(folder: Path) -> list[str]:
    """Our programs (etcd, containerd, its shims, kube-*) that name ``folder`` on their command line."""
    return [f"{pid} {' '.join(arguments)[:150]}" for pid, arguments in host_state.processes_naming(folder)
            if Path(arguments[0]).name in PROGRAMS]


def run_pause_pod(cluster, namespace: str, timeout: float = 60.0) -> None:
    """Run a host-network pod of the pause image in ``namespace`` to Running."""
    cluster.apply_namespace(namespace)
    cluster.create(f"/api/v1/namespaces/{namespace}/pods", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pause"},
        "spec": {"hostNetwork": True, "containers": [
            {"name": "pause", "image": containerd.PAUSE_IMAGE, "imagePullPolicy": "Never"}]}})
    deadline = time.monotonic() + timeout
    while (status := cluster.api("GET", f"/api/v1/namespaces/{namespace}/pods/pause")["status"]).get("phase") != "Running":
        assert time.monotonic() < deadline, f"the pod is not running after {timeout:.0f} s: {status}"
        time.sleep(0.2)


def _assert_nothing_left(folder: Path, kernel: dict[str, str]) -> None:
    assert leftovers(folder) == []
    assert _our_processes(folder) == []
    assert host_state.mounts_under(folder) == []
    assert _kernel() == kernel
    assert host_state.kubepods_cgroups() == []


def test_a_pod_runs_and_nothing_is_left(tmp_path, host_free):
    kernel = _kernel()
    with cluster_in(tmp_path) as cluster:
        assert cluster.server.startswith("https://127.0.0.1:") and cluster.node_ready()
        assert cluster.kubeconfig.is_file() and cluster.containerd_socket.is_socket()
        run_pause_pod(cluster, "smoke")
        shims = containerd.shims(cluster.containerd_socket)
        assert shims and all(socket.is_socket() for socket in shims.values())
        assert host_state.mounts_under(tmp_path)  # the kubelet's root, the pod's rootfs and token volume
        cluster.api("DELETE", "/api/v1/namespaces/smoke/pods/pause")
        cluster.wait_pods_gone("smoke", timeout=60)
    _assert_nothing_left(tmp_path, kernel)
    assert not any(socket.exists() for socket in shims.values())


def test_ctrl_c_leaves_nothing(tmp_path, host_free):
    kernel = _kernel()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                             cwd=paths.REPO_ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = b""
    try:
        deadline = time.monotonic() + 180
        while b"\nready\n" not in b"\n" + output and child.poll() is None and time.monotonic() < deadline:
            if select.select([child.stdout], [], [], 1.0)[0]:
                output += os.read(child.stdout.fileno(), 65536)
        assert b"\nready\n" in b"\n" + output, output.decode(errors="replace")[-3000:]
        os.kill(child.pid, signal.SIGINT)
        sent = time.monotonic()
        rest, _ = child.communicate(timeout=120)
        output += rest
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
            kubernetes.clean_up(tmp_path)
    text = output.decode(errors="replace")
    assert "KeyboardInterrupt" in text and "==> kubernetes: stopped" in text, text[-3000:]
    assert took < 60, f"{took:.1f} s to stop after SIGINT:\n{text[-3000:]}"
    _assert_nothing_left(tmp_path, kernel)
