"""Benchmark of the local parity modes: how long a warm run over the whole catalogue takes, how
many JVM and Python processes it starts, and how that compares with running the very same SDK
invocations bare (no harness), one after the other, in the same benchmark run.

    python benchmarks/parity_bench.py [--no-replay] [--pytest-args "..."]

Steps: (1) `make setup` (the suite's own set-up), then the Maven build is checked to be up to date
(a rerun with nothing changed must not rebuild a module); (2) the local modes' tests
(execute-local, idl, entrypoint, the type table and error contract) run once to warm caches,
then once measured with FLYTE_PARITY_PROCESS_LOG on; (3) every logged invocation is replayed bare
and timed. Figures go to standard output; docs/performance.md records a run. Not a test: nothing
here passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_MODE_TESTS = ["tests/parity/test_execute_local.py", "tests/parity/test_idl.py",
                    "tests/parity/test_entrypoint.py", "tests/parity/test_types.py",
                    "tests/parity/test_error_contract.py"]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, **kwargs)


def _jar_stamps() -> dict[str, float]:
    return {str(p.relative_to(ROOT)): p.stat().st_mtime for p in sorted((ROOT / "jvm").glob("**/target/*.jar"))}


def _pytest(extra: list[str], env: dict[str, str]) -> tuple[float, int]:
    command = [str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", *LOCAL_MODE_TESTS, *extra]
    started = time.monotonic()
    result = _run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-replay", action="store_true", help="skip the bare replay (ratio from in-harness times)")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, e.g. '-n 2'")
    options = parser.parse_args()
    extra = shlex.split(options.pytest_args)

    print("==> set-up: make setup (Python and JVM, stamped)", flush=True)
    if _run(["make", "-s", "setup"]).returncode != 0:
        print("make setup failed; run it alone to see why", file=sys.stderr)
        return 2
    before = _jar_stamps()
    question = _run(["make", "-q", "jvm"]).returncode  # 0: the stamped JVM build is up to date
    started = time.monotonic()
    _run(["make", "-s", "setup"], stdout=subprocess.DEVNULL)
    setup_seconds = time.monotonic() - started
    rebuilt = sorted(k for k, v in _jar_stamps().items() if before.get(k) != v)

    with tempfile.TemporaryDirectory(prefix="parity-bench-") as private:
        os.chmod(private, 0o700)
        log = Path(private) / "processes.jsonl"
        print("==> warm-up run of the local modes", flush=True)
        _pytest(extra, dict(os.environ))
        print("==> measured run", flush=True)
        wall, code = _pytest(extra, {**os.environ, "FLYTE_PARITY_PROCESS_LOG": str(log)})
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        in_harness = sum(e["seconds"] for e in entries)
        bare = None
        if not options.no_replay:
            print(f"==> replaying {len(entries)} invocations bare, one after the other", flush=True)
            bare = 0.0
            for entry in entries:
                begun = time.monotonic()
                subprocess.run(entry["command"], cwd=entry["cwd"], env=entry["env"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                bare += time.monotonic() - begun

    kinds = Counter(e["kind"] for e in entries)
    jvm = sum(n for k, n in kinds.items() if k.startswith("jvm:"))
    python = sum(n for k, n in kinds.items() if k.startswith("python:"))
    print()
    print(f"local modes, warm: {wall:.1f} s wall (pytest exit {code}; target <= 60 s)")
    print(f"processes: {jvm} JVM, {python} Python  ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(f"  jflyte serialize per JVM source: {kinds.get('jvm:serialize workflows', 0)} for "
          f"{_sources()} sources (target: one each); Python serialization processes: "
          f"{kinds.get('python:serialize', 0)} (target: 1)")
    print(f"tool time inside the harness: {in_harness:.1f} s (summed; the harness runs up to two at once)")
    if bare is not None:
        print(f"bare replay of the same invocations: {bare:.1f} s; harness/bare = {wall / bare:.2f} (target <= 1.3)")
    print(f"rerun with nothing changed: make setup {setup_seconds:.1f} s; `make -q jvm` says "
          f"{'up to date' if question == 0 else 'would rebuild'}; jars rewritten: {len(rebuilt)}")
    return 0


def _sources() -> int:
    import tomllib

    catalogue = tomllib.loads((ROOT / "tests" / "parity" / "catalogue.toml").read_text(encoding="utf-8"))
    return len(catalogue.get("sources", {}))


if __name__ == "__main__":
    sys.exit(main())
