"""SDK results kept by everything that produced them (``.flyte-parity/results``).

A task run through an entrypoint, a serialization, an ``execute-local`` run or a local flytekit
run is keyed by what can change its result: the command (a task's template, with its arguments
and environment, and its inputs; a workflow and its inputs), the environment the driver gives
it, the digests of the files it reads (a JVM source's jars; a task's staged jars are named by
their digests in the template; every Python twin module a task, a workflow or a serialization
loads), the SDK build (flytekit-java version, commit and the digest of jflyte's jars and
modules; flytekit's version; the JDK and the Python), and the digest of the project's own driver
code. A hit replays what the run left (exit code, streams, the files it wrote); a miss runs the
process as ever and records it. Runs against a FlyteAdmin are never kept (the server's state is
part of their input). A testee's answers to a batch of generated values are kept by the
testee's build and the requests (``sdk.testee.kept``); the values mode draws under the seed
kept here (``kept_seed``), so a rerun sends the same values. The store is the session's choice:
off in CI, with ``--no-result-cache``, emptied by ``make clean-results``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from flyte_parity.base import paths

FORMAT = 1  # bumped when what a record holds changes
# Variables of the driver's own environment a task can read and that can change what it gives;
# the rest of the environment (terminal, shell, pytest's own) cannot, and would only make keys vary.
READ = ("FLYTE", "JAVA", "_JAVA", "JDK_JAVA", "PYTHON", "LANG", "LC_", "TZ", "HADOOP", "AWS_", "GOOGLE_")


def default_root() -> Path:
    """Where the store lives: $FLYTE_PARITY_RESULTS, else .flyte-parity/results."""
    chosen = os.environ.get("FLYTE_PARITY_RESULTS", "").strip()
    return Path(chosen) if chosen else paths.REPO_ROOT / ".flyte-parity" / "results"


@lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """A file's content digest (read once per process for the same size and time)."""
    stat = path.stat()
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


def folder_digest(folder: Path, pattern: str = "**/*") -> str:
    """The digest of every file under ``folder`` matching ``pattern``: names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.glob(pattern) if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{file_digest(path)}\0".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """The digest of the project's own driver code (every module the drivers are made of), once per
    process: the code a process runs is the code it loaded."""
    root = paths.REPO_ROOT / "flyte_parity"
    digest = hashlib.sha256()
    for folder in ("base", "sdk"):
        digest.update(folder_digest(root / folder, "**/*.py").encode())
    return digest.hexdigest()


def read_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The part of a driver's environment a task reads (``READ``)."""
    return {k: v for k, v in sorted(env.items()) if k.startswith(READ)}


@dataclass
class Record:
    """What one SDK invocation left: its exit code, its streams and the files it wrote."""

    exit_code: int
    stdout: str
    stderr: str
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> contents


class ResultStore:
    """The store, and how many of this session's invocations it replayed and recorded."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.replayed = 0
        self.recorded = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(parts: Mapping[str, Any]) -> str:
        text = json.dumps({"format": FORMAT, **parts}, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _folder(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> Record | None:
        """The record kept for ``key`` (counted as replayed), or None."""
        found = self.peek(key)
        if found is not None:
            self.count_replayed()
        return found

    def count_replayed(self) -> None:
        with self._lock:
            self.replayed += 1

    def peek(self, key: str) -> Record | None:
        """The record kept for ``key``, not counted (the caller may still decide to run)."""
        folder = self._folder(key)
        try:
            meta = json.loads((folder / "record.json").read_text(encoding="utf-8"))
            files = {name: (folder / "files" / name).read_bytes() for name in meta["files"]}
        except (OSError, ValueError, KeyError):
            return None
        return Record(meta["exit_code"], meta["stdout"], meta["stderr"], files)

    def put(self, key: str, record: Record) -> None:
        folder = self._folder(key)
        if folder.exists():
            return
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=folder.parent))
        try:
            for name, data in record.files.items():
                target = staging / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            (staging / "record.json").write_text(json.dumps(
                {"exit_code": record.exit_code, "stdout": record.stdout, "stderr": record.stderr,
                 "files": sorted(record.files)}, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, folder)
        except OSError:
            return  # another worker recorded it first, or the disk refused: the run's result stands
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        with self._lock:
            self.recorded += 1

    def kept_seed(self) -> int:
        """A random seed kept with the results (made on first use): a generated-values search under
        it draws the same values in every run that uses this store, so their answers replay too;
        ``make clean-results`` makes a new one."""
        path = self.root / "seed"
        for _ in range(2):
            try:
                return int(path.read_text(encoding="utf-8").strip())
            except (OSError, ValueError):
                pass
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "x", encoding="utf-8") as handle:  # the first session to get here makes it
                    handle.write(f"{int.from_bytes(os.urandom(4), 'big')}\n")
            except FileExistsError:
                pass
        raise OSError(f"cannot keep a seed in {path}; remove it (make clean-results)")

    def through(self, parts: Mapping[str, Any], run: Callable[[], Record],
                usable: Callable[[Record], bool] = lambda record: True) -> Record:
        """The recorded result for ``parts`` when ``usable`` says it still holds (what it names is
        still there), else ``run()``'s, recorded."""
        key = self.key(parts)
        found = self.peek(key)
        if found is not None and usable(found):
            self.count_replayed()
            return found
        record = run()
        if found is not None:  # no longer holds: this run's record takes its place
            shutil.rmtree(self._folder(key), ignore_errors=True)
        self.put(key, record)
        return record


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> contents)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
