"""The JVM side: builds the Maven reactor and runs workflows through jflyte on the local JVM.

Outputs printed by ``jflyte execute-local`` are typed by the workflow's declared interface, read
from what ``jflyte serialize workflows`` emits for that workflow (one serialize per JVM source).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any, Mapping

from flyteidl.admin import workflow_pb2
from flyteidl.core import interface_pb2, literals_pb2, types_pb2


from flyte_parity.sdk import jflyte, jvm_build
from flyte_parity.base import paths, versions
from flyte_parity.data.catalogue import Case, JvmSource
from flyte_parity.sdk.capabilities import Limit
from flyte_parity.sdk.container import RunFolder
from flyte_parity.sdk.driver import Driver
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk.jflyte_outputs import extract_outputs_text, parse_outputs
from flyte_parity.sdk.registration import Outcome, Target, read_outcome
from flyte_parity.sdk.results import (Record, code_version, file_digest, files_of, folder_digest, read_environment,
                                      write_files)


class JvmRunError(RuntimeError):
    """jflyte ran but failed; the message holds the tail of what it printed."""

    def __init__(self, message: str, returncode: int | None = None) -> None:
        super().__init__(message)
        self.returncode = returncode

    def label(self) -> str:
        """How jflyte failed, in a form stable enough to be a ledger value."""
        return f"jflyte exited {self.returncode}" if self.returncode is not None else "jflyte failed"


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class JvmDriver(Driver):
    """flytekit-java through jflyte."""

    language = "jvm"
    entrypoint = "jflyte"
    IMITATION_ENV = tuple(f"FLYTE_INTERNAL_{prefix}{name}" for prefix in ("", "TASK_")
                          for name in ("PROJECT", "DOMAIN", "VERSION"))
    LIMITS = (
        Limit("execute-local", "task", "jflyte execute-local runs workflows, not single tasks"),
        Limit("execute-local", "launch-plan", "jflyte execute-local runs workflows, not launch plans"),
        Limit("execute-local", "dynamic", "jflyte execute-local cannot run a dynamic task (it fails with "
              "NullPointerException: Couldn't find task [<the dynamic task>])"),
        Limit("execute-local", "container-task", "jflyte execute-local cannot run a container task (it fails with "
              "NullPointerException: Couldn't find task [<the container task>])"),
    )

    def __init__(self, work_dir: Path, progress: IO[str] | None = None) -> None:
        self.work_dir = work_dir
        self.progress = progress or sys.stderr
        self._serialized: dict[str, Path] = {}
        self._interfaces: dict[tuple[str, str], interface_pb2.TypedInterface] = {}
        self._serializing = threading.Lock()  # task runs come from several threads: one serialization each

    def build(self) -> None:
        """flytekit-java and the JVM reactor, as `make jvm` builds them (cached per build)."""
        jvm_build.ensure(progress=self.progress)

    def _jflyte(self, args: list[str], extra_env: Mapping[str, str] | None = None,
                java_options: list[str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {**_clean_env(), **(extra_env or {})}
        invocation = jflyte.prepare(args, base_env=env, cwd=paths.REPO_ROOT, progress=self.progress)
        invocation.java_options = list(java_options or [])
        return jflyte.run_captured(invocation)

    def serialize(self, source: JvmSource) -> Path:
        """Serialize every workflow of a JVM source once; returns the folder of .pb files."""
        with self._serializing:
            if source.name not in self._serialized:
                out = self.work_dir / "serialized" / source.name
                out.mkdir(parents=True, exist_ok=True)
                args = ["serialize", "workflows", f"-cp={source.lib}", "-f", str(out)]

                def run() -> Record:
                    done = self._jflyte(args)
                    return Record(done.returncode, done.stdout, done.stderr, files_of(out))
                if self.results is None:
                    result = run()
                else:  # kept while the jars it staged are still in the staging folder the files name
                    parts = {"verb": "serialize", "args": ["serialize", "workflows", f"-cp={source.lib}"],
                             "lib": folder_digest(Path(source.lib)), **self._runtime()}
                    result = self.results.through(parts, run, usable=lambda record: _staged(record.files))
                    write_files(out, result.files)
                if result.exit_code != 0:
                    raise JvmRunError(f"jflyte serialize for {source.name} exited {result.exit_code}:\n"
                                      f"{_tail(result.stderr)}")
                self._serialized[source.name] = out
            return self._serialized[source.name]

    def interface(self, source: JvmSource, workflow: str) -> interface_pb2.TypedInterface:
        """The declared interface of a JVM workflow, from its serialized WorkflowSpec."""
        key = (source.name, workflow)
        if key not in self._interfaces:
            folder = self.serialize(source)
            matches = sorted(folder.glob(f"*_{workflow}_2.pb"))
            if not matches:
                raise UsageError(f"{source.name} has no workflow {workflow}: check the class name in the catalogue")
            spec = workflow_pb2.WorkflowSpec()
            spec.ParseFromString(matches[0].read_bytes())
            self._interfaces[key] = spec.template.interface
        return self._interfaces[key]

    def run_local(self, case: Case) -> literals_pb2.LiteralMap:
        """``jflyte execute-local`` on the case's inputs; outputs typed by the declared interface."""
        pair = case.pair
        iface = self.interface(pair.source, pair.jvm)
        arguments = {}
        for name, value in case.inputs.items():
            if name not in iface.inputs.variables:
                raise UsageError(f"{case.id}: {pair.jvm} has no input {name!r}; fix the catalogue inputs")
            arguments[name] = render_input(value, iface.inputs.variables[name].type)
        return self.execute_local(pair.source, pair.jvm, arguments)

    def execute_local(self, source: JvmSource, workflow: str, arguments: Mapping[str, str]) -> literals_pb2.LiteralMap:
        """``jflyte execute-local --<name>=<text>`` for each argument; outputs typed by the
        workflow's declared interface."""
        iface = self.interface(source, workflow)
        args = ["execute-local", f"-cp={source.lib}", f"--workflow={workflow}"]
        args += [f"--{name}={text}" for name, text in arguments.items()]
        if self.results is None:
            result = self._jflyte(args)
        else:
            def run() -> Record:
                done = self._jflyte(args)
                return Record(done.returncode, done.stdout, done.stderr)
            record = self.results.through({"verb": "execute-local", "args": args, "lib": folder_digest(source.lib),
                                           **self._runtime()}, run)
            result = subprocess.CompletedProcess(args, record.exit_code, record.stdout, record.stderr)
        if result.returncode != 0:
            raise JvmRunError(f"jflyte execute-local {workflow} exited {result.returncode}:\n{_tail(result.stderr)}",
                              result.returncode)
        types = {name: var.type for name, var in iface.outputs.variables.items()}
        return parse_outputs(extract_outputs_text(result.stderr), types)

    def register(self, source: JvmSource, target: Target, image: str | None = None) -> Outcome:
        """``jflyte register workflows`` of a JVM source into FlyteAdmin, as a user runs it through
        the wrapper: jars staged to ``target.staging``, then every task, workflow and launch plan
        created (``image``: the tasks' container image, jflyte's FLYTE_INTERNAL_IMAGE)."""
        result = self._jflyte(["register", "workflows", f"-p={target.project}", f"-d={target.domain}",
                               f"-v={target.version}", f"-cp={source.lib}"],
                              {"FLYTE_PLATFORM_URL": target.address, "FLYTE_PLATFORM_INSECURE": "true",
                               "FLYTE_STAGING_LOCATION": target.staging, **dict(target.env),
                               **({"FLYTE_INTERNAL_IMAGE": image} if image else {})})
        return read_outcome(result.returncode, result.stdout + result.stderr)

    def testee(self, sources, env, logs: Path, cpu: int | None = None):
        """The JVM testee (jvm/parity-testee) on jflyte's class path, running these sources' tasks with
        the task identity variables a ``jflyte execute`` run gets (``sdk.testee``); ``cpu`` is not
        used (the JVM's own threads compile and collect on the other cores)."""
        from flyte_parity.sdk.testee import Testee
        jflyte.ensure_jflyte_dist(self.progress)  # the build in use, as every jflyte call finds it
        lib = paths.jvm_build() / "lib" / "parity-testee"
        if not any(lib.glob("*.jar")):
            raise UsageError(f"the JVM testee is not built ({lib} holds no jar); run `make jvm`")
        logs.mkdir(parents=True, exist_ok=True)
        identity = dict(zip(self.IMITATION_ENV, [value for _ in ("", "TASK_") for value in
                                                 ("flyte-parity", "development", "local")]))
        base = {**_clean_env(), **identity, **env}
        java = jflyte.find_java(base)
        classpath = os.pathsep.join([str(paths.jflyte_lib() / "*"), str(lib / "*")])
        scratch = Path(tempfile.mkdtemp(prefix="flyte-parity-testee-", dir=logs))
        command = [java, "-Xlog:disable", "-Xlog:all=warning:stderr", f"-Djava.io.tmpdir={scratch}", "-cp", classpath,
                   "dev.flyteparity.testee.Testee", *(str(source.lib) for source in sources)]
        return Testee("jvm", command, {**base, "TMPDIR": str(scratch)}, cwd=paths.REPO_ROOT, log=logs / "jvm.log",
                      scratch=scratch)

    def testee_parts(self, sources, task: str) -> dict:
        """jflyte's build and the JDK (``_runtime``), the testee's jars and every source's jars."""
        return {**self._runtime(), "testee": folder_digest(paths.jvm_build() / "lib" / "parity-testee"),
                "sources": {source.name: folder_digest(Path(source.lib)) for source in sources}}

    def result_parts(self, task) -> dict:
        """A JVM task's jars are in its template (staged under names that hold their digests); the
        rest is jflyte's build and the JDK."""
        return self._runtime()

    def _runtime(self) -> dict:
        """jflyte's build (version, commit, the digest of its jars and modules), the JDK, the
        driver code and the part of the environment a JVM reads."""
        java = Path(jflyte.find_java(os.environ)).resolve()
        release = java.parent.parent / "release"
        return {"flytekit_java": versions.flytekit_java(), "commit": versions.flytekit_java_commit(),
                "jflyte": folder_digest(paths.jflyte_lib()), "modules": folder_digest(paths.jflyte_modules()),
                "java": [str(java), file_digest(release) if release.is_file() else file_digest(java)],
                "code": code_version(), "driver_env": read_environment(_clean_env())}

    def _run_task(self, args: list[str], env: dict[str, str], folder: RunFolder) -> tuple[int, str, str]:
        """``jflyte execute`` with the task's identity variables propeller sets; its staged jars come
        through our file-system plug-in, and its temporary files go to the run's own folder."""
        identity = dict(zip(self.IMITATION_ENV, [value for _ in ("", "TASK_") for value in
                                             ("flyte-parity", "development", "local")]))
        folder.scratch.mkdir(parents=True, exist_ok=True)
        try:
            result = self._jflyte(args, {**env, **identity}, [f"-Djava.io.tmpdir={folder.scratch}"])
        finally:
            shutil.rmtree(folder.scratch, ignore_errors=True)
        return result.returncode, result.stdout, result.stderr


def _staged(files: Mapping[str, bytes]) -> bool:
    """Whether every jar the serialized tasks name (``custom.jflyte.artifacts``) is where they name it."""
    from flyteidl.admin import task_pb2
    from google.protobuf import json_format
    for name, data in files.items():
        if not name.endswith("_1.pb"):
            continue
        custom = json_format.MessageToDict(task_pb2.TaskSpec.FromString(data).template.custom)
        for artifact in custom.get("jflyte", {}).get("artifacts", []):
            location = artifact.get("location", "")
            if not location.startswith("file://") or not Path(location[len("file://"):]).is_file():
                return False
    return True


def render_input(value: Any, literal_type: types_pb2.LiteralType) -> str:
    """A catalogue value as jflyte execute-local's command-line syntax for the declared type."""
    simple = literal_type.simple if literal_type.WhichOneof("type") == "simple" else None
    if simple == types_pb2.SimpleType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if simple == types_pb2.SimpleType.STRING and isinstance(value, str):
        return value
    if simple == types_pb2.SimpleType.BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    if simple == types_pb2.SimpleType.FLOAT and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    raise UsageError(f"input value {value!r} does not fit type {literal_type}; fix the catalogue inputs")


def _clean_env() -> Mapping[str, str]:
    """The process environment without FLYTE_* settings, so a user's cluster config never leaks in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
