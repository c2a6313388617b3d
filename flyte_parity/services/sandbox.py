"""Upstream's Flyte sandbox (``flyte-sandbox-bundled``, the image ``flytectl demo start`` runs) through
testcontainers: ``with sandbox() as flyte:``.

It needs a Docker engine (``DOCKER_HOST``, else the default socket) that holds the image or may pull
it: on a host that cannot have it, entering says so in one line and names the backend to use
instead. The container runs privileged with the ports ``flytectl demo`` publishes (6443 for its
k3s, 30080 for admin's HTTP and gRPC, 30000 for its image registry, 30002 for MinIO), bound to
127.0.0.1 only; the block waits until admin answers. Both SDK images are pushed into the
sandbox's own registry (``localhost:30000/...``), from which its k3s pulls them. Leaving stops and
removes the container (testcontainers), whatever ended the block.

Image: ``FLYTE_PARITY_SANDBOX_IMAGE``, else ``SANDBOX_IMAGE`` — the one ``flytectl demo start`` of
Flyte v1.16.8 runs (tag ``sha-<the release's commit>``). Pulling it is allowed only when
``FLYTE_PARITY_SANDBOX_PULL=1`` (the nightly job sets it): a host without a registry is never
asked to reach one.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping

SANDBOX_IMAGE = "cr.flyte.org/flyteorg/flyte-sandbox-bundled:sha-51877f899c9f95e0cb5efe90444eb0c6c6ea48a9"
PORTS = (6443, 30080, 30000, 30002)
REGISTRY = "localhost:30000"
ADMIN = "127.0.0.1:30080"
STORE = {"FLYTE_AWS_ENDPOINT": "http://127.0.0.1:30002", "FLYTE_AWS_ACCESS_KEY_ID": "minio",
         "FLYTE_AWS_SECRET_ACCESS_KEY": "miniostorage"}  # the sandbox's own MinIO and keys
INSTEAD = "use --flyte-backend=local-cluster (the same data plane built here)"


class SandboxUnavailable(Exception):
    """The sandbox cannot run on this host; the message says why, in one line, and what to use instead."""


@dataclass(frozen=True)
class Sandbox:
    admin: str
    staging: str
    env: Mapping[str, str]
    images: Mapping[str, str]  # role -> the image name the sandbox pulls


def image_name() -> str:
    return os.environ.get("FLYTE_PARITY_SANDBOX_IMAGE", "").strip() or SANDBOX_IMAGE


def engine():
    """A client of the Docker engine the environment names; SandboxUnavailable when none answers."""
    import docker

    try:
        client = docker.from_env(timeout=10)
        client.ping()
        return client
    except Exception as err:  # docker raises several kinds for "no engine"
        where = os.environ.get("DOCKER_HOST") or "/var/run/docker.sock"
        raise SandboxUnavailable(f"--flyte-backend=sandbox needs a Docker engine (none answers at {where}: "
                                 f"{type(err).__name__}); {INSTEAD}") from None


def ensure_image(client, name: str) -> None:
    """The sandbox image in the engine: there already, or pulled when pulling is allowed."""
    import docker

    try:
        client.images.get(name)
        return
    except docker.errors.ImageNotFound:
        pass
    if os.environ.get("FLYTE_PARITY_SANDBOX_PULL", "") != "1":
        raise SandboxUnavailable(f"--flyte-backend=sandbox: the Flyte sandbox image {name} is not in the Docker "
                                 f"engine and pulling is off (FLYTE_PARITY_SANDBOX_PULL=1 allows it); {INSTEAD}")
    try:
        client.images.pull(name)
    except docker.errors.APIError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SandboxUnavailable(f"--flyte-backend=sandbox: the Flyte sandbox image {name} cannot be had ({first}); "
                                 f"{INSTEAD}") from None


def _admin_ready(timeout: float) -> None:
    from flyte_parity.services import loopback

    deadline = time.monotonic() + timeout
    while loopback.http_status(30080, "/healthcheck") != 200:
        if time.monotonic() > deadline:
            raise SandboxUnavailable(f"the Flyte sandbox's admin did not answer on {ADMIN} within {timeout:.0f} s")
        time.sleep(1.0)


def _push(client, images: Mapping[str, tuple[str, object]]) -> dict[str, str]:
    """Load each SDK image archive into the engine and push it to the sandbox's registry."""
    pushed = {}
    for role, (name, archive) in images.items():
        with open(archive, "rb") as data:
            client.images.load(data.read())
        target = f"{REGISTRY}/{name.split('/', 1)[1]}"
        repository, tag = target.rsplit(":", 1)
        client.images.get(name).tag(repository, tag)
        client.images.push(repository, tag=tag)
        pushed[role] = target
    return pushed


@contextmanager
def sandbox(images: Mapping[str, tuple[str, object]], *, timeout: float = 600.0) -> Iterator[Sandbox]:
    """Start the sandbox container, push ``images`` (role -> (name, archive)) into it, yield how to
    reach it; the container is stopped and removed on leaving."""
    from testcontainers.core.container import DockerContainer

    client = engine()
    name = image_name()
    ensure_image(client, name)
    container = DockerContainer(name).with_kwargs(privileged=True).with_env(
        "K3S_KUBECONFIG_OUTPUT", "/var/lib/flyte/config/kubeconfig")
    for port in PORTS:
        container = container.with_bind_ports(port, ("127.0.0.1", port))
    with container:
        _admin_ready(timeout)
        pushed = _push(client, images)
        yield Sandbox(ADMIN, "s3://my-s3-bucket/jvm-staging", dict(STORE), pushed)
