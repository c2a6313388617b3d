"""Where things live: the checkout's folders, the JVM build output, and the user cache.

Each JVM build has its own folder ``jvm/target/<build id>`` (see jvm_build.py); the one in use is
``FLYTE_PARITY_JVM_BUILD`` (a build id) when set, else ``jvm/target/current``, which the last
successful ``make jvm`` points at.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
JVM_DIR = REPO_ROOT / "jvm"
JVM_TARGET = JVM_DIR / "target"
BUILD_VARIABLE = "FLYTE_PARITY_JVM_BUILD"


def jvm_build() -> Path:
    """The JVM build folder in use (it may not exist yet)."""
    chosen = os.environ.get(BUILD_VARIABLE, "").strip()
    return JVM_TARGET / (chosen or "current")


def jflyte_dist() -> Path:
    return jvm_build() / "jflyte"


def jflyte_lib() -> Path:
    """jflyte's classpath folder."""
    return jflyte_dist() / "lib"


def jflyte_modules() -> Path:
    """jflyte's plug-in folders (FLYTE_INTERNAL_MODULE_DIR)."""
    return jflyte_dist() / "modules"


def cache_dir() -> Path:
    """The user cache folder of flyte-parity (``$XDG_CACHE_HOME/flyte-parity``), created on demand."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "flyte-parity"
    path.mkdir(parents=True, exist_ok=True)
    return path


TOOLS_BIN = REPO_ROOT / ".tools" / "bin"


def unpacked(archive: Path, into: Path = TOOLS_BIN) -> Path:
    """The executable an ``.xz`` file holds, decompressed once into ``into`` (redone when the archive's
    size or modification time changes) and made executable."""
    import lzma

    archive = Path(archive).resolve()
    target = Path(into) / archive.name.removesuffix(".xz")
    stamp = target.with_name(target.name + ".from")
    key = f"{archive} {archive.stat().st_size} {archive.stat().st_mtime_ns}\n"
    if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with lzma.open(archive) as source, open(partial, "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    partial.chmod(0o755)
    partial.replace(target)
    stamp.write_text(key, encoding="utf-8")
    return target


def tool_binary(variable: str, tools_binary: Path, label: str, make: str) -> Path:
    """An external tool's executable: ``$<variable>`` (an executable, or an ``.xz`` file holding one,
    decompressed once into .tools/bin), else ``tools_binary`` (what ``make`` builds into .tools/bin);
    a UsageError in one line naming both when neither is there."""
    from flyte_parity.base.errors import UsageError

    chosen = os.environ.get(variable, "").strip()
    if chosen:
        path = Path(chosen)
        if path.suffix == ".xz" and path.is_file():
            return unpacked(path)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise UsageError(f"{variable}={chosen} is no executable file: point {variable} at a {tools_binary.name} "
                             f"binary (or its .xz), or unset it and run `{make}`")
        return path.resolve()
    if tools_binary.is_file() and os.access(tools_binary, os.X_OK):
        return tools_binary
    raise UsageError(f"no {label} binary: set {variable} to one, or run `{make}` "
                     f"(it builds .tools/bin/{tools_binary.name})")
