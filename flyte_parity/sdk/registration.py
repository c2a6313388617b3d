"""Where a registration goes and how it ended (pure data, shared by the drivers and the register mode).

``Target`` is a FlyteAdmin endpoint with the project, domain and version one SDK registers into,
and where jflyte stages its jars. ``Outcome`` is how one registration ended: registered; refused
with admin's gRPC status and the first line of its message, as read from what the registering
process printed (jflyte: a ``StatusRuntimeException``; pyflyte: ``RPC Failed, with Status``); a
crash (a Go ``panic:`` of flytectl, a Java exception); or else the process's exit code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_JVM_STATUS = re.compile(r"StatusRuntimeException: ([A-Z_]+)(?:: *(.*))?")
_PYTHON_STATUS = re.compile(r"Status: StatusCode\.([A-Z_]+)")
_PYTHON_DETAILS = re.compile(r"Details: *(.*)")
_GO_STATUS = re.compile(r"rpc error: code = (\w+) desc = ([^|\n]*)")
_PANIC = re.compile(r"^panic: (.*)$", re.M)
_JAVA_EXCEPTION = re.compile(r"^Exception in thread \"main\" (.*)$", re.M)


@dataclass(frozen=True)
class Target:
    """A FlyteAdmin endpoint (insecure gRPC ``host:port``) and where one registration goes."""

    address: str
    project: str
    domain: str
    version: str
    staging: str = ""  # jflyte's FLYTE_STAGING_LOCATION (a file:// folder admin's storage serves, or s3://...)
    env: tuple[tuple[str, str], ...] = ()  # what reaching the staging location needs (FLYTE_AWS_*), as pairs

    def at(self, project: str) -> "Target":
        return replace(self, project=project)

    def where(self) -> str:
        return f"project {self.project}, domain {self.domain}, version {self.version}"


@dataclass(frozen=True)
class Outcome:
    """How one registration ended."""

    code: int  # the process's exit code
    status: str = ""  # admin's gRPC status name when it refused something (INVALID_ARGUMENT, ...)
    message: str = ""  # the first line of admin's message
    log: str = ""  # the tail of what the process printed
    crash: str = ""  # the first line of a crash (a Go panic, an uncaught Java exception)

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.status

    def label(self) -> str:
        """One line, stable enough to be a ledger value: registered, or how it failed."""
        if self.ok:
            return "registered"
        if self.status:
            return f"refused: {self.status}: {self.message}" if self.message else f"refused: {self.status}"
        if self.crash:
            return f"crashed: {self.crash}"
        return f"failed: exit {self.code}"


def read_outcome(code: int, output: str) -> Outcome:
    """The outcome of a jflyte or pyflyte registration from its exit code and what it printed."""
    tail = "\n".join(output.strip().splitlines()[-20:])
    jvm = _JVM_STATUS.search(output)
    if jvm:
        return Outcome(code, jvm.group(1), (jvm.group(2) or "").strip(), tail)
    python = _PYTHON_STATUS.search(output)
    if python:
        details = _PYTHON_DETAILS.search(output[python.end():])
        return Outcome(code, python.group(1), details.group(1).strip() if details else "", tail)
    go = _GO_STATUS.search(output)
    if go:  # flytectl: a gRPC status in Go's spelling (InvalidArgument)
        status = re.sub(r"(?<!^)(?=[A-Z])", "_", go.group(1)).upper()
        return Outcome(code, status, go.group(2).strip(), tail)
    crash = _PANIC.search(output) or _JAVA_EXCEPTION.search(output)
    return Outcome(code, "", "", tail, crash.group(0).strip() if crash else "")
