"""The two SDK images, for real: built with Docker (or taken from the cache), imported with ctr into a
throwaway containerd (Debian's, everything under tmp_path), listed, and run there with ``ctr run``
(runc runs here): the flytekit image's venv imports flytekit and the twins; the jflyte image's
entrypoint starts jflyte's Main, and its launcher changes the environment only when asked. After it
no dockerd or containerd of the test runs and nothing is mounted under tmp_path."""

import json
import os
import shutil
import subprocess
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from flyte_parity.base import paths, versions
from flyte_parity.services import images
from flyte_parity.services.docker_engine import (RUN_FOLDERS, mounts_under, naming, remove_empty_cgroups,
                                                 remove_new_run_folders, unmount_under)
from flyte_parity.services.lifecycle import Service
from flyte_parity.services.processes import stop_all

CONTAINERD, CTR = Path("/usr/bin/containerd"), Path("/usr/bin/ctr")
CGROUP = f"flyte-parity-image-test-{os.getpid()}"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not (CONTAINERD.is_file() and CTR.is_file() and Path("/usr/sbin/dockerd").is_file()),
    reason="needs root and Debian's containerd and docker.io: `apt-get install containerd docker.io` as root")


def _config(folder: Path) -> str:
    return (f'version = 2\nroot = "{folder}/root"\nstate = "{folder}/state"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            f'[grpc]\n  address = "{folder}/containerd.sock"\n'
            f'[plugins."io.containerd.internal.v1.opt"]\n  path = "{folder}/opt"\n')


def _answers(socket: Path) -> bool:
    return socket.exists() and subprocess.run([str(CTR), "--address", str(socket), "version"], env=ENV,
                                              capture_output=True, timeout=10).returncode == 0


@contextmanager
def _containerd(folder: Path):
    """A containerd 1.6 of the test's own in ``folder`` (no CRI); the folder, which holds ``containerd.sock``."""
    (folder / "tmp").mkdir(parents=True)
    (folder / "config.toml").write_text(_config(folder), encoding="utf-8")
    existed = {path for path in RUN_FOLDERS if os.path.lexists(path)}
    server = Service("containerd", [str(CONTAINERD), "--config", str(folder / "config.toml")], cwd=folder,
                     log=folder / "containerd.log", env={**ENV, "TMPDIR": str(folder / "tmp")},
                     ready=lambda process: _answers(folder / "containerd.sock"), timeout=30)
    try:
        with server:
            yield folder
    finally:
        stop_all(naming(folder), timeout=10)
        unmount_under(folder)
        remove_empty_cgroups(CGROUP)
        remove_new_run_folders(existed)
        if not mounts_under(folder):
            shutil.rmtree(folder / "root", ignore_errors=True)  # the images' contents; the log stays


def _ctr(folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(CTR), "--address", str(folder / "containerd.sock"), "--namespace", "k8s.io", *args],
                          env=ENV, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _run(folder: Path, image: images.Image, name: str, *command: str) -> subprocess.CompletedProcess:
    """``ctr run`` of ``image`` (its entrypoint when no command), in a network namespace of its own."""
    return _ctr(folder, "run", "--rm", "--cgroup", f"/{CGROUP}/{name}", "--runc-root", str(folder / "runc"),
                "--fifo-dir", str(folder / "fifo"), image.name, name, *command)


def _archive_config(archive: Path) -> dict:
    """The image config (Entrypoint, Env, WorkingDir) of a ``docker save`` archive."""
    with tarfile.open(archive) as tar:
        (manifest,) = json.load(tar.extractfile("manifest.json"))
        return json.load(tar.extractfile(manifest["Config"]))["config"]


def _layer_names(archive: Path) -> set[str]:
    """The paths of all files in all layers of a ``docker save`` archive."""
    found = set()
    with tarfile.open(archive) as tar:
        (manifest,) = json.load(tar.extractfile("manifest.json"))
        for layer in manifest["Layers"]:
            with tarfile.open(fileobj=tar.extractfile(layer), mode="r|") as inner:
                found |= {member.name for member in inner}
    return found


FAKE_JAVA = ('mkdir -p /tmp/fake && printf \'#!/bin/sh\\necho "ARGS $*"; tr "\\\\0" "\\\\n" < /proc/$$/environ\\n\''
             ' > /tmp/fake/java'
             ' && chmod +x /tmp/fake/java && exec env -i PATH=/tmp/fake:/usr/bin:/bin FLYTE_INTERNAL_TASK_PROJECT=p'
             ' FLYTE_INTERNAL_TASK_DOMAIN=d FLYTE_INTERNAL_TASK_NAME=n FLYTE_INTERNAL_TASK_VERSION=v'
             ' /jflyte/launcher jflyte execute --task x')


def _launched(folder: Path, image: images.Image, name: str) -> tuple[str, dict]:
    """What the launcher hands to java (a stand-in that prints it): its arguments and its environment."""
    done = _run(folder, image, name, "/bin/sh", "-c", FAKE_JAVA)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return lines[0], dict(line.split("=", 1) for line in lines[1:])


def test_images(tmp_path):  # a short name: dockerd's socket paths live under tmp_path
    work = tmp_path / "w"
    flytekit, jflyte = images.build_images(versions.flytekit(), work=work)
    assert flytekit.name.startswith("localhost/flyte-parity-flytekit:") and flytekit.archive.is_file()
    assert jflyte.name.startswith("localhost/flyte-parity-jflyte:") and jflyte.archive.is_file()
    assert not naming(tmp_path) and not mounts_under(tmp_path)

    started = time.monotonic()
    assert images.build_images(versions.flytekit(), work=work) == (flytekit, jflyte)
    rebuilt = work.exists() and any(work.iterdir())
    assert time.monotonic() - started < 10 and not rebuilt, "a cached image was built again"

    with _containerd(tmp_path / "c") as containerd:
        _check_in_containerd(containerd, flytekit, jflyte)

    assert not naming(tmp_path), "a dockerd, containerd or shim of the test still runs"
    assert not [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(tmp_path) in line]
    assert not list(Path("/sys/fs/cgroup").glob(f"*/{CGROUP}"))


def _check_in_containerd(containerd: Path, flytekit: images.Image, jflyte: images.Image) -> None:
    assert images.import_image(flytekit.archive, containerd / "containerd.sock") == [flytekit.name]
    assert images.import_image(jflyte.archive, containerd / "containerd.sock") == [jflyte.name]
    listed = _ctr(containerd, "images", "ls", "-q").stdout.split()
    assert {flytekit.name, jflyte.name} <= set(listed)

    # flytekit: the venv, the twins as in the checkout, PYTHONPATH, localhost, no CA bundle in any layer
    config = _archive_config(flytekit.archive)
    assert "PYTHONPATH=/opt/flyte-parity" in config["Env"] and config["WorkingDir"] == "/opt/flyte-parity"
    assert not config.get("Entrypoint")
    assert not [name for name in _layer_names(flytekit.archive) if "build-ca" in name]
    done = _run(containerd, flytekit, "flytekit", "/bin/sh", "-c",
                "cd /opt/flyte-parity && find python_wf -type f -exec sha256sum {} + > /tmp/sums"
                " && python -c 'import socket, flytekit, python_wf.welcome; print(flytekit.__version__);"
                " print(socket.gethostbyname(\"localhost\"))' && command -v pyflyte-execute && cat /tmp/sums")
    assert done.returncode == 0, done.stderr
    version, localhost, pyflyte, *sums = done.stdout.splitlines()
    assert (version, localhost, pyflyte) == (versions.flytekit(), "127.0.0.1", "/opt/venv/bin/pyflyte-execute")
    in_image = sorted((path.removeprefix("python_wf/"), sha) for sha, path in (line.split() for line in sums))
    assert in_image == images.tree_files(paths.REPO_ROOT / "python_wf")

    # jflyte: upstream's layout and environment, the launcher as entrypoint
    config = _archive_config(jflyte.archive)
    assert config["Entrypoint"] == ["/jflyte/launcher"]
    assert {"FLYTE_INTERNAL_MODULE_DIR=/jflyte/modules", f"FLYTE_INTERNAL_IMAGE={jflyte.name}"} <= set(config["Env"])
    done = _run(containerd, jflyte, "jflyte-layout", "/bin/sh", "-c", "ls /jflyte/libs; ls /jflyte/modules")
    assert done.stdout.split() == sorted(p.name for p in paths.jflyte_lib().iterdir()) + \
        sorted(p.name for p in paths.jflyte_modules().iterdir())
    done = _run(containerd, jflyte, "jflyte-bare")  # the entrypoint, no arguments: Main's usage
    assert done.returncode == 1 and "jflyte" in done.stdout + done.stderr, done.stderr
    done = _run(containerd, jflyte, "jflyte-usage", "/jflyte/launcher", "jflyte")  # as propeller's args start
    assert done.returncode == 1 and {"execute", "register", "serialize"} <= set((done.stdout + done.stderr).split())

    given = {"PATH": "/tmp/fake:/usr/bin:/bin", **{f"FLYTE_INTERNAL_TASK_{x}": x[0].lower()
                                                   for x in ("PROJECT", "DOMAIN", "NAME", "VERSION")}}
    arguments, environment = _launched(containerd, jflyte, "jflyte-env")
    assert environment == given
    assert arguments.startswith("ARGS -D") and arguments.endswith(
        "-cp /jflyte/modules/*:/jflyte/libs/* org.flyte.jflyte.Main jflyte execute --task x")
