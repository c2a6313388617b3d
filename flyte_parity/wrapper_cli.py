"""Argument handling of scripts/jflyte_wrapper.py: its own two options, then jflyte's arguments;
after ``register``, what FlyteAdmin now holds (read back from admin), or why it refused, in one
line per entity kind."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import signal

from flyte_parity.sdk import jflyte
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.registration import read_outcome


def split_args(argv: Sequence[str]) -> tuple[Path | None, bool, list[str]]:
    """Take ``--env-file PATH``/``--env-file=PATH`` and ``--debug``; the rest goes to jflyte."""
    env_file: Path | None = None
    debug = False
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--env-file":
            if i + 1 >= len(items):
                raise UsageError("--env-file needs a path: pass --env-file PATH")
            env_file = Path(items[i + 1])
            i += 2
            continue
        if arg.startswith("--env-file="):
            env_file = Path(arg.split("=", 1)[1])
        elif arg == "--debug":
            debug = True
        else:
            rest.append(arg)
        i += 1
    return env_file, debug, rest


def main(argv: Sequence[str]) -> int:
    try:
        env_file, debug, args = split_args(argv)
        invocation = jflyte.prepare(args, env_file=env_file)
    except UsageError as err:
        print(f"jflyte_wrapper: {err}", file=sys.stderr)
        return err.exit_code
    if debug:
        print(f"jflyte_wrapper: {invocation.describe()}", file=sys.stderr)
    if jflyte.subcommand(args) != "register":
        return jflyte.run(invocation)
    printed: list[str] = []
    code = jflyte.run(invocation, keep=printed)
    for line in register_summary(invocation, code, "".join(printed)):
        print(f"jflyte_wrapper: {line}", file=sys.stderr)
    return code


def register_summary(invocation: jflyte.Invocation, code: int, printed: str) -> list[str]:
    """What a ``register workflows`` call left in admin, counted from admin's own answers; on
    failure admin's status and message (or the crash) instead."""
    if code == 128 + signal.SIGINT:
        return []
    if code != 0:
        outcome = read_outcome(code, printed)
        return [f"register failed: {outcome.label()}" + (f" (exit {code})" if outcome.status or outcome.crash else "")]
    args = invocation.args
    project, domain, version = (jflyte.option_value(args, names) for names in
                                (("-p", "--project"), ("-d", "--domain"), ("-v", "--version")))
    address = invocation.env.get("FLYTE_PLATFORM_URL", "")
    insecure = invocation.env.get("FLYTE_PLATFORM_INSECURE", "").strip().lower() == "true"
    if not (project and domain and version and address):
        return []
    try:  # gRPC and flyteidl come with the project's virtualenv; the wrapper itself needs neither
        from flyte_parity.services.admin_client import AdminError, count_registered
    except ImportError:
        return ["registered (exit 0); to see what admin now holds, run the wrapper with the project's "
                "virtualenv: .venv/bin/python scripts/jflyte_wrapper.py"]
    try:
        counts = count_registered(address, project, domain, version, secure=not insecure)
    except AdminError as err:
        return [f"registered (exit 0), but admin could not be read back: {err}"]
    return counts.lines()
