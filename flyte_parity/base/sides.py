"""Both SDKs as one value: a JVM side and a Python side, always in that order (the ledger's jvm
and python slots), passed together instead of as positional pairs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")
U = TypeVar("U")

SIDES = ("jvm", "python")


@dataclass(frozen=True)
class Sides(Generic[T]):
    """One value per SDK."""

    jvm: T
    python: T

    @classmethod
    def of(cls, make: Callable[[str], T]) -> "Sides[T]":
        """``make(side)`` for each side name."""
        return cls(make("jvm"), make("python"))

    def map(self, change: Callable[[T], U]) -> "Sides[U]":
        return Sides(change(self.jvm), change(self.python))

    def __getitem__(self, side: str) -> T:
        if side not in SIDES:
            raise KeyError(f"no side {side!r}; one of {SIDES}")
        return getattr(self, side)

    def __iter__(self) -> Iterator[T]:
        return iter((self.jvm, self.python))

    @property
    def agree(self) -> bool:
        return self.jvm == self.python
