"""FlytePropeller on loopback, driving a local Kubernetes: ``with propeller(folder, ...) as p:``.

It watches every namespace of the cluster (``kube-config``), creates the FlyteWorkflow CRD at
start, reports events to admin (``dns:///127.0.0.1:<grpc>``, insecure), keeps metadata and raw
outputs in the same store as admin (``storage``; raw outputs under ``s3://<bucket>/data``), asks
datacatalog for cached tasks, and starts task pods from images that exist only locally
(``image-pull-policy: Never``) shaped by a default pod template (``default-pod-template-name``:
the host network, as there is no pod network). What a task sees is set as upstream's sandbox sets
it (its ``flyte-sandbox`` chart at v1.16.8): the same enabled plug-ins, and as default environment
``FLYTE_PLATFORM_URL``/``FLYTE_PLATFORM_INSECURE`` and the store's ``FLYTE_AWS_*`` (``env``).

The binary: ``FLYTEPROPELLER_BIN`` (an executable or its ``.xz``), else ``.tools/bin/flytepropeller``
(``make flyte-binaries``). Config keys: flyteorg/flyte v1.16.8 (propeller, tasks, plugins.k8s,
admin, event, catalog-cache, storage).
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
from flyte_parity.services.lifecycle import Service

BIN_VARIABLE = "FLYTEPROPELLER_BIN"
TOOLS_BINARY = paths.TOOLS_BIN / "flytepropeller"
POD_TEMPLATE = "flyte-parity-default"


@dataclass(frozen=True)
class Propeller:
    config: Path
    log: Path
    pid: int


def propeller_binary() -> Path:
    return paths.tool_binary(BIN_VARIABLE, TOOLS_BINARY, "FlytePropeller", "make flyte-binaries")


def propeller_config(*, kube_config: Path, admin_grpc: str, catalog_grpc: str, storage: Mapping[str, Any],
                     profiler_port: int, env: Mapping[str, str] = {}) -> dict[str, Any]:
    """propeller.yaml: the sandbox's task-facing settings on a local cluster and store."""
    return {
        "propeller": {
            "kube-config": str(kube_config), "create-flyteworkflow-crd": True, "limit-namespace": "all",
            "workers": 4, "workflow-reeval-duration": "2s", "downstream-eval-duration": "2s",
            "rawoutput-prefix": f"s3://{storage['container']}/data", "metadata-prefix": "metadata/propeller",
            "prof-port": profiler_port, "leader-election": {"enabled": False},
            "enable-admin-launcher": True, "max-ttl-hours": 1, "gc-interval": "30m",
            "publish-k8s-events": False,
        },
        "tasks": {"task-plugins": {
            "enabled-plugins": ["container", "sidecar", "k8s-array", "echo"],
            "default-for-task-types": {"container": "container", "container_array": "k8s-array",
                                       "sidecar": "sidecar"},
        }},
        "plugins": {"k8s": {
            # A list of one-entry maps, as the sandbox writes it: the config loader lower-cases the keys
            # of a plain map, and the variables would reach the pods as flyte_platform_url.
            "default-env-vars": [{name: value} for name, value in {
                "FLYTE_PLATFORM_URL": admin_grpc, "FLYTE_PLATFORM_INSECURE": "true", **env}.items()],
            "image-pull-policy": "Never",  # the images exist only in the node's containerd
            "default-pod-template-name": POD_TEMPLATE,
        }},
        "admin": {"endpoint": f"dns:///{admin_grpc}", "insecure": True},
        "event": {"type": "admin", "rate": 500, "capacity": 1000},
        "catalog-cache": {"type": "datacatalog", "endpoint": catalog_grpc, "insecure": True},
        "storage": dict(storage),
        "logger": {"level": 4},
    }


def pod_template(namespace: str) -> dict[str, Any]:
    """The default pod template: the host network (there is no pod network) and no service-account
    token (nothing in a task talks to the cluster)."""
    return {
        "apiVersion": "v1", "kind": "PodTemplate",
        "metadata": {"name": POD_TEMPLATE, "namespace": namespace},
        "template": {"spec": {
            "hostNetwork": True,
            "automountServiceAccountToken": False,
            "containers": [{"name": "default", "image": "unused"}],
        }},
    }


def _ready(log: Path, port: int) -> bool:
    if loopback.http_status(port, "/healthcheck") != 200:
        return False
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "Started workers" in text  # its informers synced and its workers running


@contextmanager
def propeller(folder: Path, *, kube_config: Path, admin_grpc: str, catalog_grpc: str, storage: Mapping[str, Any],
              env: Mapping[str, str] = {}, timeout: float = 120.0,
              binary: Path | None = None) -> Iterator[Propeller]:
    """Start FlytePropeller in ``folder``; stopped (SIGTERM, then its group killed) on leaving."""
    binary = Path(binary) if binary is not None else propeller_binary()
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "propeller.log"
    (profiler_port,) = loopback.free_ports(1, bind="0.0.0.0")
    config = write_yaml(folder / "propeller.yaml", propeller_config(
        kube_config=kube_config, admin_grpc=admin_grpc, catalog_grpc=catalog_grpc, storage=storage,
        profiler_port=profiler_port, env=env))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder)}
    server = Service("flytepropeller", [str(binary), "--config", str(config)], cwd=folder, log=log, env=env,
                     ready=lambda process: _ready(log, profiler_port), timeout=timeout,
                     stop_signal=signal.SIGTERM, grace=10.0, interval=0.2)
    with server:
        yield Propeller(config=config, log=log, pid=server.pid)
