"""MinIO on loopback: the S3 store of the local data plane, as upstream's sandbox has one.

``with minio(folder) as store:`` runs ``minio server`` on a free 127.0.0.1 port with its data in
``folder/data`` and the sandbox's credentials (``minio`` / ``miniostorage``), waits for its
liveness probe, creates the sandbox's bucket ``my-s3-bucket``, and stops it on leaving. ``Store``
says how each part of Flyte reaches it: the stow ``s3`` storage section FlyteAdmin, FlytePropeller
and datacatalog take, and the ``FLYTE_AWS_*`` variables flytekit and jflyte's S3 plug-in read.

The binary: ``MINIO_BIN`` (an executable or its ``.xz``), else ``.tools/bin/minio`` (``make
binaries`` builds it from the Go module proxy).
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from flyte_parity.base import paths
from flyte_parity.services import loopback
from flyte_parity.services.lifecycle import Service

BIN_VARIABLE = "MINIO_BIN"
TOOLS_BINARY = paths.TOOLS_BIN / "minio"
BUCKET = "my-s3-bucket"  # the sandbox's
ACCESS_KEY, SECRET_KEY = "minio", "miniostorage"  # the sandbox's (a throwaway local store)
REGION = "us-east-1"


@dataclass(frozen=True)
class Store:
    endpoint: str  # http://127.0.0.1:<port>
    bucket: str
    data: Path
    log: Path
    pid: int

    def storage_config(self) -> dict[str, Any]:
        """The ``storage`` section of admin, propeller and datacatalog: stow s3, as the sandbox's."""
        return {"type": "stow", "container": self.bucket,
                "stow": {"kind": "s3", "config": {"region": REGION, "disable_ssl": True, "v2_signing": True,
                                                  "endpoint": self.endpoint, "auth_type": "accesskey",
                                                  "access_key_id": ACCESS_KEY, "secret_key": SECRET_KEY}}}

    def environment(self) -> dict[str, str]:
        """What flytekit and jflyte read to reach the store (the sandbox's task pod defaults)."""
        return {"FLYTE_AWS_ENDPOINT": self.endpoint, "FLYTE_AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "FLYTE_AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key.lstrip('/')}"


def minio_binary() -> Path:
    return paths.tool_binary(BIN_VARIABLE, TOOLS_BINARY, "MinIO", "make binaries")


def _create_bucket(endpoint: str, bucket: str) -> None:
    """PUT the bucket with a SigV4-signed request (botocore: flytekit's own dependency)."""
    import urllib.request

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="PUT", url=f"{endpoint}/{bucket}", data=b"")
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    prepared = urllib.request.Request(request.url, data=b"", method="PUT", headers=dict(request.headers.items()))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(prepared, timeout=30) as answer:
        answer.read()


@contextmanager
def minio(folder: Path, *, timeout: float = 60.0, binary: Path | None = None) -> Iterator[Store]:
    """Start MinIO in ``folder`` with the sandbox's bucket; stopped on leaving."""
    binary = Path(binary) if binary is not None else minio_binary()
    folder = Path(folder).resolve()
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    log = folder / "minio.log"
    port, console = loopback.free_ports(2)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder),
           "MINIO_ROOT_USER": ACCESS_KEY, "MINIO_ROOT_PASSWORD": SECRET_KEY,
           "MINIO_BROWSER": "off", "MINIO_UPDATE": "off", "MINIO_CI_CD": "1"}
    server = Service("minio", [str(binary), "server", str(data), "--address", f"{loopback.HOST}:{port}",
                               "--console-address", f"{loopback.HOST}:{console}", "--quiet"],
                     cwd=folder, log=log, env=env, timeout=timeout, stop_signal=signal.SIGTERM, grace=10.0,
                     ready=lambda process: loopback.http_status(port, "/minio/health/live") == 200)
    with server:
        endpoint = f"http://{loopback.HOST}:{port}"
        _create_bucket(endpoint, BUCKET)
        yield Store(endpoint, BUCKET, data, log, server.pid)
