"""The catalogue of cases, read from a TOML data file: JVM sources, input sets and pairs.

A pair joins one JVM workflow (a class in a JVM source) with one Python twin. A case is a pair
run on one named input set entry in one mode. Everything here is data; nothing runs.

An entry may name the flytekit-java versions it exists at (``flytekit_java``, a PEP 440
specifier or a list of them, and ``absent_why`` saying why not elsewhere);
``Catalogue.at(version)`` turns the entries that do not exist at a version into rows that are
not applicable there, with that reason, so that every version's matrix has the same rows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.data.version_spec import matches, parse_specifiers
from flyte_parity.base.sides import Sides

KINDS = ("workflow", "task", "launch-plan")  # what a pair pairs


@dataclass(frozen=True)
class JvmSource:
    """A folder of jars that jflyte takes as -cp."""

    name: str
    lib: Path
    origin: str
    language: str


@dataclass(frozen=True)
class PythonSource:
    """The Python packages pyflyte serializes and registers (the twins)."""

    name: str
    packages: tuple[str, ...]


TWINS = PythonSource("twins", ("python_wf",))


@dataclass(frozen=True)
class Pair:
    """One JVM workflow and its Python twin."""

    name: str
    source: JvmSource
    jvm: str
    python: str
    inputs: Mapping[str, Mapping[str, Any]]
    modes: tuple[str, ...] | None  # the modes it runs in; None: every mode that takes its kind (``modes.resolve``)
    entrypoint_inputs: tuple[str, ...] = ()
    not_applicable: Mapping[str, str] = field(default_factory=dict)  # mode -> why it does not apply
    pending: Mapping[str, str] = field(default_factory=dict)  # mode -> why it applies but is not run yet
    kind: str = "workflow"  # "launch-plan" (jvm, python_name: launch-plan names) or "task" (jvm: a task class)
    registry: str | None = None  # the JVM SdkLaunchPlanRegistry class that registers a launch plan
    python_name: str | None = None  # the twin's entity name when it is not ``module.attribute``
    flytekit_java: tuple[str, ...] = ()  # the flytekit-java versions this pair exists at (() = all)
    absent_why: str = ""  # why it does not exist at the others
    absent: str | None = None  # set by Catalogue.at: why this pair is not run at that version
    features: tuple[str, ...] = ()  # what an SDK may be unable to run (dynamic, container-task; sdk.capabilities)
    execution_input: str = ""  # the input case the execution mode runs ("" = the first)
    # JVM sources the execution mode registers into another domain first, as (source, domain): what
    # the pair's tasks look up there by name when they run (the upstream examples' remote tasks)
    execution_setup: tuple[tuple[JvmSource, str], ...] = ()

    @property
    def execution_values(self) -> Mapping[str, Any]:
        """The inputs the execution mode sends: its ``execution_input`` case, else the first."""
        if self.execution_input:
            return self.inputs[self.execution_input]
        return next(iter(self.inputs.values()), {})

    @property
    def id(self) -> str:
        return f"{self.name}/{self.source.name}"

    @property
    def sources(self) -> "Sides[JvmSource | PythonSource]":
        """What each SDK serializes and registers for this pair."""
        return Sides(self.source, TWINS)

    @property
    def names(self) -> "Sides[str]":
        """The pair's entity on each side (the twin's Flyte name)."""
        return Sides(self.jvm, self.python_entity)

    @property
    def python_entity(self) -> str:
        """The twin's Flyte entity name (``module.workflow``, or a launch plan's own name)."""
        return self.python_name or self.python.replace(":", ".")

    @property
    def jvm_class(self) -> str:
        """The JVM class that registers this pair's JVM side (the workflow, or the registry)."""
        return self.registry or self.jvm


@dataclass(frozen=True)
class Case:
    """A pair run on one named set of inputs."""

    pair: Pair
    input_name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.pair.id}/{self.input_name}"


@dataclass(frozen=True)
class TypeEntry:
    """A type-table row: identity tasks for one literal kind on both sides, and values to send."""

    kind: str
    source: JvmSource
    jvm: str  # the JVM task class
    python: str  # "module:task"
    values: Mapping[str, Mapping[str, Any]]  # value name -> literal spec (flyte_parity.idl.literal_spec)
    python_env: Mapping[str, str] = field(default_factory=dict)  # extra environment for the Python task
    jvm_workflow: str | None = None  # an identity workflow around the task, for execute-local
    python_workflow: str | None = None
    execute_local_not_run: str = "no identity workflow for this kind"  # why, when there is none
    unavailable: str | None = None  # why this kind has no tasks at all on the JVM side
    flytekit_java: tuple[str, ...] = ()  # the flytekit-java versions this row exists at (() = all)
    absent_why: str = ""

    @property
    def id(self) -> str:
        return f"types/{self.kind}/{self.source.name}"

    @property
    def sources(self) -> "Sides[JvmSource | PythonSource]":
        return Sides(self.source, TWINS)

    @property
    def python_entity(self) -> str:
        return self.python.replace(":", ".")


@dataclass(frozen=True)
class Catalogue:
    sources: Mapping[str, JvmSource]
    pairs: tuple[Pair, ...]
    types: tuple[TypeEntry, ...] = ()
    # Registered JVM entities (workflows, launch-plan registries) with no pair yet: (source, class) -> why.
    pending: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Every pending entity with the flytekit-java versions it exists at (what ``at`` filters).
    _pending_specs: Mapping[tuple[str, str], tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def at(self, flytekit_java: str) -> "Catalogue":
        """This catalogue as a run at ``flytekit_java`` sees it: entries that do not exist there
        run in no mode and say why; pending entities that do not exist there are dropped."""
        def absent(spec: tuple[str, ...], why: str, what: str) -> str:
            return (f"not in flytekit-java {flytekit_java}: {what} exists at flytekit-java {' or '.join(spec)}"
                    + (f" ({why})" if why else ""))

        pairs = tuple(
            pair if matches(pair.flytekit_java, flytekit_java) else replace(
                pair, modes=(), pending={}, entrypoint_inputs=(), not_applicable={},
                absent=absent(pair.flytekit_java, pair.absent_why, pair.jvm))
            for pair in self.pairs)
        types = tuple(
            entry if matches(entry.flytekit_java, flytekit_java) else replace(
                entry, unavailable=absent(entry.flytekit_java, entry.absent_why, entry.jvm or entry.kind))
            for entry in self.types)
        pending = {key: why for key, (why, spec) in self._pending_specs.items() if matches(spec, flytekit_java)}
        return replace(self, pairs=pairs, types=types, pending=pending)

    def pairs_in(self, mode: str) -> list[Pair]:
        return [pair for pair in self.pairs if mode in (pair.modes or ())]

    def cases(self, mode: str) -> list[Case]:
        """Every case of every pair that runs in ``mode`` (entrypoint: the pair's entrypoint_inputs)."""
        return [
            Case(pair, input_name, values)
            for pair in self.pairs
            if mode in (pair.modes or ())
            for input_name, values in pair.inputs.items()
            if mode != "entrypoint" or input_name in pair.entrypoint_inputs
        ]


def _mode_reasons(entry: Mapping[str, Any], shared: Mapping[str, str], where: str):
    """(not applicable, pending) reasons a pair gives for modes it does not run. Which modes exist,
    and that every mode is run or explained, is checked where the modes are known (modes.resolve)."""
    modes = entry.get("modes") or ()
    reasons = {m: str(r) for m, r in {**shared, **entry.get("not_applicable", {})}.items() if m not in modes}
    pending = {m: str(why) for m, why in entry.get("pending", {}).items()}
    empty = [m for m, why in {**reasons, **pending}.items() if not why.strip()]
    if empty:
        raise UsageError(f"{where}: modes {empty} need a reason")
    clash = [m for m in pending if m in modes]
    if clash:
        raise UsageError(f"{where}: modes {clash} are both run and pending; remove them from one")
    for mode in pending:
        reasons.pop(mode, None)
    return reasons, pending


def load_catalogue(path: Path, root: Path) -> Catalogue:
    """Read and check a catalogue file; library folders are resolved against ``root``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"cannot read catalogue {path}: {err}; fix the file") from None
    return parse_catalogue(data, root, str(path))


def parse_catalogue(data: Mapping[str, Any], root: Path, origin: str = "catalogue") -> Catalogue:
    """Build a Catalogue from parsed TOML, refusing dangling references and unknown modes."""
    build = paths.jvm_build()
    build = build.relative_to(paths.REPO_ROOT) if build.is_relative_to(paths.REPO_ROOT) else build
    lacking = [name for name, entry in data.get("sources", {}).items() if not isinstance(entry, Mapping) or "lib" not in entry]
    if lacking:
        raise UsageError(f"{origin}: [sources.{lacking[0]}] lacks lib (the folder of jars jflyte takes as -cp); add it")
    sources = {
        name: JvmSource(name, root / str(entry["lib"]).replace("{build}", str(build)), entry.get("origin", "own"),
                        entry.get("language", "java"))
        for name, entry in data.get("sources", {}).items()
    }
    input_sets = data.get("inputs", {})
    pairs: list[Pair] = []
    seen: set[str] = set()

    def add(pair: Pair, where: str) -> None:
        if pair.id in seen:
            raise UsageError(f"{where}: pair {pair.id} is listed twice; remove one")
        seen.add(pair.id)
        pairs.append(pair)

    def checked(entry: Mapping[str, Any], where: str, required: tuple[str, ...]):
        """Refuse a pair entry with missing keys or dangling names; returns its input set and its
        entrypoint input names."""
        missing = [k for k in required if k not in entry]
        if missing:
            raise UsageError(f"{where} lacks {', '.join(missing)}; add them")
        if entry["jvm_source"] not in sources:
            raise UsageError(f"{where}: unknown jvm_source {entry['jvm_source']!r}; define [sources.{entry['jvm_source']}]")
        if "inputs" in entry and entry["inputs"] not in input_sets:
            raise UsageError(f"{where}: unknown inputs {entry['inputs']!r}; define [inputs.{entry['inputs']}]")
        if "modes" in entry and (not isinstance(entry["modes"], list)
                                 or not all(isinstance(m, str) for m in entry["modes"])):
            raise UsageError(f"{where}: modes must be a list of mode names")
        features = entry.get("features", [])
        if not isinstance(features, list) or not all(isinstance(f, str) and f.strip() for f in features):
            raise UsageError(f"{where}: features must be a list of names (such as \"dynamic\")")
        if ":" not in entry["python"]:
            raise UsageError(f"{where}: python must be 'module:workflow' (or 'module:task', 'module:launch_plan'), "
                             f"got {entry['python']!r}")
        inputs = input_sets[entry["inputs"]] if "inputs" in entry else {}
        entrypoint_inputs = tuple(entry.get("entrypoint_inputs", list(inputs)[:1]))
        unknown_inputs = [name for name in entrypoint_inputs if name not in inputs]
        if unknown_inputs:
            raise UsageError(f"{where}: entrypoint_inputs {unknown_inputs} are not in [inputs.{entry['inputs']}]")
        execution_input = entry.get("execution_input", "")
        if execution_input and execution_input not in inputs:
            raise UsageError(f"{where}: execution_input {execution_input!r} is not in [inputs.{entry['inputs']}]")
        for item in entry.get("execution_setup", []):
            name, _, domain = str(item).partition("@")
            if name not in sources or domain not in ("development", "staging", "production"):
                raise UsageError(f"{where}: execution_setup {item!r} must be '<jvm source>@<domain>' with a known "
                                 "source and a domain of development, staging, production")
        return inputs, entrypoint_inputs

    for number, entry in enumerate(data.get("pairs", []), start=1):
        where = f"{origin}: pair #{number} ({entry.get('name', '?')})"
        inputs, entrypoint_inputs = checked(entry, where, ("name", "jvm_source", "jvm", "python", "inputs", "modes"))
        reasons, pending = _mode_reasons(entry, data.get("not_applicable", {}), where)
        add(Pair(entry["name"], sources[entry["jvm_source"]], entry["jvm"], entry["python"],
                 inputs, tuple(entry["modes"]), entrypoint_inputs, reasons, pending,
                 **_version_keys(entry, where), features=tuple(entry.get("features", ())),
                 execution_input=entry.get("execution_input", ""),
                 execution_setup=tuple((sources[item.partition("@")[0]], item.partition("@")[2])
                                       for item in entry.get("execution_setup", []))), where)
    for number, entry in enumerate(data.get("tasks", []), start=1):
        where = f"{origin}: task #{number} ({entry.get('name', '?')})"
        inputs, entrypoint_inputs = checked(entry, where, ("name", "jvm_source", "jvm", "python", "inputs"))
        reasons, pending = _mode_reasons(entry, data.get("task_not_applicable", {}), where)
        add(Pair(entry["name"], sources[entry["jvm_source"]], entry["jvm"], entry["python"], inputs,
                 _listed(entry), entrypoint_inputs, reasons, pending, kind="task",
                 **_version_keys(entry, where), features=tuple(entry.get("features", ()))), where)
    for number, entry in enumerate(data.get("launch_plans", []), start=1):
        where = f"{origin}: launch plan #{number} ({entry.get('name', '?')})"
        checked(entry, where, ("name", "jvm_source", "registry", "jvm", "python", "python_name"))
        reasons, pending = _mode_reasons(entry, data.get("launch_plan_not_applicable", {}), where)
        add(Pair(entry["name"], sources[entry["jvm_source"]], entry["jvm"], entry["python"], {},
                 _listed(entry), (), reasons, pending,
                 kind="launch-plan", registry=entry["registry"], python_name=entry["python_name"],
                 **_version_keys(entry, where)), where)
    if not pairs:
        raise UsageError(f"{origin} lists no pairs; add a [[pairs]] entry")
    types = []
    for number, entry in enumerate(data.get("types", []), start=1):
        where = f"{origin}: type #{number} ({entry.get('kind', '?')})"
        needed = ("kind", "jvm_source") if "unavailable" in entry else ("kind", "jvm_source", "jvm", "python", "values")
        missing = [k for k in needed if k not in entry]
        if missing:
            raise UsageError(f"{where} lacks {', '.join(missing)}; add them")
        if entry["jvm_source"] not in sources:
            raise UsageError(f"{where}: unknown jvm_source {entry['jvm_source']!r}; define [sources.{entry['jvm_source']}]")
        types.append(TypeEntry(entry["kind"], sources[entry["jvm_source"]], entry.get("jvm", ""),
                               entry.get("python", ""), entry.get("values", {}),
                               {k: str(v) for k, v in entry.get("python_env", {}).items()},
                               entry.get("jvm_workflow"), entry.get("python_workflow"),
                               entry.get("execute_local_not_run", TypeEntry.execute_local_not_run),
                               entry.get("unavailable"), **_version_keys(entry, where)))
    pending_specs = {}
    for source_name, entries in data.get("pending", {}).items():
        if source_name not in sources:
            raise UsageError(f"{origin}: [pending] names unknown source {source_name!r}; define [sources.{source_name}]")
        for cls, value in entries.items():
            where = f"{origin}: [pending.{source_name}] {cls}"
            reason, spec = (value.get("why", ""), value) if isinstance(value, dict) else (value, {})
            if not str(reason).strip():
                raise UsageError(f"{where} needs a reason")
            pending_specs[(source_name, cls)] = (str(reason), _version_keys(spec, where)["flytekit_java"])
    pending = {key: why for key, (why, _) in pending_specs.items()}
    return Catalogue(sources, tuple(pairs), tuple(types), pending, pending_specs)


def _listed(entry: Mapping[str, Any]) -> tuple[str, ...] | None:
    """A task or launch-plan entry's modes: as listed, or None (every mode that takes its kind)."""
    return tuple(entry["modes"]) if "modes" in entry else None


def _version_keys(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An entry's flytekit_java and absent_why, checked."""
    if "absent_why" in entry and "flytekit_java" not in entry:
        raise UsageError(f"{where}: absent_why needs flytekit_java (the versions the entry exists at)")
    if "flytekit_java" not in entry:
        return {"flytekit_java": (), "absent_why": ""}
    return {"flytekit_java": parse_specifiers(entry["flytekit_java"], where, "flytekit_java"),
            "absent_why": str(entry.get("absent_why", ""))}
