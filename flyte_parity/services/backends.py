"""The Flyte a run's admin modes talk to: one context manager class per backend, named in
``KINDS`` by its ``--flyte-backend`` name; ``backend(name)`` picks one.

- ``local-cluster`` (default): ``services.flyte_cluster`` in a fresh run folder — PostgreSQL,
  MinIO, FlyteAdmin, a single-node Kubernetes, datacatalog and FlytePropeller on loopback, with
  both SDKs' images built here (``services.images``); executions run to their end, jflyte stages
  jars into the store. Everything is stopped on leaving.
- ``local`` (admin alone: the default when a run leaves the data plane out): ``services.flyteadmin``
  in a fresh run folder — PostgreSQL and FlyteAdmin on loopback, stopped on leaving; jflyte
  stages jars into a folder of admin's own storage; nothing executes.
- ``remote``: an existing cluster, ``FLYTE_PLATFORM_URL`` (insecure gRPC) from the environment or
  ``.env.local``, ``FLYTE_STAGING_LOCATION`` for the jars, ``FLYTE_PARITY_PROJECT`` (default
  flytesnacks), ``FLYTE_PARITY_JFLYTE_IMAGE``/``FLYTE_PARITY_FLYTEKIT_IMAGE`` for the tasks'
  images; nothing is started or stopped.
- ``sandbox``: upstream's Flyte sandbox image through testcontainers (``services.sandbox``), where
  a Docker engine holds or may pull it; elsewhere it says in one line why not and what to use.

Every backend class is a context manager yielding a ``Backend``: ``target(side)`` is where one
side registers. The two SDKs (and each JVM source) register into the same project and domain under
versions of their own (``<run>-<side>``): entity names such as launch plans may be the same on both
sides, and admin keeps one structure per name and version.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from flyte_parity.base import paths
from flyte_parity.base.envfile import load_env_file
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.registration import Target
from flyte_parity.services.flyteadmin import PROJECT, flyteadmin
from flyte_parity.services.processes import remove_folder

DOMAIN = "development"


class BackendUnavailable(Exception):
    """This backend cannot run on this host; the message says what is missing and how to get it."""


@dataclass(frozen=True)
class Backend:
    name: str
    address: str
    project: str
    staging: str
    run: str  # a fresh id per run: versions never collide with an earlier run's on the same admin
    log: Path | None = None
    executes: bool = False  # whether a data plane runs the executions admin creates
    images: Mapping[str, str] = field(default_factory=dict)  # side -> the image its tasks run in
    folder: Path | None = None  # the run folder of a backend started here
    cluster: Any = None  # services.kubernetes.Cluster of a data plane started here (its pods can be read)
    env: Mapping[str, str] = field(default_factory=dict)  # what reaching its store needs (FLYTE_AWS_*)

    def target(self, side: str) -> Target:
        return Target(self.address, self.project, DOMAIN, f"{self.run}-{side}", self.staging,
                      tuple(sorted(self.env.items())))


class BackendContext:
    """What every backend class shares: ``with Kind() as backend:`` yields a ``Backend`` for a run of
    its own id; leaving stops whatever entering started."""

    name = ""

    def __init__(self, run: str | None = None) -> None:
        self.run = run or "parity-" + secrets.token_hex(4)

    def __enter__(self) -> Backend:
        raise NotImplementedError

    def __exit__(self, *exc_info: Any) -> bool | None:
        return None


class LocalBackend(BackendContext):
    """PostgreSQL and FlyteAdmin on loopback in a fresh folder, both stopped and the folder removed on leaving."""

    name = "local"

    def __init__(self, run: str | None = None) -> None:
        super().__init__(run)
        self._started = ExitStack()

    def __enter__(self) -> Backend:
        with ExitStack() as started:
            # Under /tmp with 0755: PostgreSQL runs as an unprivileged account when the suite runs as root.
            folder = Path(tempfile.mkdtemp(prefix="flyte-parity-admin-"))
            started.callback(remove_folder, folder)
            folder.chmod(0o755)
            admin = started.enter_context(flyteadmin(folder))
            staging = admin.storage / "flyte" / "jvm-staging"
            staging.mkdir(parents=True, exist_ok=True)
            self._started = started.pop_all()
        return Backend(self.name, admin.grpc, admin.project, staging.as_uri(), self.run, admin.log)

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._started.__exit__(*exc_info)


class LocalClusterBackend(BackendContext):
    """A whole local Flyte data plane in a fresh folder (``services.flyte_cluster``), both SDKs'
    images built or taken from the cache; everything stopped and the folder removed on leaving."""

    name = "local-cluster"

    def __init__(self, run: str | None = None) -> None:
        super().__init__(run)
        self._started = ExitStack()

    def __enter__(self) -> Backend:
        from flyte_parity.services.flyte_cluster import flyte_cluster, sdk_images

        with ExitStack() as started:
            images = sdk_images()  # built (or found in the cache) before anything is started
            folder = Path(tempfile.mkdtemp(prefix="flyte-parity-cluster-"))
            started.callback(remove_folder, folder)
            folder.chmod(0o755)  # PostgreSQL runs as an unprivileged account; pods mount the store
            flyte = started.enter_context(flyte_cluster(folder, images))
            self._started = started.pop_all()
        return Backend(self.name, flyte.admin.grpc, flyte.admin.project, flyte.staging, self.run,
                       flyte.admin.log, executes=True, images={"jvm": flyte.images["jflyte"],
                                                               "python": flyte.images["flytekit"]}, folder=folder,
                       cluster=flyte.kube, env=flyte.store.environment())

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._started.__exit__(*exc_info)


class RemoteBackend(BackendContext):
    """An existing admin from the environment or .env.local; nothing is started or stopped."""

    name = "remote"

    def __enter__(self) -> Backend:
        env_file = paths.REPO_ROOT / ".env.local"
        env = {**(load_env_file(env_file) if env_file.is_file() else {}), **os.environ}
        address = env.get("FLYTE_PLATFORM_URL", "").strip()
        staging = env.get("FLYTE_STAGING_LOCATION", "").strip()
        if not address or not staging:
            raise UsageError("--flyte-backend=remote needs FLYTE_PLATFORM_URL (admin's gRPC host:port) and "
                             "FLYTE_STAGING_LOCATION (where jflyte stages jars) in the environment or .env.local")
        return Backend(self.name, address, env.get("FLYTE_PARITY_PROJECT", PROJECT), staging, self.run,
                       executes=True, images=_remote_images(env))


class SandboxBackend(BackendContext):
    """Upstream's Flyte sandbox image through testcontainers (``services.sandbox``), both SDKs' images
    pushed into it; where the engine or the image cannot be had, entering says so in one line."""

    name = "sandbox"

    def __init__(self, run: str | None = None) -> None:
        super().__init__(run)
        self._started = ExitStack()

    def __enter__(self) -> Backend:
        from flyte_parity.services.flyte_cluster import sdk_images
        from flyte_parity.services.sandbox import SandboxUnavailable, engine, ensure_image, image_name, sandbox

        try:
            ensure_image(engine(), image_name())  # before building anything: say at once when it cannot run
        except SandboxUnavailable as err:
            raise BackendUnavailable(str(err)) from None
        with ExitStack() as started:
            flyte = started.enter_context(sandbox(sdk_images()))
            self._started = started.pop_all()
        return Backend(self.name, flyte.admin, PROJECT, flyte.staging, self.run, executes=True,
                       images={"jvm": flyte.images["jflyte"], "python": flyte.images["flytekit"]}, env=flyte.env)

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._started.__exit__(*exc_info)


def _remote_images(env: Mapping[str, str]) -> dict[str, str]:
    """The images a remote cluster runs each side's tasks in: FLYTE_PARITY_JFLYTE_IMAGE and
    FLYTE_PARITY_FLYTEKIT_IMAGE (each SDK's default when unset)."""
    chosen = {"jvm": env.get("FLYTE_PARITY_JFLYTE_IMAGE", ""), "python": env.get("FLYTE_PARITY_FLYTEKIT_IMAGE", "")}
    return {side: image.strip() for side, image in chosen.items() if image.strip()}


KINDS: dict[str, type[BackendContext]] = {
    kind.name: kind for kind in (LocalClusterBackend, LocalBackend, RemoteBackend, SandboxBackend)}
BACKENDS = tuple(KINDS)


def backend(name: str) -> BackendContext:
    """The ``name`` backend, to enter with ``with``: it starts (or reaches) an admin and yields a
    ``Backend``; whatever it started is stopped on leaving."""
    kind = KINDS.get(name)
    if kind is None:
        raise UsageError(f"unknown --flyte-backend {name!r}; use one of {', '.join(BACKENDS)}")
    return kind()


