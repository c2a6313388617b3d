"""Which SDK versions a run uses: flytekit as installed, flytekit-java as built (read from the jar
names the JVM build laid out, not from the pom's default, so an override shows), and the
flytekit-java commit when the build came from source."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import PackageNotFoundError, version

from flyte_parity.base import paths

_JAR = re.compile(r"^jflyte-(\d[^/]*)\.jar$")


def flytekit() -> str:
    try:
        return version("flytekit")
    except PackageNotFoundError:
        return "not installed"


def flytekit_java() -> str:
    """The jflyte version in the built jflyte folder ('not built' when there is none)."""
    found = sorted(m.group(1) for p in paths.jflyte_lib().glob("jflyte-*.jar") if (m := _JAR.match(p.name)))
    return found[-1] if found else "not built"


def flytekit_java_commit() -> str | None:
    """The flytekit-java commit of a source build (None for a Maven Central release)."""
    info = paths.jvm_build() / "flytekit-java.txt"
    if not info.is_file():
        return None
    fields = dict(line.split("=", 1) for line in info.read_text(encoding="utf-8").splitlines() if "=" in line)
    return fields.get("commit") or None


def pinned_commit() -> str | None:
    """The flytekit-java commit the jvm/flytekit-java submodule pins (None outside a git checkout)."""
    try:
        result = subprocess.run(["git", "ls-tree", "HEAD", "jvm/flytekit-java"], cwd=paths.REPO_ROOT,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    parts = result.stdout.split()
    return parts[2] if result.returncode == 0 and len(parts) >= 3 else None


def is_pinned_build() -> bool:
    """Whether the JVM build in use is the source build of the commit the submodule pins."""
    commit = flytekit_java_commit()
    return commit is not None and commit == pinned_commit()


def java_label() -> str:
    """flytekit-java as a run names it: ``0.4.62 (3e1a617)`` or ``0.3.20 (Maven Central)``."""
    commit = flytekit_java_commit()
    return f"{flytekit_java()} ({commit[:7] if commit else 'Maven Central'})"


def line() -> str:
    return f"flytekit-java {java_label()}, flytekit {flytekit()}"
