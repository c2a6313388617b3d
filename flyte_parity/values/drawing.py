"""Generated values drawn ahead, in a process of their own: Hypothesis costs about a millisecond a
value, which in the pytest process would share one interpreter lock with every row's exchange and
comparison. ``Drawing`` is started once per session with every kind the run will send, draws them
in row order (``search.drawn``: the same values for the same kind, count and seed as an
in-process draw) and hands each kind's values to the rows that ask, as they become ready. Stopped
(its process ended) when the session ends, on failure and Ctrl-C too."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from flyteidl.core import literals_pb2

from flyte_parity.values.strategies import KINDS


def _draw(kind: str, examples: int, run_seed: int) -> list[bytes]:
    from flyte_parity.values.search import drawn
    return [value.SerializeToString() for value in drawn(kind, examples, run_seed)]


class Drawing:
    """One drawing process; ``values(kind)`` waits for that kind's values."""

    def __init__(self, kinds: list[str], examples: int, run_seed: int) -> None:
        self.kinds, self.examples, self.seed = list(dict.fromkeys(kinds)), examples, run_seed
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future] = {}

    def __enter__(self) -> "Drawing":
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"no value strategy for kind {unknown[0]!r}; add one to flyte_parity/values/strategies.py")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._futures = {kind: self._pool.submit(_draw, kind, self.examples, self.seed) for kind in self.kinds}
        return self

    def values(self, kind: str) -> tuple[literals_pb2.Literal, ...]:
        if kind not in self._futures:
            raise KeyError(f"kind {kind!r} was not drawn ahead (drawn: {', '.join(self._futures)})")
        return tuple(literals_pb2.Literal.FromString(data) for data in self._futures[kind].result())

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
