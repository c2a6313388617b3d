"""A single-node Kubernetes on loopback: ``with kubernetes(folder) as cluster: ...``.

Debian's etcd and containerd, then kube-apiserver, kube-controller-manager, kube-scheduler and a
kubelet whose node is ``127.0.0.1``; every port is a free one on 127.0.0.1, and all state, logs
and certificates live in ``folder`` (containerd's images are kept there between runs, the rest is
made afresh). Pods must use ``hostNetwork: true``: there is no pod network, no kube-proxy, no DNS.
Anyone holding the admin token may do anything (AlwaysAllow): a throwaway cluster.

Leaving the block — normally, on an error or on Ctrl-C — deletes every pod and waits for
containerd's tasks to end, stops the kubelet, the scheduler, the controller-manager, the apiserver,
containerd's shims, containerd and etcd, unmounts everything under ``folder``, and undoes what the
kubelet did to the host (kernel settings, /var/log/containers, its device-plugin socket in
/var/lib/kubelet, kubepods cgroups: see host_state).
``leftovers(folder)`` says what is still there; ``clean_up(folder)`` (or the next run in the same
folder) stops and undoes what a killed run left. Only one kubelet can run on a host: a second
``kubernetes()`` is refused. Needs root.

Binaries: ``$KUBERNETES_BIN_DIR``, else .tools/bin (``make kubernetes``), holding kube-apiserver,
kube-controller-manager, kube-scheduler and kubelet (each as itself or ``<name>.xz``) and ``pause``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import containerd, host_state, loopback
from flyte_parity.services.lifecycle import Service, step
from flyte_parity.services.processes import ServiceError, stop_all, tail, uninterrupted

BIN_VARIABLE = "KUBERNETES_BIN_DIR"
COMMANDS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet")
ETCD, OPENSSL = Path("/usr/bin/etcd"), Path("/usr/bin/openssl")
NODE = "127.0.0.1"  # the node's name and InternalIP (an IP-literal name passes the kubelet's loopback check)
SERVICE_RANGE = "10.0.0.0/24"  # the apiserver needs one; nothing routes it
PACKAGES = {ETCD: "etcd-server", containerd.CONTAINERD: "containerd", containerd.CTR: "containerd",
            containerd.SHIM: "containerd", containerd.RUNC: "runc", containerd.CNI_BIN / "loopback": "containernetworking-plugins",
            OPENSSL: "openssl"}
_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
_NAMES = ("etcd", "containerd", "containerd-shim-runc-v2", *COMMANDS)  # what a killed run may leave


class ApiError(ServiceError):
    """The apiserver answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Cluster:
    """A running cluster: the admin kubeconfig (static token), the apiserver's URL, containerd's socket."""

    server: str  # https://127.0.0.1:<port>
    kubeconfig: Path
    token: str
    ca: Path
    containerd_socket: Path
    log_dir: Path
    node: str = NODE

    @cached_property
    def _opener(self) -> urllib.request.OpenerDirector:
        context = ssl.create_default_context(cafile=str(self.ca))
        return urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))

    def api(self, method: str, path: str, body: Any = None, *, timeout: float = 30.0) -> dict:
        """One JSON request to the apiserver (``path`` like /api/v1/pods); the answer, or an ApiError."""
        text = self._request(method, path, body, timeout)
        return json.loads(text) if text else {}

    def answers(self, path: str) -> bool:
        """GET ``path`` (e.g. /readyz) succeeds."""
        try:
            self._request("GET", path, None, 5.0)
            return True
        except (ApiError, OSError):
            return False

    def _request(self, method: str, path: str, body: Any, timeout: float) -> bytes:
        content = "application/merge-patch+json" if method == "PATCH" else "application/json"
        request = urllib.request.Request(self.server + path, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", "Content-Type": content},
            data=None if body is None else json.dumps(body).encode("utf-8"))
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise ApiError(err.code, f"{method} {path}: {err.code} {detail}") from None

    def create(self, path: str, manifest: dict) -> dict:
        """POST ``manifest`` to the collection ``path`` (e.g. /api/v1/namespaces/<ns>/pods); the object made."""
        return self.api("POST", path, manifest)

    def apply_namespace(self, name: str, timeout: float = 60.0) -> None:
        """Make namespace ``name`` unless it exists, and wait for its ``default`` service account
        (pods are refused until the controller-manager has made it)."""
        try:
            self.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except ApiError as err:
            if err.status != 409:
                raise
        _until(f"the default service account of {name}", lambda: self._exists(
            f"/api/v1/namespaces/{name}/serviceaccounts/default"), timeout)

    def pods(self, namespace: str | None = None) -> list[dict]:
        return self.api("GET", _pods_path(namespace))["items"]

    def delete_pods(self, namespace: str | None = None, grace: int = 5) -> None:
        """Delete every pod (of ``namespace``, or of all), giving each ``grace`` seconds to end."""
        for name in sorted({pod["metadata"]["namespace"] for pod in self.pods(namespace)}):
            self.api("DELETE", f"{_pods_path(name)}?gracePeriodSeconds={grace}")

    def wait_pods_gone(self, namespace: str | None = None, timeout: float = 120.0) -> None:
        _until("the pods to be gone", lambda: not self.pods(namespace), timeout)

    def import_image(self, archive: Path) -> None:
        """Import an image archive (``docker save`` or OCI layout) into the cluster's containerd."""
        containerd.import_image(self.containerd_socket, archive)

    def node_ready(self) -> bool:
        """The node is Ready and carries no taint (pods can be scheduled on it)."""
        try:
            node = self.api("GET", f"/api/v1/nodes/{self.node}", timeout=5)
        except (ApiError, OSError):
            return False
        conditions = node.get("status", {}).get("conditions", [])
        ready = any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
        return ready and not node.get("spec", {}).get("taints")

    def _exists(self, path: str) -> bool:
        try:
            self.api("GET", path, timeout=5)
            return True
        except ApiError as err:
            if err.status == 404:
                return False
            raise


def _node_state(cluster: Cluster) -> str:
    """The node's conditions and taints, in a line."""
    try:
        node = cluster.api("GET", f"/api/v1/nodes/{cluster.node}", timeout=5)
    except (ApiError, OSError) as err:
        return f"node {cluster.node} unknown ({err})"
    conditions = [f"{c['type']}={c['status']} ({c.get('message', '')})" for c in node["status"].get("conditions", [])]
    taints = [f"{t['key']}:{t['effect']}" for t in node["spec"].get("taints", [])]
    return f"node {cluster.node}: {', '.join(conditions)}; taints: {', '.join(taints) or 'none'}"


def _pods_path(namespace: str | None) -> str:
    return f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"


def _until(what: str, check: Callable[[], bool], timeout: float, alive: Sequence[Service] = ()) -> None:
    """Return once ``check()`` is true; a ServiceError when ``timeout`` seconds pass or one of ``alive`` exits."""
    deadline = time.monotonic() + timeout
    while not check():
        for service in alive:
            if service.process is not None and service.process.poll() is not None:
                raise service._error(f"exited ({service.process.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise ServiceError(f"no {what} after {timeout:.0f} s")
        time.sleep(0.2)


def binaries(bin_dir: Path | None = None) -> dict[str, Path]:
    """The Kubernetes commands and ``pause``: from ``bin_dir``, else $KUBERNETES_BIN_DIR, else
    .tools/bin; each as itself or ``<name>.xz`` (decompressed once into .tools/bin)."""
    chosen = bin_dir or os.environ.get(BIN_VARIABLE, "").strip()
    folder = Path(chosen) if chosen else paths.TOOLS_BIN
    found, missing = {}, []
    for name in (*COMMANDS, "pause"):
        plain, packed = folder / name, folder / f"{name}.xz"
        if plain.is_file() and os.access(plain, os.X_OK):
            found[name] = plain.resolve()
        elif packed.is_file():
            found[name] = paths.unpacked(packed)
        else:
            missing.append(name)
    if missing:
        raise UsageError(f"no {', '.join(missing)} in {folder}: set {BIN_VARIABLE} to a folder holding "
                         f"{', '.join(COMMANDS)} (or their .xz) and pause, or run `make kubernetes`")
    return found


def preflight(bin_dir: Path | None = None) -> dict[str, Path]:
    """The binaries, once root and Debian's parts are there; else a UsageError naming the fix."""
    if os.geteuid() != 0:
        raise UsageError("a kubelet and containerd need root: run as root")
    for path, package in PACKAGES.items():
        if not path.exists():
            raise UsageError(f"no {path}: `apt-get install {package}`")
    return binaries(bin_dir)


def leftovers(folder: Path) -> list[str]:
    """What a cluster run in ``folder`` left on the host: processes, mounts, kernel settings,
    kubelet log entries and kubepods cgroups (empty when it cleaned up)."""
    folder = Path(folder).resolve()
    state = host_state.load(folder) or {}
    found = [f"process {pid}: {' '.join(arguments)[:200]}"
             for pid, arguments in host_state.processes_naming(folder, state.get("binaries", []))]
    found += [f"mount {point}" for point in host_state.mounts_under(folder)]
    if state:
        found += [f"sysctl {host_state.sysctl_name(key)} = {now} (was {noted})"
                  for key, (noted, now) in host_state.kernel_changes(state).items()]
        found += [f"{path} (the kubelet's)" for path in host_state.new_entries(state)]
    found += [f"cgroup {path}" for path in host_state.kubepods_cgroups()]
    return found


def kubelet_config(root: Path, socket: Path, port: int, healthz_port: int, resolv: Path) -> dict:
    """The kubelet's configuration file (JSON): on 127.0.0.1, cgroupfs on cgroup v1, nothing under
    /var but /var/log/containers (hard-coded upstream), images never collected, lenient eviction."""
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "address": NODE, "port": port, "readOnlyPort": 0, "healthzBindAddress": NODE, "healthzPort": healthz_port,
        "authentication": {"anonymous": {"enabled": True}, "webhook": {"enabled": False}},
        "authorization": {"mode": "AlwaysAllow"},
        "cgroupDriver": "cgroupfs", "failCgroupV1": False, "failSwapOn": False,
        "containerRuntimeEndpoint": f"unix://{socket}",
        "podLogsDir": str(root / "pod-logs"), "volumePluginDir": str(root / "volume-plugins"),
        "resolvConf": str(resolv), "clusterDNS": [],
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,  # images cannot be pulled back
        "evictionHard": {"memory.available": "50Mi", "nodefs.available": "1%", "nodefs.inodesFree": "1%",
                         "imagefs.available": "1%"},
        "makeIPTablesUtilChains": False, "protectKernelDefaults": False,
        "shutdownGracePeriod": "0s", "shutdownGracePeriodCriticalPods": "0s",
        "serializeImagePulls": False, "staticPodPath": "",
    }


def kubeconfig(server: str, ca: Path, token: str) -> dict:
    """An admin kubeconfig (JSON is YAML) with a static token."""
    return {"apiVersion": "v1", "kind": "Config", "current-context": "local",
            "clusters": [{"name": "local", "cluster": {"server": server, "certificate-authority": str(ca)}}],
            "users": [{"name": "admin", "user": {"token": token}}],
            "contexts": [{"name": "local", "context": {"cluster": "local", "user": "admin"}}]}


_OPENSSL_CONFIG = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = flyte-parity
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc
authorityKeyIdentifier = keyid
"""


def _pki(pki: Path, log: Path) -> None:
    """A CA, the apiserver's serving certificate (for 127.0.0.1) and the service accounts' signing key."""
    pki.mkdir(parents=True)
    (pki / "openssl.cnf").write_text(_OPENSSL_CONFIG, encoding="utf-8")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650"]
    for command in (
            ["req", "-x509", "-config", "openssl.cnf", "-extensions", "ca", *key, "-subj", "/CN=flyte-parity-local-ca",
             "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-x509", "-config", "openssl.cnf", "-extensions", "server", "-CA", "ca.crt", "-CAkey", "ca.key",
             *key, "-subj", "/CN=kube-apiserver", "-keyout", "apiserver.key", "-out", "apiserver.crt"],
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "service-accounts.key"],
            ["pkey", "-in", "service-accounts.key", "-pubout", "-out", "service-accounts.pub"]):
        step("openssl", [str(OPENSSL), *command], cwd=pki, log=log, env=_ENV, timeout=30)


def _https_ok(port: int, path: str) -> bool:
    """GET https://127.0.0.1:<port><path> answers 200 (the component's own self-signed certificate is not checked)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(f"https://{loopback.HOST}:{port}{path}", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _flags(**options: object) -> list[str]:
    return [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]


def _commands(folder: Path, binaries: dict[str, Path], ports: dict[str, int]) -> dict[str, list[str]]:
    """The command of each part, by name."""
    pki, kubeconfig, host = folder / "pki", folder / "kubeconfig", loopback.HOST
    etcd_url = f"http://{host}:{ports['etcd']}"
    peer = f"http://{host}:{ports['etcd-peer']}"
    return {
        "etcd": [str(ETCD), *_flags(name="local", data_dir=folder / "etcd", listen_client_urls=etcd_url,
                                    advertise_client_urls=etcd_url, listen_peer_urls=peer,
                                    initial_advertise_peer_urls=peer, initial_cluster=f"local={peer}",
                                    listen_metrics_urls=f"http://{host}:{ports['etcd-metrics']}")],
        "containerd": [str(containerd.CONTAINERD), "--config", str(folder / "containerd" / "config.toml")],
        "kube-apiserver": [str(binaries["kube-apiserver"]), *_flags(
            etcd_servers=etcd_url, bind_address=host, advertise_address=host, secure_port=ports["kube-apiserver"],
            tls_cert_file=pki / "apiserver.crt", tls_private_key_file=pki / "apiserver.key",
            cert_dir=folder / "kube-apiserver", token_auth_file=pki / "tokens.csv", authorization_mode="AlwaysAllow",
            service_account_issuer="https://kubernetes.default.svc", service_account_key_file=pki / "service-accounts.pub",
            service_account_signing_key_file=pki / "service-accounts.key", service_cluster_ip_range=SERVICE_RANGE,
            endpoint_reconciler_type="none", allow_privileged="true", profiling="false",
            kubelet_preferred_address_types="InternalIP")],
        "kube-controller-manager": [str(binaries["kube-controller-manager"]), *_flags(
            kubeconfig=kubeconfig, bind_address=host, secure_port=ports["kube-controller-manager"],
            cert_dir=folder / "kube-controller-manager", leader_elect="false", profiling="false",
            flex_volume_plugin_dir=folder / "kubelet" / "volume-plugins",
            use_service_account_credentials="false", root_ca_file=pki / "ca.crt",
            service_account_private_key_file=pki / "service-accounts.key",
            controllers="*,-node-ipam-controller,-node-route-controller,-service-lb-controller,"
                        "-cloud-node-lifecycle-controller")],
        "kube-scheduler": [str(binaries["kube-scheduler"]), *_flags(
            kubeconfig=kubeconfig, bind_address=host, secure_port=ports["kube-scheduler"],
            cert_dir=folder / "kube-scheduler", leader_elect="false", profiling="false")],
        "kubelet": [str(binaries["kubelet"]), *_flags(
            config=folder / "kubelet.json", kubeconfig=kubeconfig, root_dir=folder / "kubelet",
            cert_dir=folder / "kubelet" / "pki", hostname_override=NODE)],
    }


_FRESH = ("etcd", "kubelet", "pki", "logs", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
          "containerd/state", "containerd/runc", "pause.tar")


def _prepare(folder: Path) -> None:
    """Clean up after an earlier run in ``folder`` that was killed, then clear all but containerd's images."""
    _clean_up(folder)
    if host_state.mounts_under(folder):
        raise ServiceError(f"cannot unmount {host_state.mounts_under(folder)[0]}: unmount it first")
    for name in _FRESH:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    (folder / "logs").mkdir(parents=True)


def clean_up(folder: Path) -> None:
    """Stop and undo what a cluster run in ``folder`` left when it was killed (nothing when it was not)."""
    folder = Path(folder).resolve()
    with closing(host_state.hold_host(folder)):
        _clean_up(folder)


def _clean_up(folder: Path) -> None:
    state = host_state.load(folder)
    stray = [(pid, arguments) for pid, arguments in host_state.processes_naming(folder)
             if Path(arguments[0]).name in _NAMES]
    if not stray and (state is None or state.get("restored")) and not host_state.mounts_under(folder):
        return
    print(f"==> kubernetes: cleaning up after an earlier run in {folder}", flush=True)
    stop_all([pid for pid, arguments in stray if Path(arguments[0]).name == "kubelet"])
    containerd.stop_shims(folder / "containerd.sock")
    stop_all([pid for pid, _ in stray])
    host_state.restore(folder)


def _drain(cluster: Cluster, kubelet: Service, timeout: float = 60.0) -> None:
    """Cordon the node (no pod a controller makes again is placed on it) and delete every pod; wait
    for containerd's tasks to end, then (briefly) for the node's pods to be gone."""
    if kubelet.process is None or kubelet.process.poll() is not None:
        return
    try:
        cluster.api("PATCH", f"/api/v1/nodes/{cluster.node}", {"spec": {"unschedulable": True}})
    except ApiError as err:
        if err.status != 404:  # not registered yet
            raise
    cluster.delete_pods()
    _until("end of containerd's tasks", lambda: not containerd.tasks(cluster.containerd_socket), timeout)
    _until("end of the node's pods", lambda: not [pod for pod in cluster.pods() if pod["spec"].get("nodeName")], 20.0)


def _attempt(what: str, action: Callable[..., None], *arguments: Any) -> None:
    """Run one step of a teardown; a failure is said and the teardown goes on."""
    try:
        action(*arguments)
    except Exception as err:  # noqa: BLE001 - the next steps must run all the same
        print(f"==> kubernetes: {what} failed: {err}", flush=True)


def _write(path: Path, document: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=1), encoding="utf-8")
    return path


def _start(folder: Path, binaries: dict[str, Path], stack: ExitStack, timeout: float) -> Cluster:
    began = time.monotonic()
    deadline = began + timeout

    def ready(part: str) -> None:
        print(f"==> kubernetes: {part} ready ({time.monotonic() - began:.1f} s)", flush=True)

    _prepare(folder)
    host_state.note(folder, binaries=[str(path) for name, path in binaries.items() if name != "pause"])
    stack.callback(_attempt, "restoring the host", host_state.restore, folder)
    logs, pki, socket_path = folder / "logs", folder / "pki", folder / "containerd.sock"
    _pki(pki, logs / "pki.log")
    token = secrets.token_urlsafe(32)
    _write(pki / "tokens.csv", f'{token},admin,admin,"system:masters"\n')
    names = ("etcd", "etcd-peer", "etcd-metrics", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
             "kubelet", "kubelet-healthz")
    ports = dict(zip(names, loopback.free_ports(len(names))))
    cluster = Cluster(server=f"https://{loopback.HOST}:{ports['kube-apiserver']}", kubeconfig=folder / "kubeconfig",
                      token=token, ca=pki / "ca.crt", containerd_socket=socket_path, log_dir=logs)
    _write(cluster.kubeconfig, kubeconfig(cluster.server, cluster.ca, token))
    containerd.write_config(folder / "containerd", socket_path)
    _write(folder / "resolv.conf", "# no DNS: loopback only\n")
    _write(folder / "kubelet.json", kubelet_config(folder / "kubelet", socket_path, ports["kubelet"],
                                                   ports["kubelet-healthz"], folder / "resolv.conf"))
    commands = _commands(folder, binaries, ports)
    probes = {
        "etcd": lambda: loopback.http_status(ports["etcd"], "/health") == 200,
        "containerd": lambda: containerd.answers(socket_path),
        "kube-apiserver": lambda: cluster.answers("/readyz"),
        "kube-controller-manager": lambda: _https_ok(ports["kube-controller-manager"], "/healthz"),
        "kube-scheduler": lambda: _https_ok(ports["kube-scheduler"], "/healthz"),
        "kubelet": lambda: loopback.http_status(ports["kubelet-healthz"], "/healthz") == 200,
    }
    services: dict[str, Service] = {}

    def run(name: str) -> Service:
        probe = probes[name]
        service = Service(name, commands[name], cwd=folder, log=logs / f"{name}.log", env=_ENV,
                          ready=lambda process: probe(), timeout=max(1.0, deadline - time.monotonic()),
                          interval=0.1)
        services[name] = service.start()
        stack.callback(service.stop)
        return service

    def wait(name: str) -> None:
        services[name].timeout = max(1.0, deadline - time.monotonic())
        services[name].wait()
        ready(name)

    run("etcd")
    run("containerd")
    stack.callback(_attempt, "stopping containerd's shims", containerd.stop_shims, socket_path)
    wait("etcd")
    run("kube-apiserver")
    wait("containerd")
    archive = folder / "pause.tar"
    archive.write_bytes(containerd.pause_archive(binaries["pause"]))
    containerd.import_image(socket_path, archive)
    ready(f"image {containerd.PAUSE_IMAGE}")
    wait("kube-apiserver")
    run("kube-controller-manager")
    run("kube-scheduler")
    stack.callback(_attempt, "restoring kernel settings", host_state.restore_kernel, folder)
    kubelet = run("kubelet")
    stack.callback(_attempt, "deleting the pods", _drain, cluster, kubelet)
    for name in ("kube-controller-manager", "kube-scheduler", "kubelet"):
        wait(name)
    try:
        _until(f"Ready node {NODE}", cluster.node_ready, max(1.0, deadline - time.monotonic()), list(services.values()))
    except ServiceError as err:
        raise ServiceError(f"{err}: {_node_state(cluster)}; {logs / 'kubelet.log'}:\n{tail(logs / 'kubelet.log')}") from None
    ready(f"node {NODE}")
    cluster.apply_namespace("default", timeout=max(1.0, deadline - time.monotonic()))
    return cluster


@contextmanager
def kubernetes(folder: Path, *, bin_dir: Path | None = None, timeout: float = 180.0) -> Iterator[Cluster]:
    """Start a single-node cluster in ``folder`` and yield it once its node is Ready; stop it and
    undo its changes to the host on leaving (see the module's docstring)."""
    folder = Path(folder).resolve()
    binaries = preflight(bin_dir)
    if len(str(folder / "containerd.sock.ttrpc")) > 107:
        raise UsageError(f"{folder} is too long a path for containerd's socket: choose a shorter folder")
    folder.mkdir(parents=True, exist_ok=True)
    stack = ExitStack()
    stack.callback(host_state.hold_host(folder).close)
    try:
        yield _start(folder, binaries, stack, timeout)
    finally:
        with uninterrupted():
            began = time.monotonic()
            stack.close()
            print(f"==> kubernetes: stopped ({time.monotonic() - began:.1f} s)", flush=True)
