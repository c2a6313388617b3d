"""Flyte's own client on the CI/CD path: ``flytectl register files`` of serialized entities.

The binary: ``FLYTECTL_BIN``, else ``.tools/bin/flytectl`` (``make flytectl``). It is
given a config file of its own (admin endpoint, insecure) so a user's ~/.flyte config never
leaks in, and registers the files in the order given (jflyte and pyflyte number them so that
tasks come before the workflows and launch plans that use them).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Sequence

from flyte_parity.base import paths
from flyte_parity.sdk import process_log
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.registration import Outcome, Target, read_outcome

BIN_VARIABLE = "FLYTECTL_BIN"
TOOLS_BINARY = paths.REPO_ROOT / ".tools" / "bin" / "flytectl"


def flytectl_binary() -> Path:
    """The flytectl executable; a UsageError naming FLYTECTL_BIN and `make flytectl` when there is none."""
    return paths.tool_binary(BIN_VARIABLE, TOOLS_BINARY, "flytectl", "make flytectl")


def ordered(files: Sequence[Path]) -> list[Path]:
    """Serialized files in their writer's order: by the number before the first ``_``."""
    def key(path: Path):
        number = path.name.split("_", 1)[0]
        return (int(number) if number.isdigit() else float("inf"), path.name)
    return sorted(files, key=key)


def register_files(files: Sequence[Path], target: Target, work_dir: Path, binary: Path | None = None) -> Outcome:
    """``flytectl register files`` of ``files`` into ``target``; how it ended."""
    binary = binary or flytectl_binary()
    if not files:
        raise UsageError(f"nothing to register with flytectl in {work_dir}: the serialization wrote no .pb file")
    work_dir.mkdir(parents=True, exist_ok=True)
    config = work_dir / "flytectl.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{target.address}\n  insecure: true\n", encoding="utf-8")
    command = [str(binary), "--config", str(config), "register", "files", "--project", target.project,
               "--domain", target.domain, "--version", target.version, *map(str, ordered(files))]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "AWS_"))}
    env["HOME"] = str(work_dir)  # no ~/.flyte of the user's
    with process_log.logged("flytectl:register", command, work_dir, env):
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work_dir, timeout=300,
                                stdin=subprocess.DEVNULL)
    return read_outcome(result.returncode, result.stdout + result.stderr)
