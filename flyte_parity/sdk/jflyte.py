"""jflyte on the local JVM, no Docker: env loading, validation, secret redaction and launch.

Both ``scripts/jflyte_wrapper.py`` (the users' door) and the JVM driver go through here.
Bad input is caught before the JVM starts and raised as a one-line UsageError.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Mapping, Sequence

from flyte_parity.sdk import jvm_build, launches, process_log
from flyte_parity.base import paths
from flyte_parity.base.envfile import load_env_file
from flyte_parity.base.errors import UsageError

MAIN_CLASS = "org.flyte.jflyte.Main"
JVM_FLAGS = ("-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8")
# Faster starts with the same program: the build's class-data archive of jflyte's class path (when
# there is one, see jvm_build.class_archive), the C1 compiler only and the serial collector. CDS
# messages stay off the output (an archive of another JDK or class path is ignored, not fatal).
START_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xlog:cds=off", "-Xlog:cds+dynamic=off")

_SECRET_NAMES = {"FLYTE_AWS_SECRET_ACCESS_KEY", "FLYTE_AWS_ACCESS_KEY_ID"}
_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD")

# Values that let a subcommand start where it does not really use the setting.
_HARMLESS_DEFAULTS = {
    "FLYTE_PLATFORM_URL": "127.0.0.1:1",
    "FLYTE_PLATFORM_INSECURE": "True",
    "FLYTE_INTERNAL_IMAGE": "flyte-parity/jflyte-local:unused",
}
# What each subcommand cannot do without (the user must set them). An entry with "|" is met by
# any of its names: flytekit-java 0.3.x reads FLYTE_INTERNAL_PROJECT/DOMAIN/VERSION at task run
# time, later releases FLYTE_INTERNAL_TASK_PROJECT/DOMAIN/VERSION.
_TASK_IDENTITY = (
    "FLYTE_INTERNAL_PROJECT|FLYTE_INTERNAL_TASK_PROJECT",
    "FLYTE_INTERNAL_DOMAIN|FLYTE_INTERNAL_TASK_DOMAIN",
    "FLYTE_INTERNAL_VERSION|FLYTE_INTERNAL_TASK_VERSION",
)
_REQUIRED = {
    "register": ("FLYTE_PLATFORM_URL", "FLYTE_STAGING_LOCATION"),
    "execute": _TASK_IDENTITY,
    "execute-dynamic-workflow": _TASK_IDENTITY,
}
_CLASSPATH_OPTIONS = ("-cp", "--classpath")


def is_secret(name: str) -> bool:
    """Whether an environment variable's value must never be shown."""
    upper = name.upper()
    return upper in _SECRET_NAMES or any(word in upper for word in _SECRET_WORDS)


@dataclass(frozen=True)
class Redactor:
    """Replaces the values of secret variables in text by ``***``."""

    secrets: tuple[str, ...] = ()

    @classmethod
    def for_env(cls, env: Mapping[str, str]) -> "Redactor":
        values = {v for k, v in env.items() if is_secret(k) and v}
        return cls(tuple(sorted(values, key=len, reverse=True)))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def subcommand(args: Sequence[str]) -> str | None:
    """The jflyte subcommand (first argument that is not an option)."""
    for arg in args:
        if not arg.startswith("-"):
            return arg
    return None


def classpath_arg(args: Sequence[str]) -> str | None:
    """The value of ``-cp``/``--classpath`` in either ``-cp=X`` or ``-cp X`` form."""
    return option_value(args, _CLASSPATH_OPTIONS)


def option_value(args: Sequence[str], options: Sequence[str]) -> str | None:
    for i, arg in enumerate(args):
        for option in options:
            if arg == option:
                if i + 1 >= len(args):
                    raise UsageError(f"{option} needs a value: pass {option}=VALUE")
                return args[i + 1]
            if arg.startswith(option + "="):
                return arg[len(option) + 1 :]
    return None


def find_java(env: Mapping[str, str]) -> str:
    """The java launcher: ``$JAVA_HOME/bin/java`` or ``java`` on PATH."""
    java_home = env.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("java", path=env.get("PATH"))
    if found is None:
        raise UsageError("java not found: install a JDK (11 or newer) or set JAVA_HOME")
    return found


def _utf8_locale(env: dict[str, str]) -> None:
    """jflyte decodes its arguments with the locale's charset: make it UTF-8."""
    current = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    if "utf-8" not in current.lower() and "utf8" not in current.lower():
        env["LC_ALL"] = "C.UTF-8"


def ensure_jflyte_dist(progress: IO[str] | None = None) -> Path:
    """The jflyte CLI folder from the JVM reactor's build; builds it with Maven when missing."""
    lib = paths.jflyte_lib()
    if any(lib.glob("jflyte-*.jar")) and (paths.jflyte_modules() / "file-system").is_dir():
        return lib
    if os.environ.get(paths.BUILD_VARIABLE, "").strip():
        raise UsageError(f"{paths.BUILD_VARIABLE} names a JVM build that is not there ({paths.jvm_build()}); "
                         "run `make jvm` with the knobs of that build, or unset it")
    out = progress or sys.stderr
    out.write("flyte-parity: jflyte is not built yet; building the default JVM build once ...\n")
    out.flush()
    jvm_build.ensure(progress=out)  # the same build `make jvm` runs (FLYTEKIT_JAVA_* knobs apply)
    return paths.jflyte_lib()


@dataclass
class Invocation:
    """One jflyte command line, its environment and what must be hidden in its output."""

    args: list[str]
    env: dict[str, str]
    java: str
    lib: Path
    redact: Redactor = field(default_factory=Redactor)
    java_options: list[str] = field(default_factory=list)  # system properties of this one run

    def command(self) -> list[str]:
        archive = self.lib.parent / jvm_build.ARCHIVE_NAME
        executes = self.lib.parent / jvm_build.EXECUTE_ARCHIVE_NAME
        if subcommand(self.args) in ("execute", "execute-dynamic-workflow") and executes.is_file():
            archive = executes  # made by a task run: it holds the classes a task run loads
        shared = [f"-XX:SharedArchiveFile={archive}"] if archive.is_file() else []
        return [self.java, *JVM_FLAGS, *self.java_options, *START_FLAGS, *shared, "-cp", f"{self.lib}/*", MAIN_CLASS,
                "jflyte", *self.args]

    def describe(self) -> str:
        """The command and the FLYTE_* settings, secrets masked; for debug output."""
        settings = " ".join(
            f"{k}={'***' if is_secret(k) else v}" for k, v in sorted(self.env.items()) if k.startswith("FLYTE_")
        )
        return self.redact(f"{settings} {' '.join(self.command())}")


def prepare(
    args: Sequence[str],
    *,
    env_file: Path | None = None,
    base_env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    progress: IO[str] | None = None,
    jflyte_lib: Path | None = None,
) -> Invocation:
    """Validate a jflyte call and build its environment; raises UsageError before any JVM starts.

    Precedence: values already in ``base_env`` (the process environment) win over the env file
    (``env_file``, else ``.env.local`` in ``cwd`` when present), which wins over harmless defaults.
    ``jflyte_lib`` is the jflyte CLI folder; by default the reactor's, built on first use.
    """
    base = dict(os.environ if base_env is None else base_env)
    here = cwd or Path.cwd()
    if env_file is None and (here / ".env.local").is_file():
        env_file = here / ".env.local"
    file_values = load_env_file(env_file) if env_file is not None else {}
    env = {**file_values, **base}

    command = subcommand(args)
    if command is None:
        raise UsageError("no jflyte subcommand given: try execute-local, serialize, register or execute")

    env.setdefault("FLYTE_INTERNAL_MODULE_DIR", str(paths.jflyte_modules()))
    if command == "serialize":
        env.setdefault("FLYTE_STAGING_LOCATION", (paths.cache_dir() / "staging").as_uri())
    missing = [
        " or ".join(need.split("|"))
        for need in _REQUIRED.get(command, ())
        if not any(env.get(name) for name in need.split("|"))
    ]
    if missing:
        raise UsageError(
            f"jflyte {command} needs {', '.join(missing)}: set it in the environment or in .env.local"
        )
    for name, value in _HARMLESS_DEFAULTS.items():
        env.setdefault(name, value)
    _utf8_locale(env)

    module_dir = Path(env["FLYTE_INTERNAL_MODULE_DIR"])
    classpath = classpath_arg(args)
    if classpath is not None:
        folder = (here / classpath) if not Path(classpath).is_absolute() else Path(classpath)
        if not folder.is_dir():
            raise UsageError(f"-cp folder {classpath} does not exist: build the workflows first (`make jvm`) or fix the path")
        if not any(folder.glob("*.jar")):
            raise UsageError(f"-cp folder {classpath} holds no jar: build the workflows first (`make jvm`) or fix the path")

    if command == "serialize":
        target = option_value(args, ("-f", "--folder"))
        if target is not None and not ((here / target) if not Path(target).is_absolute() else Path(target)).is_dir():
            raise UsageError(f"serialize folder {target} does not exist: create it first (mkdir -p {target})")

    java = find_java(env)
    lib = jflyte_lib or ensure_jflyte_dist(progress)
    if not module_dir.is_dir():
        raise UsageError(
            f"FLYTE_INTERNAL_MODULE_DIR {module_dir} is not a folder: unset it to use the built-in one"
        )
    return Invocation(list(args), env, java, lib, Redactor.for_env(env))


def _pump(source: IO[bytes], sink: IO[str], redact: Redactor, keep: list[str] | None = None) -> None:
    for raw in iter(source.readline, b""):
        line = redact(raw.decode("utf-8", errors="replace"))
        sink.write(line)
        sink.flush()
        if keep is not None:
            keep.append(line)
            del keep[:-KEEP_LINES]


KEEP_LINES = 400


def run(invocation: Invocation, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
        keep: list[str] | None = None) -> int:
    """Run jflyte, streaming its output with secrets redacted; returns its exit code. ``keep``
    receives the last lines printed (both streams, redacted).

    On Ctrl-C the JVM is stopped (TERM, then KILL) before returning 130.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    process = subprocess.Popen(
        invocation.command(), env=invocation.env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, out, invocation.redact, keep), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, err, invocation.redact, keep), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        code = process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 128 + signal.SIGINT
    finally:
        for pump in pumps:
            pump.join(timeout=5)
    return code


def _subcommand(command: list[str]) -> str:
    """The jflyte subcommand of a java command line (the first argument after the main class)."""
    if MAIN_CLASS in command:
        rest = command[command.index(MAIN_CLASS) + 1:]
        rest = rest[1:] if rest[:1] == ["jflyte"] else rest
        return " ".join(rest[:2]) if rest[:1] == ["serialize"] else (rest[0] if rest else "?")
    return "?"


def run_captured(invocation: Invocation, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run jflyte to completion and return its (redacted) output; the JVM never outlives the call."""
    command = invocation.command()
    with process_log.logged(f"jvm:{_subcommand(command)}", command, None, invocation.env):
        result = launches.run(command, timeout=timeout, grace=10, env=invocation.env, stdin=subprocess.DEVNULL,
                              text=False)
    return subprocess.CompletedProcess(
        command, result.returncode,
        invocation.redact(result.stdout.decode("utf-8", errors="replace")),
        invocation.redact(result.stderr.decode("utf-8", errors="replace")),
    )


def stop(process: subprocess.Popen) -> None:
    """Terminate a child process (killed after 10 s) and reap it."""
    launches.end(process, grace=10)
