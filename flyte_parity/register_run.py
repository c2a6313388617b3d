"""Register and flytectl modes for one session: each side registered once into a backend, then read back.

Register mode: the Python twins are registered by ``pyflyte register`` and each JVM source by
``jflyte register workflows`` (the drivers' ``register``). Flytectl mode: each side's serialized
files (``jflyte serialize``, the pyflyte package form) go through ``flytectl register files``.
Each registration has its own version (``backends.Backend.target``); what admin then holds at
that version is read back with ``services.admin_client`` and kept with the registration's
outcome. A refused or crashed registration is an outcome, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathlib import Path

from . import flytectl
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

    def __init__(self, backend: Backend, jvm_driver, python_driver, work_dir: Path | None = None) -> None:
        self.backend = backend
        self.work_dir = work_dir
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

    def flytectl_python(self) -> Registered:
        """The twins' serialized files through flytectl."""
        return self._flytectl("flytectl-python", lambda: self.python_driver.serialize())

    def flytectl_jvm(self, source: JvmSource) -> Registered:
        """A JVM source's ``jflyte serialize`` files through flytectl."""
        return self._flytectl(f"flytectl-jvm-{source.name}", lambda: self.jvm_driver.serialize(source))

    def _flytectl(self, side: str, serialized) -> Registered:
        if side not in self._done:
            if self.work_dir is None:
                raise RuntimeError("the flytectl mode needs a work folder")
            binary = flytectl.flytectl_binary()  # before serializing: a missing binary is the first thing said
            target = self.backend.target(side)
            files = sorted(Path(serialized()).glob("*.pb"))
            self._read(side, flytectl.register_files(files, target, self.work_dir / side, binary), target)
        return self._done[side]
