"""The two SDK images for a local Kubernetes with no registry: built with Docker, cached by content.

Base: a Debian bookworm root file system made by ``debootstrap --variant=minbase`` from
deb.debian.org, cached as a tar, without the host's /etc/resolv.conf and /etc/hostname that
debootstrap copies in, nor apt's downloaded packages and lists (each image runs apt-get update).
Each image is a multi-stage Dockerfile ``docker build`` FROM that root (``docker import``ed) on a
DockerEngine of our own. Containers do run here (root lacks CAP_SYS_RESOURCE, which only matters
for a negative oom_score_adj, and Docker asks for none), so apt and pip run in RUN steps with
network_mode="host"; they reach deb.debian.org and PyPI only. ``docker save`` writes the archive:
the docker-archive format, which ``ctr images import`` takes (``import_image``).

- flytekit, ``localhost/flyte-parity-flytekit:<key12>``: python3, a venv /opt/venv holding
  ``flytekit==<version>`` (pip runs in a build stage that has the host's CA bundle; the final stage
  copies only the venv, so the bundle is in no layer), the twins in /opt/flyte-parity/python_wf
  with PYTHONPATH=/opt/flyte-parity (WORKDIR too, though a pod template may set another), PATH
  starting with /opt/venv/bin, /etc/hosts naming localhost, no ENTRYPOINT (propeller's args start
  with ``pyflyte-execute``).
- jflyte, ``localhost/flyte-parity-jflyte:<key12>``: laid out like upstream's jib image
  (flytekit-java 0.4.62, jflyte/pom.xml): appRoot /jflyte, jars in /jflyte/libs, plug-ins in
  /jflyte/modules/<name>, FLYTE_INTERNAL_MODULE_DIR=/jflyte/modules, FLYTE_INTERNAL_IMAGE its own
  name, FLYTE_PLATFORM_INSECURE=True, jib's two slf4j JVM flags, the modules/* then libs/* class
  path, main class org.flyte.jflyte.Main. Propeller's args start with the word ``jflyte``: that is
  Main's subcommand, so upstream's entrypoint (java itself) and our launcher pass them on as they
  are. Differs from upstream: Debian bookworm with openjdk-17-jre-headless instead of distroless
  java11; jflyte's own jar in libs instead of exploded classes/resources folders; ENTRYPOINT the
  shell launcher /jflyte/launcher instead of java; no FLYTE_PLATFORM_URL (upstream names a
  cluster-DNS address, and there is no cluster DNS here).

The launcher leaves the environment as propeller gives it (an execution that needs more variables
sets them itself: the execution mode's --jflyte-legacy-env).

Cache: ``<cache>/images/<name>-<key>.tar`` (cache = ``paths.cache_dir()``), the key a hash of all
that goes into the image: the base's key, the Dockerfile, the flytekit version, the twins' files,
jflyte's files by path and sha256, the launcher. An archive is renamed into place only once saved
whole; when it is there nothing is built and no dockerd starts. Not in any key: the host's CA
bundle (in no image) and what the mirror serves today (apt takes the suite's current packages).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services.docker_engine import DockerEngine, mounts_under, remove_new_run_folders, unmount_under
from flyte_parity.services.lifecycle import step
from flyte_parity.services.processes import alive

RECIPE = "1"  # bump when the way of building changes in a way no key input shows
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
VARIANT = "minbase"
BASE_PACKAGES: tuple[str, ...] = ()
BASE_PRUNE = ("etc/resolv.conf", "etc/hostname", "var/cache/apt/archives/*.deb", "var/lib/apt/lists/*")
BASE_REPOSITORY = "localhost/flyte-parity-base"
FLYTEKIT_REPOSITORY = "localhost/flyte-parity-flytekit"
JFLYTE_REPOSITORY = "localhost/flyte-parity-jflyte"
TWINS_DIR = "/opt/flyte-parity"  # holds python_wf; the flytekit image's PYTHONPATH and WORKDIR
_HOST_CA = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "LC_ALL": "C"}
_LIBMOUNT_RUN = ("/run/mount",)  # util-linux's mount and umount, which debootstrap runs, make it

LAUNCHER = f"""#!/bin/sh
# jflyte's entrypoint: java on jflyte's class path, the task's arguments as given ("jflyte execute ...").
# The environment java gets is the one given here (the shell's own PWD is dropped when none was given).
grep -qz '^PWD=' /proc/$$/environ 2>/dev/null || unset PWD
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=INFO -Dorg.slf4j.simpleLogger.log.org.flyte=DEBUG \\
  -cp "/jflyte/modules/*:/jflyte/libs/*" org.flyte.jflyte.Main "$@"
"""

_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_FROM_BASE = "FROM {base}{stage}\nENV PATH=" + _PATH + " LANG=C.UTF-8\n"
_APT = ("RUN DEBIAN_FRONTEND=noninteractive apt-get update \\\n"
        " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {packages} \\\n"
        " && apt-get clean && rm -rf /var/lib/apt/lists/*\n")

FLYTEKIT_DOCKERFILE = (_FROM_BASE.replace("{stage}", " AS python") + _APT.replace("{packages}", "python3 python3-venv")
                       + """
FROM python AS venv
COPY build-ca.pem /tmp/build-ca.pem
RUN python3 -m venv /opt/venv \\
 && if [ -s /tmp/build-ca.pem ]; then export PIP_CERT=/tmp/build-ca.pem; fi \\
 && PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \\
    /opt/venv/bin/pip install "flytekit=={version}"

FROM python
COPY --from=venv /opt/venv /opt/venv
COPY hosts /etc/hosts
COPY python_wf {twins}/python_wf
ENV VIRTUAL_ENV=/opt/venv PYTHONPATH={twins} PATH=/opt/venv/bin:""" + _PATH + """
WORKDIR {twins}
""")

JFLYTE_DOCKERFILE = (_FROM_BASE.replace("{stage}", "") + _APT.replace("{packages}", "openjdk-17-jre-headless")
                     + """COPY libs /jflyte/libs
COPY modules /jflyte/modules
COPY launcher /jflyte/launcher
ARG FLYTE_INTERNAL_IMAGE
ENV FLYTE_INTERNAL_MODULE_DIR=/jflyte/modules FLYTE_INTERNAL_IMAGE=$FLYTE_INTERNAL_IMAGE \\
    FLYTE_PLATFORM_INSECURE=True
ENTRYPOINT ["/jflyte/launcher"]
""")

HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"


class ImageError(RuntimeError):
    """A build step or an import failed; the message names its log or output."""


@dataclass(frozen=True)
class Image:
    """A built image: its name (``localhost/<repository>:<key12>``), key and ``docker save`` archive."""

    name: str
    key: str
    archive: Path


# ---- keys -----------------------------------------------------------------------------------------

def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def files_key(entries: Iterable[tuple[str, str]]) -> str:
    """The key of a set of files given as (relative path, sha256 of contents); their order does not
    matter; a path given twice is a ValueError."""
    listed = sorted((str(name), str(sha)) for name, sha in entries)
    names = [name for name, _ in listed]
    if len(set(names)) != len(names):
        raise ValueError("a path is listed twice")
    return _hash(["files", listed])


def tree_files(folder: Path, prefix: str = "") -> list[tuple[str, str]]:
    """(``prefix`` + relative POSIX path, sha256) of each file under ``folder``; __pycache__ and .pyc left out."""
    folder = Path(folder)
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.append((prefix + path.relative_to(folder).as_posix(), file_sha256(path)))
    return sorted(found)


def base_key(suite: str = SUITE, packages: Sequence[str] = BASE_PACKAGES, *, mirror: str = MIRROR,
             variant: str = VARIANT) -> str:
    """The key of the debootstrapped root: suite, package list (in any order), mirror, variant, what is pruned."""
    return _hash({"image": "base", "recipe": RECIPE, "suite": suite, "packages": sorted(set(packages)),
                  "mirror": mirror, "variant": variant, "prune": BASE_PRUNE})


def flytekit_key(base: str, version: str, twins: str, dockerfile: str) -> str:
    """The flytekit image's key from the base's key, the flytekit version, the twins' ``files_key`` and
    the Dockerfile."""
    return _hash({"image": "flytekit", "recipe": RECIPE, "base": base, "flytekit": version, "twins": twins,
                  "dockerfile": dockerfile})


def jflyte_key(base: str, jars: str, launcher: str, dockerfile: str) -> str:
    """The jflyte image's key from the base's key, the ``files_key`` of libs and modules, the launcher
    and the Dockerfile."""
    return _hash({"image": "jflyte", "recipe": RECIPE, "base": base, "files": jars, "launcher": launcher,
                  "dockerfile": dockerfile})


def image_name(repository: str, key: str) -> str:
    return f"{repository}:{key[:12]}"


def _base_name() -> str:
    return image_name(BASE_REPOSITORY, base_key())


# ---- what goes into each image ----------------------------------------------------------------------

@dataclass(frozen=True)
class Recipe:
    """What one image is built from: its key, its Dockerfile, and how to fill the rest of its build context."""

    repository: str
    key: str
    dockerfile: str
    fill: Callable[[Path], None] = field(compare=False)
    buildargs: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return image_name(self.repository, self.key)

    def archive(self, cache: Path) -> Path:
        return cache / "images" / f"{self.repository.rsplit('/', 1)[-1]}-{self.key}.tar"


def _host_ca() -> Path | None:
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"), *_HOST_CA):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def flytekit_recipe(version: str, twins: Path | None = None) -> Recipe:
    """The flytekit image with ``flytekit==version`` and the twins package ``twins`` (default: the
    checkout's python_wf)."""
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version or ""):
        raise UsageError(f"flytekit version {version!r} is no release number: pass one like 1.16.31")
    twins = Path(twins) if twins is not None else paths.REPO_ROOT / "python_wf"
    if not (twins / "__init__.py").is_file():
        raise UsageError(f"{twins} is no Python package: point twins at the python_wf folder")
    dockerfile = FLYTEKIT_DOCKERFILE.format(base=_base_name(), version=version, twins=TWINS_DIR)

    def fill(context: Path) -> None:
        ca = _host_ca()
        (context / "build-ca.pem").write_bytes(ca.read_bytes() if ca else b"")
        (context / "hosts").write_text(HOSTS, encoding="utf-8")
        shutil.copytree(twins, context / "python_wf", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    key = flytekit_key(base_key(), version, files_key(tree_files(twins)), dockerfile)
    return Recipe(FLYTEKIT_REPOSITORY, key, dockerfile, fill)


def jflyte_recipe(lib: Path | None = None, modules: Path | None = None) -> Recipe:
    """The jflyte image from jflyte's ``lib`` and ``modules`` folders (default: the JVM build in use)."""
    lib = Path(lib) if lib is not None else paths.jflyte_lib()
    modules = Path(modules) if modules is not None else paths.jflyte_modules()
    if not any(lib.glob("*.jar")) or not modules.is_dir():
        raise UsageError(f"no jflyte build in {lib.parent} (lib/*.jar and modules/): run `make jvm`")
    dockerfile = JFLYTE_DOCKERFILE.format(base=_base_name())

    def fill(context: Path) -> None:
        shutil.copytree(lib, context / "libs")
        shutil.copytree(modules, context / "modules")
        launcher = context / "launcher"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        launcher.chmod(0o755)

    jars = files_key(tree_files(lib, "libs/") + tree_files(modules, "modules/"))
    key = jflyte_key(base_key(), jars, LAUNCHER, dockerfile)
    own_name = image_name(JFLYTE_REPOSITORY, key)
    return Recipe(JFLYTE_REPOSITORY, key, dockerfile, fill, {"FLYTE_INTERNAL_IMAGE": own_name})


# ---- building -----------------------------------------------------------------------------------------

def _say(message: str, since: float) -> None:
    print(f"==> images: {message} ({time.monotonic() - since:.0f} s)", flush=True)


def _images_dir(cache: Path | None) -> Path:
    """``<cache>/images`` (with its logs folder), rid of the partial archives of processes gone."""
    folder = Path(cache if cache is not None else paths.cache_dir()) / "images"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    for partial in folder.glob("*.tar.partial-*"):
        owner = partial.name.rsplit("-", 1)[-1]
        if owner.isdigit() and not alive(int(owner)):
            partial.unlink(missing_ok=True)
    return folder


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A partial file next to ``target``, renamed onto it when the block succeeds, removed when it fails."""
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    try:
        yield partial
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def _scratch(where: Path) -> Iterator[Path]:
    """A fresh folder under ``where``, removed afterwards, once nothing is mounted under it."""
    Path(where).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="b", dir=where)).resolve()  # short: socket paths
    try:
        yield folder
    finally:
        unmount_under(folder)
        if not mounts_under(folder):
            shutil.rmtree(folder, ignore_errors=True)


def base_root(*, cache: Path | None = None, work: Path | None = None) -> Path:
    """The cached tar of the debootstrapped Debian root (made when missing; no dockerd needed)."""
    images = _images_dir(cache)
    archive = images / f"base-{base_key()}.tar"
    if archive.is_file():
        return archive
    since = time.monotonic()
    log = images / "logs" / f"base-{base_key()[:12]}.log"
    existed = {folder for folder in _LIBMOUNT_RUN if os.path.lexists(folder)}
    with _scratch(work or images) as scratch:
        root = scratch / "rootfs"
        _say(f"debootstrap --variant={VARIANT} {SUITE} from {MIRROR}, log {log}", since)
        include = [f"--include={','.join(sorted(set(BASE_PACKAGES)))}"] if BASE_PACKAGES else []
        try:
            step("debootstrap", ["/usr/sbin/debootstrap", f"--variant={VARIANT}", *include, SUITE, str(root),
                                 MIRROR], cwd=scratch, log=log, env=_ENV, timeout=1800)
        finally:
            unmount_under(root)
            remove_new_run_folders(existed, _LIBMOUNT_RUN)
        for pattern in BASE_PRUNE:
            for path in root.glob(pattern):
                if path.is_file() or path.is_symlink():
                    path.unlink()
        with _atomic(archive) as partial:
            step("tar", ["tar", "--numeric-owner", "--sort=name", "-C", str(root), "-cf", str(partial), "."],
                 cwd=scratch, log=log, env=_ENV, timeout=900)
    _say(f"base root {archive.name} ({archive.stat().st_size >> 20} MiB)", since)
    return archive


def _build(engine: DockerEngine, recipe: Recipe, archive: Path, scratch: Path, log: Path, since: float) -> None:
    context = scratch / f"context-{recipe.key[:12]}"
    context.mkdir()
    (context / "Dockerfile").write_text(recipe.dockerfile, encoding="utf-8")
    recipe.fill(context)
    _say(f"docker build {recipe.name}, log {log}", since)
    client = engine.client
    assert client is not None
    with open(log, "a", encoding="utf-8") as out:
        for chunk in client.api.build(path=str(context), tag=recipe.name, network_mode="host", rm=True,
                                      forcerm=True, pull=False, decode=True, buildargs=dict(recipe.buildargs)):
            text = chunk.get("stream", "")
            out.write(text)
            out.flush()
            if text.startswith("Step "):
                _say(f"{recipe.repository.rsplit('/', 1)[-1]}: {text.strip()[:100]}", since)
            if "error" in chunk:
                raise ImageError(f"docker build of {recipe.name} failed: {chunk['error'].strip()}; see {log}")
    client.images.get(recipe.name)
    with _atomic(archive) as partial, open(partial, "wb") as out:
        for data in client.api.get_image(recipe.name):
            out.write(data)
    _say(f"saved {archive.name} ({archive.stat().st_size >> 20} MiB)", since)


def build(recipes: Sequence[Recipe], *, cache: Path | None = None, work: Path | None = None) -> list[Image]:
    """The images of ``recipes``, each from its cached archive, else built (all on one dockerd started
    in a scratch folder under ``work``, default the cache's images folder, and removed after)."""
    images = _images_dir(cache)
    cache_root = images.parent
    missing = [recipe for recipe in recipes if not recipe.archive(cache_root).is_file()]
    if missing:
        since = time.monotonic()
        base = base_root(cache=cache_root, work=work)
        with _scratch(work or images) as scratch, DockerEngine(scratch / "d") as engine:
            _say(f"dockerd up in {scratch / 'd'}", since)
            assert engine.client is not None
            repository, tag = _base_name().rsplit(":", 1)
            engine.client.api.import_image_from_file(str(base), repository=repository, tag=tag)
            _say(f"imported {_base_name()}", since)
            for recipe in missing:
                log = images / "logs" / f"{recipe.repository.rsplit('/', 1)[-1]}-{recipe.key[:12]}.log"
                _build(engine, recipe, recipe.archive(cache_root), scratch, log, since)
        _say("done; dockerd stopped", since)
    return [Image(recipe.name, recipe.key, recipe.archive(cache_root)) for recipe in recipes]


def flytekit_image(version: str, *, twins: Path | None = None, cache: Path | None = None,
                   work: Path | None = None) -> Image:
    """The flytekit image (``flytekit==version``, the twins baked in), from the cache or built."""
    return build([flytekit_recipe(version, twins)], cache=cache, work=work)[0]


def jflyte_image(*, lib: Path | None = None, modules: Path | None = None, cache: Path | None = None,
                 work: Path | None = None) -> Image:
    """The jflyte image (jflyte's lib and modules, the launcher), from the cache or built."""
    return build([jflyte_recipe(lib, modules)], cache=cache, work=work)[0]


def build_images(flytekit_version: str, *, twins: Path | None = None, lib: Path | None = None,
                 modules: Path | None = None, cache: Path | None = None,
                 work: Path | None = None) -> tuple[Image, Image]:
    """Both images (flytekit, jflyte), from the cache or built on one dockerd."""
    flytekit, jflyte = build([flytekit_recipe(flytekit_version, twins), jflyte_recipe(lib, modules)],
                             cache=cache, work=work)
    return flytekit, jflyte


# ---- into a containerd -------------------------------------------------------------------------------

def import_image(archive: Path, containerd_socket: Path, ctr: str = "/usr/bin/ctr") -> list[str]:
    """``ctr -n k8s.io images import`` of a ``docker save`` archive into the containerd on
    ``containerd_socket`` (a kubelet there runs it with imagePullPolicy Never); the names imported."""
    archive, socket = Path(archive), Path(containerd_socket)
    if not archive.is_file():
        raise UsageError(f"no image archive {archive}: build it first (images.build_images)")
    if not socket.exists():
        raise UsageError(f"no containerd socket {socket}: start that containerd first")
    done = subprocess.run([ctr, "--address", str(socket), "--namespace", "k8s.io", "images", "import", str(archive)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1800, env=_ENV)
    if done.returncode != 0:
        raise ImageError(f"ctr images import {archive} failed (exit {done.returncode}): "
                         f"{(done.stderr or done.stdout).strip()[-2000:]}")
    return re.findall(r"^unpacking (\S+) \(", done.stdout, flags=re.MULTILINE)
