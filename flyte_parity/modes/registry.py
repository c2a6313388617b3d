"""The one registry of modes. The case runner, the pytest parametrisation, the matrix columns and
the README's list of modes are all read from it; ``resolve`` checks a catalogue against it.

A mode registers itself when its module is imported (``flyte_parity.modes`` imports the built-in
ones); ``register`` also takes a mode defined anywhere else, such as a test's.
"""

from __future__ import annotations

from dataclasses import replace

from flyte_parity.base.errors import UsageError
from flyte_parity.data.catalogue import KINDS, Catalogue, Pair
from flyte_parity.modes.base import PAIRS, Mode
from flyte_parity.sdk.capabilities import reasons
from flyte_parity.sdk.jvm import JvmDriver
from flyte_parity.sdk.python import PythonDriver

_MODES: dict[str, Mode] = {}


def register(mode: Mode) -> Mode:
    """Add a mode (its name must be new); returns it."""
    if mode.name in _MODES and _MODES[mode.name] is not mode:
        raise ValueError(f"a mode named {mode.name!r} is registered already")
    _MODES[mode.name] = mode
    return mode


def modes() -> list[Mode]:
    """Every mode, in the order registered (the matrix's column order)."""
    return list(_MODES.values())


def get(name: str) -> Mode:
    try:
        return _MODES[name]
    except KeyError:
        raise UsageError(f"no mode {name!r}; the modes are {', '.join(_MODES)}") from None


def markdown() -> str:
    """The modes as the README lists them: name, matrix table, what it needs, what it compares."""
    lines = []
    for mode in _MODES.values():
        needs = f"; needs {' and '.join(mode.needs)}" if mode.needs else ""
        lines.append(f"- `{mode.name}` ({mode.table}{needs}): {mode.summary}.")
    return "\n".join(lines) + "\n"


def pair_modes() -> list[Mode]:
    return [m for m in _MODES.values() if m.table == PAIRS]


def limits_against(pair: Pair, mode: str, flytekit_java: str, flytekit: str) -> list[str]:
    """Why an SDK cannot run this pair in ``mode`` (each SDK's declared limits at its version)."""
    found: list[str] = []
    for limits, version in ((JvmDriver.LIMITS, flytekit_java), (PythonDriver.LIMITS, flytekit)):
        found += reasons(limits, mode, (pair.kind, *pair.features), version)
    return found


def resolve(catalogue: Catalogue, flytekit_java: str, flytekit: str) -> Catalogue:
    """The catalogue with every pair's modes made concrete and every mode it does not run
    explained: a pair's own reason, else what an SDK's limits or the mode's rules say. Refused in
    one line: an unknown mode name, a mode listed that the pair's kind or an SDK cannot run, a mode
    neither run nor explained."""
    pairs = tuple(_resolved(pair, flytekit_java, flytekit) for pair in catalogue.pairs)
    return replace(catalogue, pairs=pairs)


def _resolved(pair: Pair, flytekit_java: str, flytekit: str) -> Pair:
    if pair.absent:
        return pair
    where = f"catalogue: {pair.kind} {pair.id}"
    names = [m.name for m in pair_modes()]
    named = {*(pair.modes or ()), *pair.not_applicable, *pair.pending}
    unknown = sorted(named - set(names))
    if unknown:
        raise UsageError(f"{where} names unknown modes {unknown}; the pair modes are {', '.join(names)}")
    if pair.kind not in KINDS:
        raise UsageError(f"{where}: unknown kind {pair.kind!r}")
    listed, reasons_by_mode = [], {}
    for mode in pair_modes():
        refused = mode.refuses.get(pair.kind)
        limits = limits_against(pair, mode.name, flytekit_java, flytekit)
        if pair.modes is not None and mode.name in pair.modes:
            if refused or limits:
                raise UsageError(f"{where} lists mode {mode.name}, which it cannot run ({refused or '; '.join(limits)}); "
                                 "remove it from modes")
            listed.append(mode.name)
        elif pair.modes is None and not refused and not limits and mode.name not in pair.pending \
                and mode.name not in pair.not_applicable:
            listed.append(mode.name)
        elif mode.name not in pair.pending:
            why = pair.not_applicable.get(mode.name) or "; ".join(limits) or refused
            if not why:
                raise UsageError(f"{where}: mode {mode.name} is neither run nor given a reason; add it to modes, "
                                 "not_applicable or pending")
            reasons_by_mode[mode.name] = why
    return replace(pair, modes=tuple(listed), not_applicable=reasons_by_mode)
