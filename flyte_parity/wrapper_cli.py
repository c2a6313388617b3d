"""Argument handling of scripts/jflyte_wrapper.py: its own two options, then jflyte's arguments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

from . import jflyte
from .errors import UsageError


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
    return jflyte.run(invocation)
