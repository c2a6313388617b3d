"""Twins of the JVM process-contract tasks: one ends its process with exit code 3, one counts its
runs in module state (every run is a process of its own, so it always returns 1)."""

import sys

from flytekit import task

_RUNS = {"count": 0}


@task
def exit_three(value: int) -> int:
    sys.exit(3)
    return value


@task
def static_counter(value: int) -> int:
    _RUNS["count"] += 1
    return _RUNS["count"]
