"""Register mode for one session: each side registered once into a backend, then read back.

The Python twins are registered by ``pyflyte register`` and each JVM source by ``jflyte register
workflows`` (the drivers' ``register``), each under its own version (``backends.Backend.target``);
what admin then holds at that version is read back with ``services.admin_client`` and kept with
the registration's outcome. A refused registration is an outcome, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from .backends import Backend
from .catalogue import JvmSource
from .idl.entities import EntitySet
from .registration import Outcome, Target
from .services.admin_client import stored_entities


@dataclass(frozen=True)
class Registered:
    """One side's registration: how it ended, where it went, and what admin holds from it."""

    outcome: Outcome
    target: Target
    entities: EntitySet


class RegisterRun:
    """Registers each side at most once per session (lazily) and remembers what admin stored."""

    def __init__(self, backend: Backend, jvm_driver, python_driver) -> None:
        self.backend = backend
        self.jvm_driver = jvm_driver
        self.python_driver = python_driver
        self._done: dict[str, Registered] = {}

    def _read(self, side: str, outcome: Outcome, target: Target) -> Registered:
        entities = stored_entities(target.address, target.project, target.domain, target.version, side)
        self._done[side] = Registered(outcome, target, entities)
        return self._done[side]

    def python(self) -> Registered:
        if "python" not in self._done:
            target = self.backend.target("python")
            self._read("python", self.python_driver.register(target), target)
        return self._done["python"]

    def jvm(self, source: JvmSource) -> Registered:
        side = f"jvm-{source.name}"
        if side not in self._done:
            target = self.backend.target(side)
            self._read(side, self.jvm_driver.register(source, target), target)
        return self._done[side]
