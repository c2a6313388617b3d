"""Where things live: the checkout's folders, the JVM build output, and the user cache."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
JVM_DIR = REPO_ROOT / "jvm"
JFLYTE_DIST = JVM_DIR / "jflyte-dist" / "target" / "jflyte"
JFLYTE_LIB = JFLYTE_DIST / "lib"
JFLYTE_MODULES = JFLYTE_DIST / "modules"


def cache_dir() -> Path:
    """The user cache folder of flyte-parity (``$XDG_CACHE_HOME/flyte-parity``), created on demand."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "flyte-parity"
    path.mkdir(parents=True, exist_ok=True)
    return path
