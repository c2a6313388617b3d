"""An opt-in log of the SDK processes the harness starts, for benchmarks/parity_bench.py.

When FLYTE_PARITY_PROCESS_LOG names a file, every jflyte and Python SDK process the drivers
start appends one JSON line: its kind, command, working folder, the environment it ran with, its
wall time and how it was launched (``started``: a fresh process; ``forked``: a child of the
pyflyte-execute fork parent). Unset (the default), nothing is written. The file may hold secrets from the
environment: the benchmark keeps it in a private temporary folder and never prints it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from flyte_parity.sdk import launches

VARIABLE = "FLYTE_PARITY_PROCESS_LOG"
_lock = threading.Lock()


@contextmanager
def logged(kind: str, command: Sequence[str], cwd: str | Path | None, env: Mapping[str, str] | None,
           how: str = "started") -> Iterator[None]:
    """Time the process started inside the block and log it (when the log is on)."""
    target = os.environ.get(VARIABLE)
    started = time.monotonic()
    try:
        yield
    except launches.Stopped:  # refused: the run is stopping, no process started
        target = None
        raise
    finally:
        if target:
            line = json.dumps({"kind": kind, "command": list(command), "cwd": str(cwd or os.getcwd()),
                               "env": dict(env if env is not None else os.environ),
                               "seconds": round(time.monotonic() - started, 3), "how": how})
            with _lock, open(target, "a", encoding="utf-8") as out:
                out.write(line + "\n")
