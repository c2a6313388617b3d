"""The Python side: runs flytekit workflows in this process and types their outputs with TypeEngine."""

from __future__ import annotations

import ast
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from flyteidl.core import literals_pb2


from flyte_parity.sdk import launches, outcome, process_log
from flyte_parity.base import paths, versions
from flyte_parity.data.catalogue import TWINS, Case, PythonSource
from flyte_parity.sdk.capabilities import Limit
from flyte_parity.sdk.container import RunFolder
from flyte_parity.sdk.driver import Driver
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.fork_parent import ForkParent
from flyte_parity.sdk.interrupts import keep_ctrl_c
from flyte_parity.sdk.registration import Outcome, Target, read_outcome
from flyte_parity.sdk.pyflyte_serialize import IMAGE
from flyte_parity.sdk.results import (Record, code_version, file_digest, files_of, folder_digest, read_environment,
                                      write_files)

FORK_VARIABLE = "FLYTE_PARITY_FORK"  # "0": every pyflyte-execute run is a fresh process (no fork parent)

# Local runs must compute every time: a cached result would hide a changed task body.
os.environ.setdefault("FLYTE_LOCAL_CACHE_ENABLED", "false")


def load_workflow(ref: str) -> Any:
    """Import ``module:workflow``."""
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise UsageError(f"cannot import {module_name} for {ref}: {err}; check the catalogue's python entry") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UsageError(f"{module_name} has no {attr}; check the catalogue's python entry") from None


def module_files(source_root: Path, module: str) -> list[Path]:
    """The files importing ``module`` runs from ``source_root``: its own, its packages'
    ``__init__.py`` and, transitively, every module of ``source_root`` it imports (a twin that
    takes a task from another twin gives what that twin's file says)."""
    found: dict[str, Path] = {}

    def file_of(name: str) -> Path | None:
        base = source_root / Path(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def visit(name: str) -> None:
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            path = file_of(prefix)
            if path is None or prefix in found:
                continue
            found[prefix] = path
            package = prefix if path.name == "__init__.py" else prefix.rpartition(".")[0]
            stat = path.stat()
            for named in _imported(str(path), stat.st_size, stat.st_mtime_ns, package):
                visit(named)
    visit(module)
    return sorted(set(found.values()))


@lru_cache(maxsize=1024)
def _imported(path: str, size: int, mtime: int, package: str) -> tuple[str, ...]:
    """The absolute module names a file's import statements name (``from a import b``: a and a.b)."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError):
        return ()  # the run itself fails on it; its bytes are in the digest all the same
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base:
                names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return tuple(names)


def twin_digest(source_root: Path, module: str) -> str:
    """The digest of every file importing ``module`` runs from ``source_root`` (``module_files``)."""
    digest = hashlib.sha256()
    for path in module_files(source_root, module):
        digest.update(f"{path.relative_to(source_root)}\0{file_digest(path)}\0".encode())
    return digest.hexdigest()


class PythonDriver(Driver):
    """flytekit: local runs in this process, everything else through its own commands."""

    language = "python"
    entrypoint = "pyflyte-execute"
    LIMITS = (
        Limit("execute-local", "container-task", "flytekit runs a ContainerTask locally only through a Docker engine"),
    )

    def __init__(self, work_dir: Path | None = None, source_root: Path = paths.REPO_ROOT,
                 fork: bool | None = None) -> None:
        self.work_dir = work_dir
        # Whether pyflyte-execute runs are forked from the fork parent (None: unless FLYTE_PARITY_FORK=0).
        self.fork = os.environ.get(FORK_VARIABLE, "1") != "0" if fork is None else fork
        self.source_root = source_root  # where the twins' packages are imported from
        self._serialized: Path | None = None
        self._forks: ForkParent | None = None
        self._fork_lock = threading.Lock()
        self._serializing = threading.Lock()
        self._in_process = threading.Lock()  # flytekit's local runs share its context stack: one at a time
        self._import_scratch: Path | None = None  # where flytekit's import put its folders

    def build(self) -> None:
        self._import_flytekit()
        keep_ctrl_c()  # flytekit's import made Ctrl-C exit(1); a run must stop on it

    def _import_flytekit(self) -> None:
        """Import flytekit into this process. Its import makes temporary folders of its own (its
        local sandbox and raw-output folder): they go to a folder of the driver's, removed by close."""
        if "flytekit" not in sys.modules and self.work_dir is not None:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            self._import_scratch = Path(tempfile.mkdtemp(prefix="import-", dir=self.work_dir))
            saved, tempfile.tempdir = tempfile.tempdir, str(self._import_scratch)
            try:
                importlib.import_module("flytekit")
            finally:
                tempfile.tempdir = saved
        importlib.import_module("flytekit")

    def serialize(self, source: PythonSource = TWINS) -> Path:
        """Serialize every twin in one flytekit process (once per driver); returns the folder."""
        with self._serializing:
            return self._serialize(source.packages)

    def _serialize(self, packages: tuple[str, ...]) -> Path:
        if self._serialized is None:
            if self.work_dir is None:
                raise UsageError("the Python driver needs a work folder to serialize into")
            out = self.work_dir / "serialized"
            command = [sys.executable, "-m", "flyte_parity.sdk.pyflyte_serialize",
                       "--root", str(self.source_root), "--out", str(out), *packages]

            def run() -> Record:
                with self._scratch("serialize") as scratch:
                    env = {**os.environ, "TMPDIR": scratch}
                    with process_log.logged("python:serialize", command, paths.REPO_ROOT, env):
                        done = launches.run(command, env=env, cwd=paths.REPO_ROOT, timeout=600)
                return Record(done.returncode, done.stdout, done.stderr, files_of(out) if out.is_dir() else {})
            if self.results is None:
                result = run()
            else:  # kept by the twins' files (every module of the packages), flytekit and the driver code
                twins = {package: folder_digest(self.source_root / Path(*package.split(".")), "**/*.py")
                         for package in packages}
                result = self.results.through({"verb": "serialize", "packages": list(packages), "twins": twins,
                                               "flytekit": versions.flytekit(), "python": sys.version,
                                               "code": code_version(),
                                               "driver_env": read_environment(self._base_env())}, run)
                write_files(out, result.files)
            if result.exit_code != 0:
                tail = "\n".join(result.stderr.strip().splitlines()[-15:])
                raise RuntimeError(f"Python serialization exited {result.exit_code}:\n{tail}")
            self._serialized = out
        return self._serialized

    def register(self, source: PythonSource, target: Target, image: str | None = None) -> Outcome:
        """``pyflyte register`` of the twins into FlyteAdmin, non-fast (``--copy none``: no code
        upload, which admin's local storage could not take anyway), with the image serialize uses
        and a config file of its own, so no user configuration leaks in."""
        if self.work_dir is None:
            raise UsageError("the Python driver needs a work folder to register from")
        config = self.work_dir / f"pyflyte-{target.project}.yaml"
        config.write_text(f"admin:\n  endpoint: dns:///{target.address}\n  insecure: true\n", encoding="utf-8")
        command = [str(Path(sys.executable).with_name("pyflyte")), "--config", str(config), "register",
                   "--copy", "none", "--version", target.version, "--image", image or IMAGE,
                   "--project", target.project, "--domain", target.domain, *source.packages]
        env = {k: v for k, v in self._base_env().items() if not k.startswith("FLYTECTL_")}
        with self._scratch("register") as scratch:
            env["TMPDIR"] = scratch
            with process_log.logged("python:pyflyte-register", command, self.source_root, env):
                result = launches.run(command, env=env, cwd=self.source_root, timeout=600, stdin=subprocess.DEVNULL)
        return read_outcome(result.returncode, result.stdout + result.stderr)

    def _scratch(self, what: str) -> tempfile.TemporaryDirectory:
        """A temporary folder for one SDK run (a process's TMPDIR, or a local run's flytekit folders), in
        the work folder, removed after it."""
        if self.work_dir is not None:
            self.work_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix=f"tmp-{what}-", dir=self.work_dir, ignore_cleanup_errors=True)

    def run_local(self, case: Case) -> literals_pb2.LiteralMap:
        return self.run_workflow(case.pair.python, case.inputs)

    def run_workflow(self, ref: str, inputs: dict[str, Any]) -> literals_pb2.LiteralMap:
        """Call a workflow (``module:workflow``) locally; outputs as a LiteralMap. flytekit's local
        folders for the run are in a temporary folder of its own, removed after it. With a result
        store, a run whose key (``local_parts``) is unchanged is replayed: its outputs, or how it
        failed (``outcome.Replayed``)."""
        parts = self.local_parts(ref, inputs) if self.results is not None else None
        if parts is None:
            return self._run_workflow(ref, inputs, [])
        key = self.results.key(parts)
        found = self.results.get(key)
        if found is not None:
            if found.exit_code == 0:
                return literals_pb2.LiteralMap.FromString(found.files["outputs.pb"])
            raise outcome.Replayed(found.stdout, found.stderr)
        scratch: list[str] = []
        try:
            outputs = self._run_workflow(ref, inputs, scratch)
        except UsageError:
            raise
        except Exception as err:  # the SDK failed: kept as the outcome shows it
            label, detail = outcome.failure(err)
            if not any(folder in detail for folder in scratch):
                self.results.put(key, Record(1, label, detail))
            raise
        data = outputs.SerializeToString(deterministic=True)
        if not any(folder.encode() in data for folder in scratch):  # what names the run's own folder
            self.results.put(key, Record(0, "", "", {"outputs.pb": data}))
        return outputs

    def _run_workflow(self, ref: str, inputs: dict[str, Any], scratch: list[str]) -> literals_pb2.LiteralMap:
        self._import_flytekit()
        with self._in_process:
            workflow = load_workflow(ref)
            with self._scratch("local-run") as folder, local_folders(Path(folder)):
                scratch.append(folder)
                return outputs_to_literal_map(workflow, workflow(**inputs))

    def local_parts(self, ref: str, inputs: dict[str, Any]) -> dict | None:
        """What a local run's result is kept by: the workflow, its inputs (their types and values as
        Python prints them), every twin file importing its module runs, flytekit and Python, the
        driver code and the part of this process's environment flytekit reads (not the harness's
        own FLYTE_PARITY_* settings); None when the
        inputs do not print the same in another run (an object printed by its address)."""
        text = repr(sorted((name, type(value).__module__, type(value).__qualname__, value)
                           for name, value in inputs.items()))
        if " at 0x" in text:
            return None
        return {"verb": "local-run", "ref": ref, "inputs": text,
                "twin": twin_digest(self.source_root, ref.partition(":")[0]),
                "flytekit": versions.flytekit(), "python": sys.version, "code": code_version(),
                "driver_env": read_environment({k: v for k, v in os.environ.items()
                                                if not k.startswith("FLYTE_PARITY_")})}  # the harness's own

    def testee_parts(self, sources, task: str) -> dict:
        """flytekit and Python, every twin file importing the task's module runs, the driver code
        (the testee program is part of it) and the part of the environment a task reads."""
        return {"flytekit": versions.flytekit(), "python": sys.version, "code": code_version(),
                "twin": twin_digest(self.source_root, task.partition(":")[0]),
                "driver_env": read_environment(self._base_env())}

    def result_parts(self, task) -> dict:
        """flytekit and Python, the twin module the task loads, the driver code and the part of the
        environment a task reads."""
        args = list(task.template.container.args)
        module = args[args.index("task-module") + 1] if "task-module" in args else ""
        return {"flytekit": versions.flytekit(), "python": sys.version, "module": module,
                "twin": twin_digest(self.source_root, module) if module else "",
                "code": code_version(), "driver_env": read_environment(self._base_env())}

    def _run_task(self, args: list[str], env: dict[str, str], folder: RunFolder) -> tuple[int, str, str]:
        """``pyflyte-execute``, forked from the fork parent when its environment allows, else a
        fresh process; its temporary files go to the run's own folder (its TMPDIR), removed after it."""
        command = [str(Path(sys.executable).with_name("pyflyte-execute")), *args]
        child_env = {**self._base_env(), "TMPDIR": str(folder.scratch), **env}
        parent = self._fork_parent(child_env)
        folder.scratch.mkdir(parents=True, exist_ok=True)
        try:
            with process_log.logged("python:pyflyte-execute", command, self.source_root, child_env,
                                    how="forked" if parent else "started"):
                if parent is not None:
                    result = parent.run(command, child_env, self.source_root)
                else:
                    result = launches.run(command, env=child_env, cwd=self.source_root, timeout=600,
                                          stdin=subprocess.DEVNULL)
        finally:
            shutil.rmtree(folder.scratch, ignore_errors=True)
        return result.returncode, result.stdout, result.stderr

    def testee(self, sources, env, logs: Path, cpu: int | None = None):
        """``python -m flyte_parity.sdk.python_testee`` in the twins' environment (``sdk.testee``),
        kept to core ``cpu`` when given (see the testee)."""
        from flyte_parity.sdk.testee import Testee
        logs.mkdir(parents=True, exist_ok=True)
        name = "python" + "".join(f"-{k}={v}" for k, v in sorted(env.items()))
        command = [sys.executable, "-m", "flyte_parity.sdk.python_testee"]
        project = str(paths.REPO_ROOT)  # the testee program itself
        testee_env = self._base_env()
        testee_env["PYTHONPATH"] = os.pathsep.join([testee_env["PYTHONPATH"], project])
        scratch = Path(tempfile.mkdtemp(prefix="flyte-parity-testee-", dir=logs))  # flytekit's folders go here
        testee_env["TMPDIR"] = str(scratch)
        if cpu is not None:
            testee_env["FLYTE_PARITY_TESTEE_CPU"] = str(cpu)
        return Testee(name, command, {**testee_env, **env}, cwd=self.source_root, log=logs / f"{name}.log",
                      scratch=scratch)

    def _base_env(self) -> dict[str, str]:
        """The environment every task run starts from: this process's, without FLYTE_* settings and
        without pytest's per-test PYTEST_* variables (a task's container has neither)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "PYTEST_"))}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.source_root), env.get("PYTHONPATH")]))
        return env

    def _fork_parent(self, env: dict[str, str]) -> ForkParent | None:
        """The fork parent for a run with ``env`` (started on first use), or None: forking is off
        (FLYTE_PARITY_FORK=0) or ``env`` differs from the parent's in what flytekit reads at import."""
        if not self.fork:
            return None
        with self._fork_lock:
            if self._forks is None:
                self._forks = ForkParent(self._base_env(), self.source_root)
        return self._forks if self._forks.fits(env) else None

    def close(self) -> None:
        """Stop the fork parent, if one was started, and remove the folders flytekit's import made."""
        with self._fork_lock:
            forks, self._forks = self._forks, None
        if forks is not None:
            forks.close()
        if self._import_scratch is not None:
            shutil.rmtree(self._import_scratch, ignore_errors=True)


@contextmanager
def local_folders(root: Path) -> Iterator[None]:
    """flytekit's current context with its local folders (sandbox, raw outputs, task working folders)
    under ``root``; otherwise a local run writes into the folders flytekit made at import in the
    system's temporary folder, which nothing removes."""
    from flytekit.core.context_manager import ExecutionParameters, ExecutionState, FlyteContextManager
    from flytekit.core.data_persistence import FileAccessProvider

    ctx = FlyteContextManager.current_context()
    files = FileAccessProvider(local_sandbox_dir=str(root / "sandbox"), raw_output_prefix=str(root / "raw"),
                               data_config=ctx.file_access.data_config)
    params = ExecutionParameters.new_builder(ctx.user_space_params)
    params.working_dir = str(root / "user_space")
    params.raw_output_prefix = files.raw_output_prefix
    state = ExecutionState(working_dir=files.local_sandbox_dir, user_space_params=params.build())
    with FlyteContextManager.with_context(ctx.with_file_access(files).with_execution_state(state)):
        yield


def outputs_to_literal_map(workflow: Any, result: Any) -> literals_pb2.LiteralMap:
    """A local workflow result as a flyteidl LiteralMap, typed by the workflow's Python interface."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    hints = dict(workflow.python_interface.outputs)
    names = list(hints)
    if hasattr(result, "_fields"):
        values = dict(zip(result._fields, result))
    elif len(names) == 1:
        values = {names[0]: result}
    elif result is None and not names:
        values = {}
    else:
        values = dict(zip(names, result))
    ctx = FlyteContextManager.current_context()
    return TypeEngine.dict_to_literal_map(ctx, values, type_hints=hints).to_flyte_idl()
