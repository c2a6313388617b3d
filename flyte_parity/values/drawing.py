"""Generated values drawn ahead, in a process of their own: Hypothesis costs about a millisecond a
value, which in the pytest process would share one interpreter lock with every row's exchange and
comparison. ``Drawing`` is started once per session with every kind the run will send, draws them
in row order (``search.drawn``: the same values for the same kind, count and seed as an
in-process draw) and hands each kind's values to the rows that ask, as they become ready. Stopped
(its process ended) when the session ends, on failure and Ctrl-C too. With a result store, a
kind's values are kept there by what draws them (kind, count, seed, Hypothesis and Python
versions, the code of ``flyte_parity/values`` and ``flyte_parity/idl``) and not drawn again."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from flyteidl.core import literals_pb2

from flyte_parity.sdk.results import Record, ResultStore, folder_digest
from flyte_parity.sdk.testee import framed, unframed
from flyte_parity.values.strategies import KINDS


def _draw(kind: str, examples: int, run_seed: int, root: str | None = None) -> list[bytes]:
    from flyte_parity.values.search import drawn
    if root is None:
        return [value.SerializeToString() for value in drawn(kind, examples, run_seed)]
    found = _kept(kind, examples, run_seed, root)
    if found is not None:
        return found
    values = [value.SerializeToString() for value in drawn(kind, examples, run_seed)]
    store = ResultStore(Path(root))
    store.put(store.key(drawing_parts(kind, examples, run_seed)), Record(0, "", "", {"values": framed(values)}))
    return values


def _kept(kind: str, examples: int, run_seed: int, root: str) -> list[bytes] | None:
    found = ResultStore(Path(root)).peek(ResultStore.key(drawing_parts(kind, examples, run_seed)))
    return unframed(found.files["values"]) if found is not None and "values" in found.files else None


def drawing_parts(kind: str, examples: int, run_seed: int) -> dict:
    """Everything a kind's drawn values depend on."""
    import hypothesis
    package = Path(__file__).resolve().parent.parent
    return {"verb": "draw", "kind": kind, "examples": examples, "seed": run_seed,
            "hypothesis": hypothesis.__version__, "python": sys.version,
            "code": [folder_digest(package / folder, "**/*.py") for folder in ("values", "idl")]}


class Drawing:
    """One drawing process; ``values(kind)`` waits for that kind's values."""

    def __init__(self, kinds: list[str], examples: int, run_seed: int, root: Path | None = None) -> None:
        """``root``: the result store's folder, where drawn values are kept (None: always drawn)."""
        self.kinds, self.examples, self.seed = list(dict.fromkeys(kinds)), examples, run_seed
        self.root = str(root) if root is not None else None
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future] = {}

    def __enter__(self) -> "Drawing":
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"no value strategy for kind {unknown[0]!r}; add one to flyte_parity/values/strategies.py")
        for kind in self.kinds:
            kept = _kept(kind, self.examples, self.seed, self.root) if self.root is not None else None
            if kept is not None:
                self._futures[kind] = Future()
                self._futures[kind].set_result(kept)
                continue
            if self._pool is None:  # started only when a kind is not kept
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._futures[kind] = self._pool.submit(_draw, kind, self.examples, self.seed, self.root)
        return self

    def values(self, kind: str) -> tuple[literals_pb2.Literal, ...]:
        if kind not in self._futures:
            raise KeyError(f"kind {kind!r} was not drawn ahead (drawn: {', '.join(self._futures)})")
        return tuple(literals_pb2.Literal.FromString(data) for data in self._futures[kind].result())

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
