"""What a run needs from the machine, checked in seconds before anything slow: every missing part
said at once, one line each with the knob or command that supplies it.

Every parity run needs git, a JDK, Maven and the flytekit-java source (or a release); a mode that
needs a FlyteAdmin (``needs = ("admin",)``) also needs PostgreSQL and a FlyteAdmin binary, one
that needs flytectl a flytectl binary, and one that runs on a local Kubernetes (``cluster``) its
binaries, FlytePropeller, datacatalog, MinIO, Docker Engine and debootstrap. A binary that no knob and no
.tools/bin provides is no missing part when ``make binaries`` (tool_build) can build it: when Go is
on PATH. ``--without admin,flytectl`` leaves out the modes that need those (the pytest option of the
same name deselects them). Standard library only: ``make`` runs it
with the system Python, before the virtualenv exists.

Run as ``python3 -m flyte_parity.services.preflight [--without NEEDS]``: exit 0 when nothing is
missing, 2 when something is (nothing is built or run then).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import datacatalog, flyteadmin, flytectl, minio, propeller
from flyte_parity.services.flyteadmin import admin_binary
from flyte_parity.services.flytectl import flytectl_binary
from flyte_parity.services.datacatalog import datacatalog_binary
from flyte_parity.services.minio import minio_binary
from flyte_parity.services.postgres import server_binaries
from flyte_parity.services.propeller import propeller_binary

FLYTEKIT_JAVA_REMOTE = "https://github.com/flyteorg/flytekit-java.git"


def _command(name: str, fix: str) -> Callable[[], str | None]:
    return lambda: None if shutil.which(name) else f"no `{name}` on PATH: {fix}"


def _lookup(find: Callable[[], Path]) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            find()
            return None
        except UsageError as err:
            return str(err)
    return check


def _python() -> str | None:
    if sys.version_info >= (3, 11):
        return None
    return f"{sys.executable} is Python {sys.version.split()[0]}; the suite needs 3.11+: make ... PYTHON=python3.11"


def _flytekit_java() -> str | None:
    """The source the JVM build takes flytekit-java from (or a Maven Central release)."""
    if os.environ.get("FLYTEKIT_JAVA_VERSION", "").strip():
        return None  # a release from Maven Central
    if (paths.JVM_DIR / "flytekit-java" / "pom.xml").is_file():
        return None  # the submodule is checked out
    source = os.environ.get("FLYTEKIT_JAVA_GIT", "").strip()
    if not source or "://" in source and not source.startswith("file://"):
        return None  # a remote (GitHub by default): reached when the build fetches it
    local = Path(source.removeprefix("file://"))
    if local.exists():
        return None
    return (f"FLYTEKIT_JAVA_GIT={source} does not exist: point it at a flytekit-java clone, mirror or git bundle, "
            f"or unset it to fetch {FLYTEKIT_JAVA_REMOTE}")


# Every run's parts, then the parts of each need a mode may declare: (part, check).
BASE = (
    ("Python", _python),
    ("git", _command("git", "install git (apt-get install git)")),
    ("Java", lambda: _command("java", "install a JDK 17+ (apt-get install openjdk-17-jdk-headless)")()
     or _command("javac", "install a JDK 17+, not only a JRE (apt-get install openjdk-17-jdk-headless)")()),
    ("Maven", _command("mvn", "install Maven 3.6+ (apt-get install maven)")),
    ("flytekit-java", _flytekit_java),
)
def _file(path: str, package: str) -> Callable[[], str | None]:
    return lambda: None if Path(path).exists() else f"no {path}: apt-get install {package}"


# What builds a binary that no knob and no .tools/bin provides (`make binaries`, tool_build): Go;
# pause also gcc.
BUILDERS = {"go": "Go 1.26+ (`go`) on PATH", "gcc": "gcc and a static libc (apt-get install gcc libc6-dev)"}
_to_build: list[str] = []  # what `make binaries` will build, noted by the last missing()


def builder_missing(builders: Iterable[str], search: str | None = None) -> str | None:
    """What building needs that is not on PATH (``search``), or None."""
    return next((BUILDERS[b] for b in BUILDERS if b in set(builders) and shutil.which(b, path=search) is None), None)


def _buildable(why: str | None, label: str, knob: str, *builders: str) -> str | None:
    """``why`` a binary is missing, or None when `make binaries` will build it (its knob is unset and
    what builds it is on PATH); when it cannot, ``why`` says what building it needs."""
    if why is None or os.environ.get(knob, "").strip():
        return why  # there, or the user's choice (to fix, or unset to build one)
    lacking = builder_missing(builders)
    if lacking is None:
        _to_build.append(label)
        return None
    return f"{why}, which needs {lacking}"


def _binary(find: Callable[[], Path], label: str, knob: str) -> Callable[[], str | None]:
    return lambda: _buildable(_lookup(find)(), label, knob, "go")


def _kubernetes() -> str | None:
    from flyte_parity.services import kubernetes  # root, Debian's parts, binaries
    why = _lookup(kubernetes.preflight)()
    if why is None or why != _lookup(kubernetes.binaries)():  # there, or not only the binaries are missing
        return why
    pause = paths.TOOLS_BIN / "pause"
    builders = ("go",) if pause.is_file() and os.access(pause, os.X_OK) else ("go", "gcc")
    return _buildable(why, "Kubernetes", kubernetes.BIN_VARIABLE, *builders)


NEEDS = {
    "admin": (("PostgreSQL", _lookup(server_binaries)), ("FlyteAdmin", _binary(admin_binary, "flyteadmin", flyteadmin.BIN_VARIABLE))),
    "flytectl": (("flytectl", _binary(flytectl_binary, "flytectl", flytectl.BIN_VARIABLE)),),
    "cluster": (("Kubernetes", _kubernetes), ("Docker Engine", _file("/usr/sbin/dockerd", "docker.io")),
                ("debootstrap", _file("/usr/sbin/debootstrap", "debootstrap")),
                ("FlytePropeller", _binary(propeller_binary, "flytepropeller", propeller.BIN_VARIABLE)),
                ("datacatalog", _binary(datacatalog_binary, "datacatalog", datacatalog.BIN_VARIABLE)),
                ("MinIO", _binary(minio_binary, "minio", minio.BIN_VARIABLE))),
}
# Leaving out one need leaves out others: every mode that needs flytectl or a data plane needs a FlyteAdmin too.
LEAVES_OUT = {"admin": {"flytectl", "cluster"}}


def parse_needs(text: str | Iterable[str]) -> set[str]:
    """``admin,flytectl`` or ``admin flytectl`` (or a list of such) as a set, checked."""
    items = [text] if isinstance(text, str) else list(text)
    names = {n for item in items for n in item.replace(",", " ").split()}
    unknown = sorted(names - set(NEEDS))
    if unknown:
        raise UsageError(f"--without takes {', '.join(NEEDS)}, not {', '.join(unknown)}")
    return names.union(*(LEAVES_OUT.get(n, set()) for n in names))


def need_missing(need: str) -> list[str]:
    """What is missing for one need: one line per part."""
    return [f"{part}: {why}" for part, check in NEEDS[need] if (why := check())]


def missing(without: set[str] = frozenset()) -> list[str]:
    """Every missing part of a run that leaves out the modes needing ``without``: one line each."""
    _to_build.clear()
    lines = [f"{part}: {why}" for part, check in BASE if (why := check())]
    for need in NEEDS:
        if need not in without:
            lines += [f"{line}; or leave out the modes that need {need}: `make parity WITHOUT={need}`"
                      for line in need_missing(need)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m flyte_parity.services.preflight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--without", default="", help="needs whose modes the run leaves out: admin, flytectl, cluster")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        without = parse_needs(args.without)
    except UsageError as err:
        print(f"flyte-parity: {err}", file=sys.stderr)
        return 2
    lines = missing(without)
    for line in lines:
        print(f"flyte-parity: missing {line}", file=sys.stderr)
    if lines:
        print(f"flyte-parity: {len(lines)} part(s) missing; nothing was built or run", file=sys.stderr)
        return 2
    left_out = f" (leaving out the modes that need {', '.join(sorted(without))})" if without else ""
    later = f"; `make binaries` builds {', '.join(_to_build)}" if _to_build else ""
    print(f"==> preflight: every part the run needs is here{left_out}{later} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
