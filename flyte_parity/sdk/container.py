"""The container-entrypoint contract, as propeller applies it: a run folder, the placeholder
substitution in a task's container args, and reading back what the task wrote.

Propeller replaces these placeholders in a TaskTemplate's container args (case-insensitive,
spaces allowed inside the braces), then runs the container. The task reads ``inputs.pb`` (a
LiteralMap) and writes ``<outputPrefix>/outputs.pb`` or ``<outputPrefix>/error.pb`` (an
ErrorDocument), or, for a dynamic task, ``<outputPrefix>/futures.pb`` (a DynamicJobSpec: the nodes
to run next). Here every location is a ``file://`` URI in one run folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flyteidl.core import dynamic_job_pb2, errors_pb2, literals_pb2, tasks_pb2

PLACEHOLDER = re.compile(r"\{\{\s*\.([A-Za-z]+)\s*\}\}")


@dataclass(frozen=True)
class RunFolder:
    """Where one task run reads and writes."""

    root: Path

    @property
    def inputs(self) -> Path:
        return self.root / "inputs.pb"

    @property
    def output_prefix(self) -> Path:
        return self.root / "outputs"

    @property
    def outputs(self) -> Path:
        return self.output_prefix / "outputs.pb"

    @property
    def error(self) -> Path:
        return self.output_prefix / "error.pb"

    @property
    def futures(self) -> Path:
        return self.output_prefix / "futures.pb"

    @property
    def task_template(self) -> Path:
        return self.root / "task.pb"

    @property
    def scratch(self) -> Path:
        """The run's own temporary folder, removed after the run, as a container's /tmp goes with
        the container (jflyte copies a task's staged jars into a temporary folder it never removes)."""
        return self.root / "tmp"

    def values(self) -> dict[str, str]:
        """What each placeholder becomes (lower-cased names)."""
        return {
            "input": self.inputs.as_uri(),
            "inputprefix": self.root.as_uri(),
            "outputprefix": self.output_prefix.as_uri(),
            "rawoutputdataprefix": (self.root / "raw").as_uri(),
            "checkpointoutputprefix": (self.root / "checkpoint").as_uri(),
            "prevcheckpointprefix": '""',  # what propeller gives a first attempt: two quote characters
            "tasktemplatepath": self.task_template.as_uri(),
        }

    def prepare(self, template: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> None:
        """Write inputs.pb and the task template file; make the output folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.output_prefix.mkdir(exist_ok=True)
        self.inputs.write_bytes(inputs.SerializeToString())
        self.task_template.write_bytes(template.SerializeToString())


def substitute(args: list[str], values: dict[str, str]) -> list[str]:
    """Replace every ``{{.name}}`` in the args; an unknown placeholder is an error, not left in."""

    def replace(match: re.Match) -> str:
        name = match.group(1).lower()
        if name not in values:
            raise ValueError(f"unknown placeholder {match.group(0)} in container args")
        return values[name]

    return [PLACEHOLDER.sub(replace, arg) for arg in args]


@dataclass(frozen=True)
class TaskResult:
    """What a task run left: its exit code, outputs or error document, and what it printed."""

    exit_code: int
    outputs: literals_pb2.LiteralMap | None
    error: errors_pb2.ErrorDocument | None
    stdout: str
    stderr: str
    futures: dynamic_job_pb2.DynamicJobSpec | None = None  # what a dynamic task wrote instead of outputs

    def describe(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-12:])
        return f"exit code {self.exit_code}; outputs.pb {'present' if self.outputs else 'absent'}; " \
               f"error.pb {'present' if self.error else 'absent'}; " \
               f"futures.pb {'present' if self.futures else 'absent'}\n{tail}"


def same_bytes(left: literals_pb2.LiteralMap, right: literals_pb2.LiteralMap) -> bool:
    """Whether two inputs.pb would be byte for byte the same file (deterministic serialization)."""
    return left.SerializeToString(deterministic=True) == right.SerializeToString(deterministic=True)


def read_result(folder: RunFolder, exit_code: int, stdout: str, stderr: str) -> TaskResult:
    outputs = error = None
    if folder.outputs.is_file():
        outputs = literals_pb2.LiteralMap()
        outputs.ParseFromString(folder.outputs.read_bytes())
    if folder.error.is_file():
        error = errors_pb2.ErrorDocument()
        error.ParseFromString(folder.error.read_bytes())
    futures = None
    if folder.futures.is_file():
        futures = dynamic_job_pb2.DynamicJobSpec()
        futures.ParseFromString(folder.futures.read_bytes())
    return TaskResult(exit_code, outputs, error, stdout, stderr, futures)


# ---- the imitation checked against what FlytePropeller gave a real pod ----------------------------

# Environment names the data plane sets in every task pod by configuration, not by propeller's own
# contract (the sandbox's default environment: admin's address, the store's endpoint and keys):
# not part of the comparison.
CONFIGURED_ENV = frozenset({"FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_AWS_ENDPOINT",
                            "FLYTE_AWS_ACCESS_KEY_ID", "FLYTE_AWS_SECRET_ACCESS_KEY"})


def value_form(value: str) -> str:
    """What kind of value a placeholder became, without where it points: ``location …/<name>.pb``
    for a protobuf file, ``location`` for any other URI (a folder), else the value itself."""
    if "://" in value:
        name = value.rstrip("/").rsplit("/", 1)[-1]
        return f"location …/{name}" if name.endswith(".pb") else "location"
    return repr(value)


def contract_gaps(template_args: list[str], imitation_env: set[str], pod_args: list[str],
                  pod_env: set[str]) -> list[str]:
    """How the entrypoint imitation differs from what propeller gave one pod, one line each:
    a placeholder whose value is of another form, an argument that differs outside placeholders,
    a FLYTE_* variable only one of them sets. Locations are compared by form only (the imitation's
    run folder is not propeller's store)."""
    imitation_args = substitute(list(template_args), RunFolder(Path("/run")).values())
    gaps: list[str] = []
    if len(imitation_args) != len(pod_args):
        return [f"args: the imitation has {len(imitation_args)}, propeller gave {len(pod_args)}: "
                f"{imitation_args} != {pod_args}"]
    for index, (template, mine, theirs) in enumerate(zip(template_args, imitation_args, pod_args)):
        if PLACEHOLDER.search(template):
            if value_form(mine) != value_form(theirs):
                gaps.append(f"args[{index}] {template}: imitation {value_form(mine)} != propeller {value_form(theirs)}")
        elif mine != theirs:
            gaps.append(f"args[{index}]: imitation {mine!r} != propeller {theirs!r}")
    theirs_env = {name for name in pod_env if name.startswith("FLYTE_")} - CONFIGURED_ENV
    gaps += [f"env {name}: set by the imitation only" for name in sorted(imitation_env - theirs_env)]
    gaps += [f"env {name}: set by propeller only" for name in sorted(theirs_env - imitation_env)]
    return gaps


def _without_index(gap: str) -> str:
    return re.sub(r"^args\[\d+\] ", "args ", gap)


# Where the imitation knowingly differs from FlytePropeller v1.16.8, per side, each with why
# (docs/entrypoint.md). A gap not listed here fails the execution test that met it.
KNOWN_GAPS: dict[str, dict[str, str]] = {
    "jvm": {
        **{f"env FLYTE_INTERNAL_{name}: set by the imitation only":
           "the imitation also sets the names propeller set before v1.16.2, which flytekit-java 0.4.x reads, so "
           "that the entrypoint mode compares task values; the execution mode shows the failure without them"
           for name in ("PROJECT", "DOMAIN", "VERSION")},
        **{f"env {name}: set by propeller only": "the imitation sets only the task identity jflyte reads"
           for name in ("FLYTE_ATTEMPT_NUMBER", "FLYTE_INTERNAL_EXECUTION_DOMAIN", "FLYTE_INTERNAL_EXECUTION_ID",
                        "FLYTE_INTERNAL_EXECUTION_PROJECT", "FLYTE_INTERNAL_EXECUTION_WORKFLOW",
                        "FLYTE_INTERNAL_TASK_NAME")},
    },
    "python": {
        f"env {name}: set by propeller only": "flytekit runs without them (its defaults name a local execution); "
        "setting them would keep each run from being forked from the warm fork parent"
        for name in ("FLYTE_ATTEMPT_NUMBER", "FLYTE_INTERNAL_EXECUTION_DOMAIN", "FLYTE_INTERNAL_EXECUTION_ID",
                     "FLYTE_INTERNAL_EXECUTION_PROJECT", "FLYTE_INTERNAL_EXECUTION_WORKFLOW",
                     "FLYTE_INTERNAL_TASK_DOMAIN", "FLYTE_INTERNAL_TASK_NAME", "FLYTE_INTERNAL_TASK_PROJECT",
                     "FLYTE_INTERNAL_TASK_VERSION")
    },
}


def unexplained_gaps(side: str, gaps: list[str]) -> list[str]:
    """The gaps ``KNOWN_GAPS`` does not list for ``side``."""
    known = KNOWN_GAPS.get(side, {})
    return [gap for gap in gaps if _without_index(gap) not in known]
