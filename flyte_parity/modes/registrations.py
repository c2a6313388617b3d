"""Register and flytectl modes for one session: each side registered once into a backend, then read back.

Register mode: the Python twins are registered by ``pyflyte register`` and each JVM source by
``jflyte register workflows`` (the drivers' ``register``). Flytectl mode: each side's serialized
files (``jflyte serialize``, the pyflyte package form) go through ``flytectl register files``.
Each registration has its own version (``backends.Backend.target``); what admin then holds at
that version is read back with ``services.admin_client`` and kept with the registration's
outcome. A refused or crashed registration is an outcome, never an exception. ``launch_side``
then asks admin for an execution of a pair's entity on one side.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from flyte_parity.base.sides import Sides
from flyte_parity.services import flytectl
from flyte_parity.services.backends import Backend

from flyteidl.core import identifier_pb2
from flyteidl.core.identifier_pb2 import Identifier
from flyteidl.core.interface_pb2 import VariableMap
from flyteidl.core.literals_pb2 import Literal, Primitive, Scalar
from flyteidl.core.types_pb2 import LiteralType, SimpleType

from flyte_parity.idl.entities import EntitySet
from flyte_parity.idl.literals import literal_map_from_values
from flyte_parity.sdk.registration import Outcome, Target
from flyte_parity.services.admin_client import AdminError, Launched, first_line, launch, stored_entities


@dataclass(frozen=True)
class Registered:
    """One side's registration: how it ended, where it went, and what admin holds from it."""

    outcome: Outcome
    target: Target
    entities: EntitySet


class RegisterRun:
    """Registers each side at most once per session (lazily) and remembers what admin stored."""

    def __init__(self, backend: Backend, sdks: Sides, work_dir: Path) -> None:
        self.backend, self.sdks, self.work_dir = backend, sdks, work_dir
        self._done: dict[str, Registered] = {}
        self._lock = threading.Lock()

    def registered(self, sources: Sides) -> Sides[Registered]:
        """Each SDK's own registration of its source (``jflyte register workflows``, ``pyflyte register``)."""
        return Sides.of(lambda side: self._once(_key(side, sources[side]), lambda target: self.sdks[side].register(
            sources[side], target, image=self.backend.images.get(side))))

    def through_flytectl(self, sources: Sides) -> Sides[Registered]:
        """Each SDK's serialized files through ``flytectl register files``."""
        def register(side: str, target: Target) -> Outcome:
            binary = flytectl.flytectl_binary()  # before serializing: a missing binary is the first thing said
            files = sorted(Path(self.sdks[side].serialize(sources[side])).glob("*.pb"))
            return flytectl.register_files(files, target, self.work_dir / f"flytectl-{_key(side, sources[side])}",
                                           binary)
        return Sides.of(lambda side: self._once(f"flytectl-{_key(side, sources[side])}",
                                                lambda target: register(side, target)))

    def jvm_in(self, source, domain: str) -> Registered:
        """A JVM source registered (once per session) into another domain of the same project: what
        a pair's tasks may look up there by name (the upstream examples' remote tasks)."""
        return self._once(f"{_key('jvm', source)}-{domain}", lambda target: self.sdks.jvm.register(
            source, target, image=self.backend.images.get("jvm")), domain=domain)

    def _once(self, key: str, register: Callable[[Target], Outcome], domain: str | None = None) -> Registered:
        with self._lock:
            if key not in self._done:
                target = self.backend.target(key)
                if domain is not None:
                    target = replace(target, domain=domain)
                outcome = register(target)
                entities = stored_entities(target.address, target.project, target.domain, target.version, key)
                self._done[key] = Registered(outcome, target, entities)
            return self._done[key]


def _key(side: str, source) -> str:
    """A registration's name (its version suffix): ``python`` for the twins, ``jvm-<source>``."""
    return "python" if side == "python" else f"jvm-{source.name}"


@dataclass(frozen=True)
class Launch:
    """One side's CreateExecution: how admin answered, and what it stored when it created one."""

    label: str  # "created", or "refused: STATUS: first line" (the side's version replaced by <version>)
    launched: Launched | None = None


def launchable(registered: Registered, kind: str, name: str) -> tuple[Identifier, VariableMap]:
    """What CreateExecution takes for a pair's entity on one side (a launch plan — for a workflow,
    its default one, named like it — or a task), and the inputs it declares."""
    target = registered.target
    if kind == "task":
        ident = Identifier(resource_type=identifier_pb2.TASK, project=target.project, domain=target.domain, name=name,
                           version=target.version)
        task = registered.entities.tasks.get(name)
        return ident, task.template.interface.inputs if task is not None else VariableMap()
    ident = Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, project=target.project, domain=target.domain,
                       name=name, version=target.version)
    closure = registered.entities.launch_plan_closures.get(name)
    variables = VariableMap()
    if closure is not None:
        for var, parameter in closure.expected_inputs.parameters.items():
            variables.variables[var].CopyFrom(parameter.var)
    return ident, variables


def launch_side(registered: Registered, kind: str, name: str, values: Mapping[str, Any],
                mistyped: str | None = None, settle: float = 20.0, envs: Mapping[str, str] | None = None) -> Launch:
    """CreateExecution of a pair's entity with ``values`` (typed by what it declares); with
    ``mistyped``, that input is sent as a literal of another type. ``settle``: how long to wait for
    a terminal phase before reading what admin stored; ``envs``: the execution's environment."""
    ident, variables = launchable(registered, kind, name)
    known = {k: v for k, v in values.items() if k in variables.variables}
    inputs = literal_map_from_values(known, variables)
    if mistyped is not None:
        inputs.literals[mistyped].CopyFrom(wrong_literal(variables.variables[mistyped].type))
    try:
        return Launch("created", launch(registered.target.address, ident, inputs, settle=settle, envs=envs))
    except AdminError as error:
        message = error.message.replace(registered.target.version, "<version>")
        return Launch(f"refused: {error.status}: {first_line(message)}")


def wrong_literal(expected: LiteralType) -> Literal:
    """A literal that does not fit ``expected``: an integer for a string, else a string."""
    if expected.WhichOneof("type") == "simple" and expected.simple == SimpleType.STRING:
        return Literal(scalar=Scalar(primitive=Primitive(integer=1)))
    return Literal(scalar=Scalar(primitive=Primitive(string_value="not of the declared type")))
