"""Loading each side's serialization once per session (shared by the IDL and entrypoint tests)."""

from functools import lru_cache

from flyte_parity.package import load_entities

load = lru_cache(maxsize=None)(load_entities)
