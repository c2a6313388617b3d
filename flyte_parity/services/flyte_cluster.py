"""A local Flyte data plane: ``with flyte_cluster(folder, images) as flyte:``.

In ``folder`` (one run's own): PostgreSQL (admin's and datacatalog's databases), MinIO (the S3
store, bucket ``my-s3-bucket``), a single-node Kubernetes (``services.kubernetes``: etcd, the
control plane, containerd and a kubelet, every pod on the host network), the SDK images imported
into its containerd, the namespaces ``<project>-<domain>`` with the default pod template in each,
then FlyteAdmin (creating executions in that cluster), datacatalog and FlytePropeller. All of it on loopback, all state under
``folder``; leaving — normally, on an error or on Ctrl-C — stops every part in the reverse order
(propeller first, so no pod is started while the cluster deletes them) and puts the host back.

Set as upstream's sandbox sets it where a task can tell (its chart at v1.16.8): task resources
(requests 500m CPU and 1 GiB, no limits), storage (stow ``s3`` on MinIO, bucket ``my-s3-bucket``,
raw outputs under ``s3://my-s3-bucket/data``), ``FLYTE_PLATFORM_URL``/``FLYTE_PLATFORM_INSECURE``
and ``FLYTE_AWS_*`` in every task pod, the same task plug-ins. Differs, and why: every part runs
as a host process on loopback, not inside one k3s container, and pods use the host network.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from flyte_parity.services.datacatalog import DataCatalog, datacatalog
from flyte_parity.services.flyteadmin import PROJECT, FlyteAdmin, flyteadmin
from flyte_parity.services.postgres import postgres
from flyte_parity.services.propeller import Propeller, pod_template, propeller

DOMAINS = ("development", "staging", "production")
# FlyteAdmin's task resources as the sandbox sets them (flyte-sandbox chart, 100-inline-config.yaml).
TASK_RESOURCES = {"defaults": {"cpu": "500m", "memory": "1Gi", "ephemeralStorage": 0, "gpu": 0},
                  "limits": {"cpu": 0, "memory": 0, "ephemeralStorage": 0, "gpu": 0}}


@dataclass(frozen=True)
class FlyteCluster:
    admin: FlyteAdmin
    catalog: DataCatalog
    propeller: Propeller
    kube: object  # services.kubernetes.Cluster
    folder: Path
    images: Mapping[str, str] = field(default_factory=dict)  # role -> image name in the cluster

    store: object = None  # services.minio.Store

    @property
    def staging(self) -> str:
        """Where jflyte stages task jars (FLYTE_STAGING_LOCATION): a folder of the store."""
        return self.store.uri("jvm-staging")


def sdk_images() -> dict[str, tuple[str, Path]]:
    """Both SDK images for this checkout (flytekit at the virtualenv's version with the twins; jflyte
    of the JVM build in use), from the cache or built: role -> (image name, archive)."""
    from flyte_parity.base import versions
    from flyte_parity.services.images import build_images

    flytekit, jflyte = build_images(versions.flytekit())
    return {"flytekit": (flytekit.name, flytekit.archive), "jflyte": (jflyte.name, jflyte.archive)}


def namespace(project: str, domain: str) -> str:
    return f"{project}-{domain}"


@contextmanager
def flyte_cluster(folder: Path, images: Mapping[str, tuple[str, Path]], *, project: str = PROJECT,
                  timeout: float = 180.0) -> Iterator[FlyteCluster]:
    """Start the data plane in ``folder`` with ``images`` (role -> (image name, archive)) imported
    into the node; yield it; stop every part on leaving."""
    from flyte_parity.services.kubernetes import kubernetes
    from flyte_parity.services.minio import minio

    folder = Path(folder).resolve()
    with ExitStack() as stack:
        database = stack.enter_context(postgres(folder / "postgres", timeout=timeout))
        store = stack.enter_context(minio(folder / "minio", timeout=timeout))
        kube = stack.enter_context(kubernetes(folder / "kube"))
        for name, archive in images.values():
            print(f"==> data plane: importing {name}", flush=True)
            kube.import_image(archive)
        for domain in DOMAINS:
            space = namespace(project, domain)
            kube.apply_namespace(space)
            kube.create(f"/api/v1/namespaces/{space}/podtemplates", pod_template(space))
        storage = store.storage_config()
        admin = stack.enter_context(flyteadmin(
            folder / "admin", project=project, timeout=timeout, database=database, kube_config=kube.kubeconfig,
            extra={"task_resources": TASK_RESOURCES}, storage_config=storage))
        catalog = stack.enter_context(datacatalog(folder / "catalog", database, storage, timeout=timeout))
        driver = stack.enter_context(propeller(folder / "propeller", kube_config=kube.kubeconfig,
                                               admin_grpc=admin.grpc, catalog_grpc=catalog.grpc, storage=storage,
                                               env=store.environment(), timeout=timeout))
        yield FlyteCluster(admin, catalog, driver, kube, folder, {role: name for role, (name, _) in images.items()},
                           store)


@dataclass(frozen=True)
class TaskPod:
    """What FlytePropeller gave one task pod: its container's image, command line and environment."""

    name: str
    node: str
    image: str
    args: tuple[str, ...]
    env: Mapping[str, str]
    working_dir: str


def task_pods(kube, project: str, domain: str, execution: str) -> list[TaskPod]:
    """The task pods propeller started for one execution (they stay until the cluster stops)."""
    from urllib.parse import quote

    found = kube.api("GET", f"/api/v1/namespaces/{namespace(project, domain)}/pods?labelSelector="
                            + quote(f"execution-id={execution}"))
    pods = []
    for pod in found.get("items", []):
        containers = pod["spec"]["containers"]
        primary = containers[0]
        labels = pod["metadata"].get("labels", {})
        pods.append(TaskPod(pod["metadata"]["name"], labels.get("node-id", ""), primary.get("image", ""),
                            tuple(primary.get("command", []) + primary.get("args", [])),
                            {e["name"]: e.get("value", "<from a reference>") for e in primary.get("env", [])},
                            primary.get("workingDir", "")))
    return sorted(pods, key=lambda pod: pod.name)
