"""Which SDK versions a run uses: flytekit as installed, flytekit-java as built (read from the jar
names the JVM build laid out, not from the pom's default, so a -Dflytekit.version override shows)."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

from . import paths

_JAR = re.compile(r"^jflyte-(\d[^/]*)\.jar$")


def flytekit() -> str:
    try:
        return version("flytekit")
    except PackageNotFoundError:
        return "not installed"


def flytekit_java() -> str:
    """The jflyte version in the built jflyte folder ('not built' when there is none)."""
    found = sorted(m.group(1) for p in paths.JFLYTE_LIB.glob("jflyte-*.jar") if (m := _JAR.match(p.name)))
    return found[-1] if found else "not built"


def line() -> str:
    return f"flytekit-java {flytekit_java()}, flytekit {flytekit()}"
