"""The Flyte and Kubernetes binaries a run needs, built from source when no knob and no .tools/bin has them.

- flyteadmin, flytectl, flytepropeller, datacatalog: Flyte v1.16.8, a shallow fetch of its tag from
  ``FLYTE_GIT`` (default GitHub; a URL, a local clone or mirror, or a git bundle) into
  ``.tools/src/flyte-v1.16.8`` (kept; its commit checked), then ``go build`` of each command;
- kube-apiserver, kube-controller-manager, kube-scheduler, kubelet: Kubernetes v1.34.4 through the
  Go module proxy, from a module of our own in ``.tools/src/kubernetes-v1.34.4`` that requires
  k8s.io/kubernetes and replaces each of its staging modules with its published v0.34.4 (the list
  comes from k8s.io/kubernetes's own go.mod); ``pause`` is gcc's build of its pause.c;
- minio: MinIO (the data plane's S3 store, as upstream's sandbox has), ``go install`` of its module
  at a pinned version through the Go module proxy.

A binary is built only when the run needs it (``--without`` leaves needs out, as for the preflight)
and neither its knob (FLYTEADMIN_BIN, FLYTECTL_BIN, FLYTEPROPELLER_BIN, DATACATALOG_BIN,
KUBERNETES_BIN_DIR, MINIO_BIN) nor ``.tools/bin`` provides it. Each is written under a partial name and renamed
only when its build succeeded; a failed fetch removes its partial checkout. Standard library only:
``make`` runs it with the system Python.

Run as ``python3 -m flyte_parity.services.tool_build [--without NEEDS] [--only NAMES]``: exit 0 when
every binary asked for is there, 2 when one cannot be had (one line each, naming the knob to set).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Mapping, Sequence

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import datacatalog, flyteadmin, flytectl, kubernetes, minio, propeller
from flyte_parity.services.preflight import NEEDS, builder_missing as _lacking, parse_needs

TOOLS = paths.REPO_ROOT / ".tools"
FLYTE_VARIABLE = "FLYTE_GIT"
FLYTE_REMOTE = "https://github.com/flyteorg/flyte.git"
FLYTE_TAG = "v1.16.8"
FLYTE_COMMIT = "51877f899c9f95e0cb5efe90444eb0c6c6ea48a9"
KUBERNETES_MODULE = "k8s.io/kubernetes"
KUBERNETES_VERSION = "v1.34.4"
STAGING_VERSION = "v0.34.4"  # what each staging module of Kubernetes v1.34.4 is published as
PAUSE_VERSION = "v3.10.1-local"
PAUSE_SOURCE = "build/pause/linux/pause.c"
MINIO_MODULE = "github.com/minio/minio"
MINIO_VERSION = "v0.0.0-20260212201848-7aac2a2c5b7c"  # the module proxy's newest on the day it was pinned
SPARK_OPERATOR = "github.com/kubeflow/spark-operator"
SPARK_OPERATOR_VERSION = "v0.0.0-20250325114751-1905be6e1dbd"  # FlytePropeller's plug-ins need it
# How the Go commands are built: static, no local paths, no symbol tables.
GO_ENV = {"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
GO_FLAGS = ("-trimpath",)
STRIP = "-s -w"
FETCH_TIMEOUT = 20 * 60
HEARTBEAT = 60.0


@dataclass(frozen=True)
class Binary:
    """One file in .tools/bin: its knob, the need that wants it, and what builds it."""

    name: str
    knob: str
    need: str
    group: str  # "flyte" (a command of flyteorg/flyte), "kubernetes", or "minio" (go install of its module)
    module: str = ""  # flyte: the Go module's folder in the checkout
    package: str = ""  # flyte: the command's package in that module; kubernetes: its import path

    @property
    def builder(self) -> str:
        """What compiles it (one of the preflight's BUILDERS)."""
        return "gcc" if self.name == "pause" else "go"


BINARIES = (
    Binary("flyteadmin", flyteadmin.BIN_VARIABLE, "admin", "flyte", "flyteadmin", "./cmd"),
    Binary("flytectl", flytectl.BIN_VARIABLE, "flytectl", "flyte", "flytectl", "."),
    Binary("flytepropeller", propeller.BIN_VARIABLE, "cluster", "flyte", "flytepropeller", "./cmd/controller"),
    Binary("datacatalog", datacatalog.BIN_VARIABLE, "cluster", "flyte", "datacatalog", "./cmd"),
    *(Binary(name, kubernetes.BIN_VARIABLE, "cluster", "kubernetes", package=f"{KUBERNETES_MODULE}/cmd/{name}")
      for name in kubernetes.COMMANDS),
    Binary("pause", kubernetes.BIN_VARIABLE, "cluster", "kubernetes"),
    Binary("minio", minio.BIN_VARIABLE, "cluster", "minio", package=f"{MINIO_MODULE}@{MINIO_VERSION}"),
)
GROUPS = {"flyte": f"Flyte {FLYTE_TAG}", "kubernetes": f"Kubernetes {KUBERNETES_VERSION}", "minio": "MinIO"}


class BuildFailed(Exception):
    """One binary (or group) could not be built; ``str(err)`` is its one line."""


def needed(without: Iterable[str] | str = "", only: Iterable[str] | str = "") -> list[Binary]:
    """The binaries a run that leaves out ``without`` needs (``only``: just these names or groups)."""
    left_out = parse_needs(without)
    chosen = _names(only)
    unknown = sorted(chosen - {b.name for b in BINARIES} - set(GROUPS))
    if unknown:
        raise UsageError(f"--only takes {', '.join([*GROUPS, *(b.name for b in BINARIES)])}, not {', '.join(unknown)}")
    return [b for b in BINARIES
            if b.need not in left_out and (not chosen or b.name in chosen or b.group in chosen)]


def _names(text: Iterable[str] | str) -> set[str]:
    items = [text] if isinstance(text, str) else list(text)
    return {n for item in items for n in item.replace(",", " ").split()}


def provided(binary: Binary, tools: Path = TOOLS, env: Mapping[str, str] = os.environ) -> str | None:
    """Where the run will take ``binary`` from without building it: its knob (when set, it wins, even
    when it names nothing usable: the preflight says so) or .tools/bin; None when it must be built."""
    if env.get(binary.knob, "").strip():
        return binary.knob
    plain = tools / "bin" / binary.name
    if plain.is_file() and os.access(plain, os.X_OK):
        return ".tools/bin"
    if binary.group == "kubernetes" and (tools / "bin" / f"{binary.name}.xz").is_file():
        return ".tools/bin"
    return None


def to_build(binaries: Sequence[Binary], tools: Path = TOOLS, env: Mapping[str, str] = os.environ) -> list[Binary]:
    """Those of ``binaries`` nothing provides."""
    return [b for b in binaries if provided(b, tools, env) is None]


def builder_missing(binaries: Iterable[Binary], env: Mapping[str, str] = os.environ) -> str | None:
    """What this machine lacks to build ``binaries`` (Go; gcc for pause), or None."""
    builders = {b.builder for b in binaries}
    return _lacking(["go", *builders] if builders else [], env.get("PATH", os.defpath))


def _cannot(binaries: Sequence[Binary], reason: str, fetch_hint: bool = False) -> str:
    """The one line for binaries that cannot be built: what, why, and the knobs to set instead."""
    singles = [b for b in binaries if b.group != "kubernetes"]  # one knob per file
    files = list(dict.fromkeys(b.knob for b in singles))
    knobs = []
    if files:
        knobs.append(f"{', '.join(files)} to {'built binaries' if len(files) > 1 else 'a built ' + singles[0].name}")
    if any(b.group == "kubernetes" for b in binaries):
        knobs.append(f"{kubernetes.BIN_VARIABLE} to a folder of built Kubernetes binaries and pause")
    line = f"cannot build {', '.join(b.name for b in binaries)}: {reason}; set {' and '.join(knobs)}"
    if fetch_hint:
        line += f" (or {FLYTE_VARIABLE} to a reachable flyteorg/flyte clone, mirror or bundle)"
    return line


def redact(text: str) -> str:
    """``text`` without the user and password of any URL in it."""
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def _shown(path: Path) -> str:
    """A path as the user sees it: relative to the checkout when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _say(out: IO[str], line: str) -> None:
    out.write(line + "\n")
    out.flush()


# --- sources -------------------------------------------------------------------------------------

def _remote(value: str) -> str:
    """FLYTE_GIT as git takes it: URLs (and user@host:path) as given, local paths made absolute."""
    if not value:
        return FLYTE_REMOTE
    if "://" in value or re.match(r"^[\w.-]+@[\w.-]+:", value):
        return value
    return str(Path(value).expanduser().resolve())


def _git_env() -> dict[str, str]:
    """git never asks for a password or a host key: an unreachable source fails at once."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


def _git(args: Sequence[str], cwd: Path, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=_git_env(),
                          stdin=subprocess.DEVNULL, timeout=timeout)


def _git_reason(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith(("fatal:", "error:"))]
    return redact((fatal or lines or [f"exit {result.returncode}"])[0].removeprefix("error: "))


def _checkout_commit(folder: Path) -> str | None:
    if not (folder / ".git").is_dir():
        return None
    result = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], folder)
    return result.stdout.strip() if result.returncode == 0 else None


def flyte_source(tools: Path, source: str, binaries: Sequence[Binary], out: IO[str]) -> Path:
    """The flyteorg/flyte checkout at FLYTE_TAG in ``tools/src`` (fetched once, its commit checked)."""
    final = tools / "src" / f"flyte-{FLYTE_TAG}"
    if _checkout_commit(final) == FLYTE_COMMIT:
        return final
    if shutil.which("git") is None:
        raise BuildFailed(_cannot(binaries, "no `git` on PATH (apt-get install git)"))
    remote = _remote(source)
    partial = final.with_name(final.name + ".partial")
    _say(out, f"==> fetch: flyteorg/flyte {FLYTE_TAG} from {redact(remote)} into {_shown(final)}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        steps = (["init", "--quiet"],
                 ["fetch", "--quiet", "--depth", "1", "--no-tags", remote, f"+refs/tags/{FLYTE_TAG}:refs/tags/{FLYTE_TAG}"],
                 ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", f"refs/tags/{FLYTE_TAG}^{{commit}}"])
        for args in steps:
            try:
                result = _git(args, partial, timeout=FETCH_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise BuildFailed(_cannot(binaries, f"fetching {FLYTE_TAG} from {redact(remote)} took over "
                                                    f"{FETCH_TIMEOUT // 60} min", fetch_hint=True)) from None
            if result.returncode != 0:
                what = "fetch" if args[0] == "fetch" else "check out"
                raise BuildFailed(_cannot(binaries, f"cannot {what} {FLYTE_TAG} from {redact(remote)} "
                                                    f"({_git_reason(result)})", fetch_hint=True))
        commit = _checkout_commit(partial)
        if commit != FLYTE_COMMIT:
            raise BuildFailed(_cannot(binaries, f"{FLYTE_TAG} from {redact(remote)} is commit {commit}, not "
                                                f"{FLYTE_COMMIT}", fetch_hint=True))
        shutil.rmtree(final, ignore_errors=True)  # a broken or foreign checkout
        partial.replace(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
        _remove_empty(tools / "src", tools)
    return final


def _remove_empty(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to ``top`` (included) while they are empty."""
    for path in (folder, *folder.parents):
        try:
            path.rmdir()
        except OSError:
            return
        if path == top:
            return


def _go_env() -> dict[str, str]:
    return {**_git_env(), **GO_ENV}


def kubernetes_module(tools: Path, binaries: Sequence[Binary], out: IO[str]) -> tuple[Path, Path]:
    """Our module that builds Kubernetes' commands (in ``tools/src``) and k8s.io/kubernetes's own
    folder in the module cache (for pause.c)."""
    _say(out, f"==> fetch: {KUBERNETES_MODULE}@{KUBERNETES_VERSION} through the Go module proxy")
    where = tools / "src"
    where.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(["go", "mod", "download", "-json", f"{KUBERNETES_MODULE}@{KUBERNETES_VERSION}"],
                                cwd=where, capture_output=True, text=True, env=_go_env(), stdin=subprocess.DEVNULL,
                                timeout=FETCH_TIMEOUT)
    except subprocess.TimeoutExpired:
        _remove_empty(where, tools)
        raise BuildFailed(_cannot(binaries, f"go mod download {KUBERNETES_MODULE}@{KUBERNETES_VERSION} took over "
                                            f"{FETCH_TIMEOUT // 60} min")) from None
    try:
        info = json.loads(result.stdout)
    except ValueError:
        info = {"Error": (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]}
    if info.get("Error") or result.returncode != 0 or not info.get("GoMod"):
        _remove_empty(where, tools)
        reason = redact(str(info.get("Error") or "no go.mod").splitlines()[0])
        raise BuildFailed(_cannot(binaries, f"the Go module proxy did not give {KUBERNETES_MODULE}@"
                                            f"{KUBERNETES_VERSION} ({reason})"))
    upstream = Path(info["GoMod"]).read_text(encoding="utf-8")
    staging = staging_modules(upstream)
    if not staging:
        raise BuildFailed(_cannot(binaries, f"{KUBERNETES_MODULE}@{KUBERNETES_VERSION}'s go.mod names no staging module"))
    go = re.search(r"^go\s+(\S+)", upstream, re.M)
    module = where / f"kubernetes-{KUBERNETES_VERSION}"
    module.mkdir(exist_ok=True)
    partial = module / "go.mod.partial"
    partial.write_text(go_mod(staging, go.group(1) if go else "1.24.0"), encoding="utf-8")
    partial.replace(module / "go.mod")  # afresh each time: go build -mod=mod adds to it
    return module, Path(info["Dir"])


def staging_modules(go_mod_text: str) -> list[str]:
    """The modules k8s.io/kubernetes's go.mod replaces with its own staging folders."""
    found = re.findall(r"^\s*(?:replace\s+)?(\S+)(?:\s+v\S+)?\s+=>\s+\./staging/", go_mod_text, re.M)
    return sorted(dict.fromkeys(found))


def go_mod(staging: Sequence[str], go: str) -> str:
    """Our module's go.mod: k8s.io/kubernetes, each staging module replaced by its published version
    (only replaced: requiring them would make Go read the go.mod of every one, used or not)."""
    replaces = "".join(f"\t{name} => {name} {STAGING_VERSION}\n" for name in staging)
    return (f"// Written by flyte-parity's tool_build: builds the commands of Kubernetes {KUBERNETES_VERSION}.\n"
            f"module flyte-parity.local/kubernetes\n\ngo {go}\n\nrequire {KUBERNETES_MODULE} {KUBERNETES_VERSION}\n\n"
            f"replace (\n{replaces})\n")


# --- builds --------------------------------------------------------------------------------------

def _run_logged(command: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path, label: str,
                out: IO[str]) -> int:
    """Run ``command`` with its output in ``log``; a line every minute while it runs."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    scratch = log.parent.parent / "tmp" / label  # go's work folder (GOTMPDIR): removed even when go is stopped
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    env = {**env, "GOTMPDIR": str(scratch)}
    try:
        return _run(command, cwd, env, log, label, out, started)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        _remove_empty(scratch.parent, scratch.parent)


def _run(command: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path, label: str, out: IO[str],
         started: float) -> int:
    """``command`` in its own process group, output to ``log``; stopped with it on Ctrl-C or a kill."""
    with log.open("w", encoding="utf-8") as sink:
        sink.write(f"$ (cd {cwd} && {' '.join(command)})\n")
        sink.flush()
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)  # its own group: see _stop
        try:
            beat = started + HEARTBEAT
            while process.poll() is None:
                time.sleep(0.5)
                if time.monotonic() >= beat:
                    beat += HEARTBEAT
                    sink.flush()
                    compiled = sum(1 for line in log.open(encoding="utf-8", errors="replace") if ": " not in line) - 1
                    so_far = f", {compiled} packages compiled so far" if compiled > 0 else ""
                    _say(out, f"    {label}: {(time.monotonic() - started) / 60:.0f} min{so_far}")
        except BaseException:
            _stop(process)
            raise
    return process.returncode


def _stop(process: subprocess.Popen) -> None:
    """Stop a build and every process it started (go's compiler and linker): Ctrl-C to its group
    first, so go removes its temporary folder, then a kill after 10 s."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def _errors(log: Path) -> list[str]:
    """The lines of a go build or gcc log that report something (not the package names of -v)."""
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()[1:]]
    said = [line for line in lines if ": " in line and not re.match(r"go: (downloading|finding|extracting) ", line)]
    return [line for line in said if line.startswith("go: ") or re.search(r"\.(go|c):\d+|error", line, re.I)] or said


def _failure(log: Path) -> str:
    """The first error a log shows (secrets removed), shortened."""
    text = redact((_errors(log) or ["no error shown"])[0])
    return text if len(text) <= 240 else text[:237] + "..."


def build_flyte(binary: Binary, checkout: Path, tools: Path, out: IO[str]) -> Path:
    """``go build`` of one flyteorg/flyte command into .tools/bin (under a partial name until it succeeded)."""
    target = tools / "bin" / binary.name
    partial = target.with_name(f".{binary.name}.partial")
    log = tools / "logs" / f"{binary.name}.log"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.unlink(missing_ok=True)
    _say(out, f"==> build: {binary.name} (Flyte {FLYTE_TAG}, go build in {binary.module}/); log: {_shown(log)}")
    started = time.monotonic()
    command = ["go", "build", "-v", *GO_FLAGS, f"-ldflags={STRIP}", "-o", str(partial), binary.package]
    try:
        code = _run_logged(command, checkout / binary.module, _go_env(), log, binary.name, out)
        if code != 0 or not partial.is_file():
            spark = [line for line in _errors(log) if SPARK_OPERATOR in line]
            if spark:
                raise BuildFailed(_cannot([binary], f"the Go module proxy does not give {SPARK_OPERATOR}@"
                                                    f"{SPARK_OPERATOR_VERSION}, which its plug-ins need "
                                                    f"({redact(spark[0].rsplit(': ', 1)[-1])}; log: {_shown(log)})"))
            raise BuildFailed(_cannot([binary], f"go build failed (exit {code}: {_failure(log)}; log: {_shown(log)})"))
        partial.chmod(0o755)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _say(out, f"    {binary.name}: built in {_minutes(time.monotonic() - started)}")
    return target


def build_module(binary: Binary, tools: Path, out: IO[str]) -> Path:
    """``go install`` of a command's module at its pinned version into .tools/bin (through a
    folder of its own until it succeeded)."""
    target = tools / "bin" / binary.name
    staging = tools / "tmp" / f"{binary.name}-bin"
    log = tools / "logs" / f"{binary.name}.log"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _say(out, f"==> build: {binary.name} (go install {binary.package}, a few minutes); log: {_shown(log)}")
    started = time.monotonic()
    command = ["go", "install", "-v", *GO_FLAGS, f"-ldflags={STRIP}", binary.package]
    try:
        code = _run_logged(command, tools, {**_go_env(), "GOBIN": str(staging)}, log, binary.name, out)
        built = staging / binary.name
        if code != 0 or not built.is_file():
            raise BuildFailed(_cannot([binary], f"go install failed (exit {code}: {_failure(log)}; log: {_shown(log)})"))
        built.chmod(0o755)
        target.parent.mkdir(parents=True, exist_ok=True)
        built.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(tools / "tmp", tools / "tmp")
    _say(out, f"    {binary.name}: built in {_minutes(time.monotonic() - started)}")
    return target


def build_kubernetes(binaries: Sequence[Binary], module: Path, upstream: Path, tools: Path, out: IO[str]) -> list[str]:
    """The Kubernetes commands among ``binaries`` (one go build) and pause (gcc); the failure lines."""
    failures = []
    commands = [b for b in binaries if b.name != "pause"]
    bin_dir = tools / "bin"
    if commands:
        partial = bin_dir / ".kubernetes.partial"
        log = tools / "logs" / "kubernetes.log"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        major, minor = KUBERNETES_VERSION.lstrip("v").split(".")[:2]
        version = "k8s.io/component-base/version"
        ldflags = (f"{STRIP} -X {version}.gitVersion={KUBERNETES_VERSION} -X {version}.gitMajor={major} "
                   f"-X {version}.gitMinor={minor}")
        _say(out, f"==> build: kubernetes {KUBERNETES_VERSION} ({', '.join(b.name for b in commands)}; go build, "
                  f"~15 min on 2 cores); log: {_shown(log)}")
        started = time.monotonic()
        try:
            code = _run_logged(["go", "build", "-v", *GO_FLAGS, "-ldflags", ldflags, "-o", f"{partial}/",
                                *(b.package for b in commands)], module, _go_env(), log, "kubernetes", out)
            built = [partial / b.name for b in commands]
            if code != 0 or not all(path.is_file() for path in built):
                failures.append(_cannot(commands, f"go build failed (exit {code}: {_failure(log)}; log: {_shown(log)})"))
            else:
                for path in built:
                    path.chmod(0o755)
                    path.replace(bin_dir / path.name)
                _say(out, f"    kubernetes: built in {_minutes(time.monotonic() - started)}")
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    if any(b.name == "pause" for b in binaries):
        pause = next(b for b in binaries if b.name == "pause")
        target, log = bin_dir / "pause", tools / "logs" / "pause.log"
        partial = bin_dir / ".pause.partial"
        _say(out, f"==> build: pause (gcc -static of {KUBERNETES_MODULE}@{KUBERNETES_VERSION}'s {PAUSE_SOURCE})")
        try:
            code = _run_logged(["gcc", "-Os", "-static", f"-DVERSION={PAUSE_VERSION}", "-o", str(partial),
                                str(upstream / PAUSE_SOURCE)], bin_dir, os.environ, log, "pause", out)
            if code != 0 or not partial.is_file():
                failures.append(_cannot([pause], f"gcc failed (exit {code}: {_failure(log)}; log: {_shown(log)})"))
            else:
                partial.chmod(0o755)
                partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return failures


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


@contextmanager
def _lock(tools: Path, out: IO[str]) -> Iterator[None]:
    """One build at a time per tools folder (a second waits, then finds the binaries built); the
    lock is the folder itself, so it leaves no file behind."""
    tools.mkdir(parents=True, exist_ok=True)
    handle = os.open(tools, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(out, "==> binaries: waiting for another build of them to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def ensure(binaries: Sequence[Binary], tools: Path = TOOLS, env: Mapping[str, str] = os.environ,
           out: IO[str] | None = None) -> list[str]:
    """Build those of ``binaries`` nothing provides; the failure lines (empty when all are there).
    A missing builder or an unreachable source fails before anything is built."""
    started = time.monotonic()
    out = out or sys.stdout
    if not to_build(binaries, tools, env):
        given = [provided(b, tools, env) for b in binaries]
        knobs = sorted({g for g in given if g != ".tools/bin"})
        where = f"{given.count('.tools/bin')} in .tools/bin" + (f", the rest from {', '.join(knobs)}" if knobs else "")
        _say(out, f"==> binaries: all {len(binaries)} the run needs are here ({where}); nothing to build"
             if binaries else "==> binaries: the run needs none; nothing to build")
        return []
    todo = to_build(binaries, tools, env)
    lacking = builder_missing(todo, env)
    if lacking:
        return [_cannot(todo, f"it needs {lacking}")]
    with _lock(tools, out):
        todo = to_build(binaries, tools, env)  # another build may have made some meanwhile
        flyte = [b for b in todo if b.group == "flyte"]
        kube = [b for b in todo if b.group == "kubernetes"]
        try:
            checkout = flyte_source(tools, env.get(FLYTE_VARIABLE, "").strip(), flyte, out) if flyte else None
            module, upstream = kubernetes_module(tools, kube, out) if kube else (None, None)
        except BuildFailed as err:
            _remove_empty(tools, tools)
            return [str(err)]
        failures = []
        for binary in flyte:
            try:
                build_flyte(binary, checkout, tools, out)
            except BuildFailed as err:
                failures.append(str(err))
        if kube:
            failures += build_kubernetes(kube, module, upstream, tools, out)
        for binary in (b for b in todo if b.group == "minio"):
            try:
                build_module(binary, tools, out)
            except BuildFailed as err:
                failures.append(str(err))
    if not failures:
        _say(out, f"==> binaries: built {', '.join(b.name for b in todo)} in {_minutes(time.monotonic() - started)}")
    return failures


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None, tools: Path = TOOLS) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m flyte_parity.services.tool_build",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--without", default="", help=f"needs whose modes the run leaves out: {', '.join(NEEDS)}")
    parser.add_argument("--only", default="", help="just these binaries or groups: "
                        + ", ".join([*GROUPS, *(b.name for b in BINARIES)]))
    parser.add_argument("--tools", type=Path, default=tools, help="the tools folder (default: .tools of the checkout)")
    args = parser.parse_args(argv)
    if argv is None:  # the command itself: a kill cleans up as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        binaries = needed(args.without, args.only)
        failures = ensure(binaries, args.tools.resolve())
    except UsageError as err:
        print(f"flyte-parity: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("flyte-parity: the build of the binaries was interrupted (nothing half-built was kept)", file=sys.stderr)
        return 130
    for line in failures:
        print(f"flyte-parity: {line}", file=sys.stderr)
    return 2 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
