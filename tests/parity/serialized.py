"""Loading each side's serialization once per session (the same cache the case runner reads)."""

from flyte_parity.modes.case_runner import load

__all__ = ["load"]
