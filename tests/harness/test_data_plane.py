"""The local Flyte data plane leaves nothing behind: after `flyte-parity local-cluster start` and
`stop`, and after Ctrl-C while a parity session's execution runs on it — no etcd, kube-*,
kubelet, containerd, containerd shim, flytepropeller, datacatalog, flyteadmin, postgres or
minio process, no mount under the run folder, no kubepods cgroup, and the kernel settings the kubelet
changes (vm.overcommit_memory, kernel.panic, kernel.panic_on_oops) as they were before."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.services import host_state, kubernetes
from flyte_parity.services.preflight import need_missing

SERVICES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "containerd",
            "containerd-shim-runc-v2", "flytepropeller", "datacatalog", "flyteadmin", "postgres", "minio", "dockerd")
KERNEL = ("/proc/sys/vm/overcommit_memory", "/proc/sys/kernel/panic", "/proc/sys/kernel/panic_on_oops")
PREFIX = "flyte-parity-cluster-"


@pytest.fixture(autouse=True)
def _data_plane_parts():
    lacking = need_missing("cluster") + need_missing("admin")
    if lacking:
        pytest.skip(f"not run: {lacking[0]}")


def _kernel() -> dict[str, str]:
    return {key: Path(key).read_text().strip() for key in KERNEL}


def _processes_in(folders: set[str]) -> list[str]:
    """Service processes whose command line or working folder is inside one of ``folders``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            exe = Path(os.readlink(entry / "exe")).name
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if exe in SERVICES and any(f in line or cwd.startswith(f) for f in folders):
            found.append(f"{entry.name} {exe} {line[:120]}")
    return found


def _left(folders: set[str]) -> list[str]:
    left = _processes_in(folders)
    for folder in folders:
        left += kubernetes.leftovers(Path(folder))
        left += [f"mount {m}" for m in host_state.mounts_under(Path(folder))]
    left += [f"cgroup {c}" for c in host_state.kubepods_cgroups()]
    return left


def _cli(*arguments: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flyte_parity.cli", *arguments], cwd=paths.REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_local_cluster_start_status_stop_leaves_nothing(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="fp-lc-"))  # short: containerd's socket path has a limit
    kernel = _kernel()
    try:
        started = _cli("local-cluster", "start", "--dir", str(folder))
        assert started.returncode == 0, started.stderr[-3000:]
        exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines())
        assert exports["FLYTE_PLATFORM_URL"].startswith("127.0.0.1:")
        assert exports["FLYTE_STAGING_LOCATION"] == "s3://my-s3-bucket/jvm-staging"
        assert exports["FLYTE_AWS_ENDPOINT"].startswith("http://127.0.0.1:")
        secret = exports["FLYTE_AWS_SECRET_ACCESS_KEY"]
        assert secret.startswith('"$(cat ') and "miniostorage" not in started.stdout + started.stderr
        assert exports["FLYTE_INTERNAL_IMAGE"].startswith("localhost/flyte-parity-jflyte:")
        status = _cli("local-cluster", "status", "--dir", str(folder))
        assert status.returncode == 0 and status.stdout.startswith("running: FLYTE_PLATFORM_URL=127.0.0.1:"), status
        assert _processes_in({str(folder)}), "nothing of the data plane runs in its folder"
    finally:
        stopped = _cli("local-cluster", "stop", "--dir", str(folder))
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped
    assert _cli("local-cluster", "status", "--dir", str(folder)).returncode == 1
    assert _left({str(folder)}) == []
    assert _kernel() == kernel
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_ctrl_c_during_an_execution_leaves_nothing(tmp_path):
    kernel = _kernel()
    before = {str(p) for p in Path(tempfile.gettempdir()).glob(PREFIX + "*")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
               "--parity-workers=1", "tests/parity/test_modes.py", "-k", "execution:"]
    session = subprocess.Popen(command, cwd=paths.REPO_ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    folders: set[str] = set()
    try:
        deadline = time.monotonic() + 600
        running = False
        while session.poll() is None and time.monotonic() < deadline and not running:
            folders = {str(p) for p in Path(tempfile.gettempdir()).glob(PREFIX + "*")} - before
            running = any(_task_pod_running(Path(f)) for f in folders)
            time.sleep(0.5)
        assert running, "no task pod ran in the session's data plane"
        os.killpg(session.pid, signal.SIGINT)  # a terminal's Ctrl-C
        output, _ = session.communicate(timeout=300)
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
    text = output.decode("utf-8", errors="replace")
    assert session.returncode == 2 and "KeyboardInterrupt" in text, text[-3000:]
    assert _left(folders) == []
    assert [f for f in folders if Path(f).exists()] == [], "the run folder was left"
    assert _kernel() == kernel


def _task_pod_running(folder: Path) -> bool:
    """Whether a task pod of the data plane in ``folder`` is on its way or running (read over the
    apiserver with the admin kubeconfig's token)."""
    import json

    try:
        config = json.loads((folder / "kube" / "kubeconfig").read_text(encoding="utf-8"))
        cluster = kubernetes.Cluster(server=config["clusters"][0]["cluster"]["server"],
                                     kubeconfig=folder / "kube" / "kubeconfig",
                                     token=config["users"][0]["user"]["token"],
                                     ca=Path(config["clusters"][0]["cluster"]["certificate-authority"]),
                                     containerd_socket=folder / "kube" / "containerd.sock", log_dir=folder)
        pods = cluster.pods()
    except Exception:  # not up yet, or going away
        return False
    return any(pod["metadata"]["namespace"].startswith("flytesnacks-")
               and pod["status"].get("phase") in ("Pending", "Running") for pod in pods)
