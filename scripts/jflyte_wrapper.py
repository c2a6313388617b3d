#!/usr/bin/env python3
"""jflyte on the local JVM, no Docker.

Usage: python scripts/jflyte_wrapper.py [--env-file PATH] [--debug] <jflyte arguments...>
       python scripts/jflyte_wrapper.py --help

Loads .env.local from the current folder (or --env-file), fills harmless defaults, checks the
call and its settings, then runs `java ... org.flyte.jflyte.Main jflyte <arguments>` and returns
its exit code. Every other argument goes to jflyte unchanged. jflyte's full output goes to a log
file; a failure ends with one line naming the cause and the fix. Secret values never appear.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flyte_parity.wrapper_cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
