"""jflyte on the local JVM, no Docker: env loading, validation, secret redaction and launch.

Both ``scripts/jflyte_wrapper.py`` (the users' door) and the JVM driver go through here.
Bad input is caught before the JVM starts and raised as a one-line UsageError; for the wrapper,
``check_settings`` also refuses placeholder, unreachable or unusable settings before the JVM
starts, and ``explain`` reads a failed run's output into one line naming the cause and the fix.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Mapping, Sequence

from flyte_parity.sdk import jvm_build, launches, process_log
from flyte_parity.base import paths
from flyte_parity.base.envfile import load_env_file
from flyte_parity.base.errors import UsageError
from flyte_parity.base.secrets import is_secret
from flyte_parity.sdk.registration import read_outcome

MAIN_CLASS = "org.flyte.jflyte.Main"
WRAPPER = "python scripts/jflyte_wrapper.py"
JVM_FLAGS = ("-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8")
# Faster starts with the same program: the build's class-data archive of jflyte's class path (when
# there is one, see jvm_build.class_archive), the C1 compiler only and the serial collector. CDS
# messages stay off the output (an archive of another JDK or class path is ignored, not fatal).
START_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xlog:cds=off", "-Xlog:cds+dynamic=off")


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
                    raise UsageError(f"{option} needs a value; pass {option}=VALUE")
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
        raise UsageError("java not found; install a JDK (11 or newer) or set JAVA_HOME")
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
    cwd: Path = field(default_factory=Path.cwd)  # where relative paths in the arguments start
    env_file: Path | None = None  # the settings file read, if any
    from_file: frozenset[str] = frozenset()  # the settings whose value came from that file

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
        raise UsageError("no jflyte subcommand given; pass one of execute-local, serialize, register, execute (see --help)")

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
            f"jflyte {command} needs {', '.join(missing)}; set it in the environment or in .env.local"
        )
    for name, value in _HARMLESS_DEFAULTS.items():
        env.setdefault(name, value)
    _utf8_locale(env)

    module_dir = Path(env["FLYTE_INTERNAL_MODULE_DIR"])
    classpath = classpath_arg(args)
    if classpath is not None:
        folder = (here / classpath) if not Path(classpath).is_absolute() else Path(classpath)
        if not folder.is_dir():
            raise UsageError(f"-cp folder {classpath} does not exist; build the workflows first (`make jvm`) or fix the path")
        if not any(folder.glob("*.jar")):
            raise UsageError(f"-cp folder {classpath} holds no jar; build the workflows first (`make jvm`) or fix the path")

    if command == "serialize":
        target = option_value(args, ("-f", "--folder"))
        if target is not None and not ((here / target) if not Path(target).is_absolute() else Path(target)).is_dir():
            raise UsageError(f"serialize folder {target} does not exist; create it first (mkdir -p {target})")

    java = find_java(env)
    lib = jflyte_lib or ensure_jflyte_dist(progress)
    if not module_dir.is_dir():
        raise UsageError(
            f"FLYTE_INTERNAL_MODULE_DIR {module_dir} is not a folder; unset it to use the built-in one"
        )
    from_file = frozenset(name for name in file_values if name not in base)
    return Invocation(list(args), env, java, lib, Redactor.for_env(env), cwd=here, env_file=env_file,
                      from_file=from_file)


@dataclass
class Copies:
    """Where each line jflyte prints goes: the console (when ``show`` lets it), the log file and the
    kept tail; ``count`` is how many lines it printed."""

    keep: list[str] | None = None
    log: IO[str] | None = None
    show: Callable[[str, str], bool] | None = None  # (stream name, line) -> echo it?
    stop_on: re.Pattern[str] | None = None  # a line that makes waiting for the rest pointless
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopped: threading.Event = field(default_factory=threading.Event)

    def take(self, stream: str, line: str, sink: IO[str]) -> None:
        with self.lock:
            self.count += 1
            if self.stop_on is not None and self.stop_on.search(line):
                self.stopped.set()
            if self.log is not None:
                self.log.write(line)
                self.log.flush()
            if self.keep is not None:
                self.keep.append(line)
                del self.keep[:-KEEP_LINES]
            if self.show is None or self.show(stream, line):
                sink.write(line)
                sink.flush()


def _pump(source: IO[bytes], stream: str, sink: IO[str], redact: Redactor, copies: Copies) -> None:
    for raw in iter(source.readline, b""):
        copies.take(stream, redact(raw.decode("utf-8", errors="replace")), sink)


KEEP_LINES = 400


def run(invocation: Invocation, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
        keep: list[str] | None = None, copies: Copies | None = None) -> int:
    """Run jflyte, streaming its output with secrets redacted; returns its exit code. ``keep``
    receives the last lines printed (both streams, redacted); ``copies`` (instead) also says which
    lines reach the console, which log file gets all of them and which line ends the run early.

    On Ctrl-C the JVM is stopped (TERM, then KILL) before returning 130.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    copies = copies or Copies(keep=keep)
    process = subprocess.Popen(
        invocation.command(), env=invocation.env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, "stdout", out, invocation.redact, copies), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, "stderr", err, invocation.redact, copies), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        while (code := process.poll()) is None:
            if copies.stopped.wait(0.1):
                stop(process)
                code = process.returncode
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


# --- Before the JVM: settings jflyte would only fail on late, and at length ---------------------

# The values .env.local.example ships; a host under a reserved example domain or a <...> value is
# never a real setting either.
_EXAMPLE_VALUES = frozenset({
    "flyte.example.org:443", "s3://my-bucket/jflyte-staging", "ghcr.io/my-org/my-jflyte-image:latest", "...",
})
_PLACEHOLDER = re.compile(r"^<[^<>]*>$|(?:^|[/@.])example\.(?:org|com|net)(?:[:/]|$)", re.I)
_STAGING_PLUGINS = {"file": "file-system", "s3": "aws", "gs": "google-cloud"}  # scheme -> module folder


def is_placeholder(value: str) -> bool:
    """Whether a setting's value is a placeholder left from .env.local.example."""
    value = value.strip()
    return value in _EXAMPLE_VALUES or bool(_PLACEHOLDER.search(value))


def placeholders(env: Mapping[str, str]) -> list[str]:
    """The names of jflyte's settings (FLYTE_*, JFLYTE_*) that still hold a placeholder."""
    return sorted(k for k, v in env.items() if k.startswith(("FLYTE_", "JFLYTE_")) and is_placeholder(v))


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def display_path(path: Path, here: Path) -> str:
    """``path`` relative to ``here`` when it lies below it."""
    try:
        return str(path.resolve().relative_to(here.resolve()))
    except ValueError:
        return str(path)


def refuse_placeholders(invocation: Invocation) -> None:
    """A UsageError naming the settings left from .env.local.example (never their values)."""
    names = placeholders(invocation.env)
    if not names:
        return
    in_file = [name for name in names if name in invocation.from_file]
    file = display_path(invocation.env_file, invocation.cwd) if invocation.env_file else ".env.local"
    origin = (f"in {file}" if len(in_file) == len(names) else "in the environment" if not in_file
              else f"in {file} and the environment")
    one = len(names) == 1
    raise UsageError(f"{_join(names)} {origin} still {'holds' if one else 'hold'} the placeholder"
                     f"{'' if one else 's'} of .env.local.example; set {'it' if one else 'them'} to your "
                     f"cluster's values before running jflyte {subcommand(invocation.args)}")


def platform_address(url: str) -> tuple[str, int] | None:
    """Host and port of a gRPC target (``host:port``, ``dns:///host:port``, ``[::1]:port``); None
    when it names no port."""
    target = re.sub(r"^dns:(?://[^/]*)?/", "", url.strip())
    target = re.sub(r"^[a-z][a-z0-9+.-]*://", "", target, flags=re.I).rstrip("/")
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d+)|([^:/\[\]\s]+):(\d+)", target)
    if match is None:
        return None
    return match.group(1) or match.group(3), int(match.group(2) or match.group(4))


def connect_problem(host: str, port: int, timeout: float = 2.0) -> str | None:
    """Why a TCP connection to ``host:port`` fails (None when it opens); one short connect."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror:
        return f"host {host} is not known"
    except socket.timeout:
        return f"no answer within {timeout:g} s"
    except OSError as err:
        return (err.strerror or str(err)).lower()


def check_platform(url: str, timeout: float = 2.0) -> None:
    """A UsageError when FlyteAdmin at FLYTE_PLATFORM_URL does not accept a connection."""
    address = platform_address(url)
    problem = address and connect_problem(*address, timeout=timeout)
    if problem:
        raise UsageError(f"FlyteAdmin at FLYTE_PLATFORM_URL={url} is not reachable ({problem}); start it "
                         "(`flyte-parity local-admin start` prints its address) or fix FLYTE_PLATFORM_URL")


def staging_problem(location: str, module_dir: Path) -> str | None:
    """Why jflyte could not stage jars at FLYTE_STAGING_LOCATION (None when it can try)."""
    parsed = urllib.parse.urlsplit(location.strip())
    if not parsed.scheme or "://" not in location:
        return (f"FLYTE_STAGING_LOCATION={location} is not a URI; use file:///absolute/folder, "
                "s3://bucket/prefix or gs://bucket/prefix")
    plugin = _STAGING_PLUGINS.get(parsed.scheme)
    if plugin and not (module_dir / plugin).is_dir():
        return (f"FLYTE_STAGING_LOCATION is {parsed.scheme}:// but {module_dir} holds no {plugin} plug-in; "
                "use a jflyte build with it (make jvm) or a file:// location")
    return _file_staging_problem(location, parsed) if parsed.scheme == "file" else None


def _file_staging_problem(location: str, parsed: urllib.parse.SplitResult) -> str | None:
    if parsed.netloc not in ("", "localhost"):
        return (f"FLYTE_STAGING_LOCATION={location} names host {parsed.netloc}; use file:///absolute/folder "
                "(three slashes)")
    folder = Path(urllib.parse.unquote(parsed.path))
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"FLYTE_STAGING_LOCATION folder {folder} cannot be made ({existing} is a file); pick another folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"FLYTE_STAGING_LOCATION folder {folder} is not writable ({existing} is not); pick a folder you can write to"
    return None


def check_settings(invocation: Invocation, timeout: float = 2.0) -> None:
    """Refuse, before the JVM starts, what jflyte would fail on only late and at length: values left
    from .env.local.example (every subcommand but execute-local, which uses none of them), an
    unusable FLYTE_STAGING_LOCATION (register, serialize), an unreachable FLYTE_PLATFORM_URL
    (register: one TCP connect to the address configured)."""
    command = subcommand(invocation.args)
    if command == "execute-local":
        return
    refuse_placeholders(invocation)
    env = invocation.env
    if command in ("register", "serialize"):
        problem = staging_problem(env.get("FLYTE_STAGING_LOCATION", ""), Path(env["FLYTE_INTERNAL_MODULE_DIR"]))
        if problem:
            raise UsageError(problem)
    if command == "register":
        check_platform(env["FLYTE_PLATFORM_URL"], timeout)


# --- After the JVM: what a failed run printed, as one line naming the cause and the fix ---------

SERVICES = {  # what flytekit-java's annotation processor lists in a jar's META-INF/services
    "workflow": "org.flyte.flytekit.SdkWorkflow",
    "task": "org.flyte.flytekit.SdkRunnableTask",
    "dynamic workflow task": "org.flyte.flytekit.SdkDynamicWorkflowTask",
    "launch plan registry": "org.flyte.flytekit.SdkLaunchPlanRegistry",
}
_NOT_FOUND = (  # jflyte's words for a name it did not find, the kind of name, and the option naming it
    (re.compile(r"workflow not found \[([^\]\s]+)\]"), "workflow", "--workflow"),
    (re.compile(r"Dynamic workflow task not found: (\S+)"), "dynamic workflow task", "--task"),
    (re.compile(r"Task not found: (\S+)"), "task", "--task"),
)
STREAM_RESET = re.compile(r"INTERNAL: RST_STREAM")  # how jflyte reports an admin refusal too long for it
_DIFFERENT_STRUCTURE = re.compile(
    r"INTERNAL: RST_STREAM|INVALID_ARGUMENT: .*(?:different structure already exists|already exists with different structure)")
_TASK_FAILED = re.compile(r"ERROR org\.flyte\.jflyte\.Execute\w* - failed to run (?:task|dynamic workflow)")
_NO_PROJECT = re.compile(r"failed to validate that project \[([^\]]+)\]")
_EXCEPTION = re.compile(r"^(?:Caused by: )?((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b.*)$", re.M)
_BAD_ARGUMENTS = re.compile(r"^(?:Missing required (?:option|parameter)|Invalid value for|Unknown option|Unmatched argument)"
                            r".*$", re.M)  # picocli's answer to arguments it cannot take
FRAME = re.compile(r"^\s+at |^\s*\.\.\. \d+ more")


def not_found(output: str) -> tuple[str, str, str] | None:
    """(kind, name, option) when jflyte said it found no workflow or task of that name."""
    for pattern, kind, option in _NOT_FOUND:
        match = pattern.search(output)
        if match:
            return kind, match.group(1), option
    return None


def declared_names(jars: Iterable[Path]) -> dict[str, list[str]]:
    """The workflow, task and launch-plan registry classes the jars declare (META-INF/services)."""
    found: dict[str, set[str]] = {kind: set() for kind in SERVICES}
    for jar in jars:
        try:
            with zipfile.ZipFile(jar) as archive:
                entries = set(archive.namelist())
                for kind, service in SERVICES.items():
                    if f"META-INF/services/{service}" in entries:
                        text = archive.read(f"META-INF/services/{service}").decode("utf-8", errors="replace")
                        found[kind] |= {line.split("#", 1)[0].strip() for line in text.splitlines()} - {""}
        except (OSError, zipfile.BadZipFile):
            continue
    return {kind: sorted(names) for kind, names in found.items()}


def nearest(name: str, names: Sequence[str], n: int = 3) -> list[str]:
    """The names most like ``name`` (by whole name or by class name without its package): the best
    match and those nearly as close, at most ``n``."""
    def score(candidate: str) -> float:
        simple = (name.rsplit(".", 1)[-1], candidate.rsplit(".", 1)[-1])
        return max(difflib.SequenceMatcher(None, name, candidate).ratio(),
                   difflib.SequenceMatcher(None, *simple).ratio())

    scored = sorted(((score(candidate), candidate) for candidate in names), key=lambda pair: (-pair[0], pair[1]))
    if not scored or scored[0][0] < 0.6:
        return []
    return [candidate for value, candidate in scored[:n] if value >= scored[0][0] - 0.05]


def unknown_name(kind: str, name: str, option: str, declared: Mapping[str, Sequence[str]], where: str) -> str:
    """The line for a workflow or task name jflyte did not find, with the nearest declared names."""
    names = list(declared.get(kind, ()))
    for other, listed in declared.items():
        if other != kind and name in listed:
            return f"{name} is a {other}, not a {kind}; {_pick(option, names, kind)}"
    close = nearest(name, names)
    if close:
        return f"no {kind} {name} in {where}; did you mean {' or '.join(f'{option}={c}' for c in close)}?"
    if names:
        return f"no {kind} {name} in {where}; {_pick(option, names, kind)}"
    return (f"no {kind} {name} in {where}, which declare no {kind} (META-INF/services/{SERVICES[kind]}); "
            "fix the path or build the jars with flytekit-java")


def _pick(option: str, names: Sequence[str], kind: str) -> str:
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return f"pass one of the {len(names)} {kind}s there as {option}=NAME ({shown})" if names else \
        f"pass a {kind} as {option}=NAME"


def template_jars(template_uri: str) -> list[Path]:
    """The staged jars a task template names, when the template and its jars are local files."""
    parsed = urllib.parse.urlsplit(template_uri)
    if parsed.scheme != "file":
        return []
    try:
        data = Path(urllib.parse.unquote(parsed.path)).read_bytes()
    except OSError:
        return []
    found = (Path(urllib.parse.unquote(urllib.parse.urlsplit(m.decode("utf-8", "replace")).path))
             for m in re.findall(rb"file://[^\x00-\x20\"']+?\.jar", data))
    return [jar for jar in found if jar.is_file()]


def flytekit_java_version(folders: Iterable[Path]) -> str | None:
    """The flytekit-java version of the first flytekit-java jar in ``folders``."""
    for folder in folders:
        for jar in sorted(folder.glob("flytekit-java-*.jar")):
            match = re.fullmatch(r"flytekit-java-(\d+(?:\.\d+)*)(?:-[\w.]+)?\.jar", jar.name)
            if match:
                return match.group(1)
    return None


def random_node_ids(version: str | None) -> bool:
    """Whether this flytekit-java names unnamed nodes with a random prefix (0.4 on, ledger topic random-node-ids)."""
    if not version:
        return False
    return tuple(int(part) for part in version.split(".")[:2]) >= (0, 4)


def already_registered(output: str) -> bool:
    """Whether admin refused a workflow because its version holds another structure (jflyte reports
    it as admin's INVALID_ARGUMENT or, when that message is too long for it, as INTERNAL: RST_STREAM)."""
    return bool(_DIFFERENT_STRUCTURE.search(output))


def registered_differently(project: str, domain: str, version: str, sdk_version: str | None) -> str:
    why = ""
    if random_node_ids(sdk_version):
        why = (f" (flytekit-java {sdk_version} gives each node without an id of its own a new random prefix "
               "every time jflyte builds the workflows, so even unchanged jars differ)")
    return (f"version {version} of project {project}, domain {domain} is already registered with a different "
            f"structure{why}; register under a new -v")


def error_line(output: str) -> str:
    """The most telling line of a failed run: the root cause of the last exception, else the last line."""
    causes = _EXCEPTION.findall(output)
    roots = [line for line in output.splitlines() if line.startswith("Caused by: ")]
    line = roots[-1].removeprefix("Caused by: ") if roots else (causes[-1] if causes else "")
    if not line:
        lines = [text for text in output.splitlines() if text.strip() and not FRAME.match(text)]
        line = lines[-1] if lines else "no output"
    line = line.strip()
    return line if len(line) <= 200 else line[:199] + "…"


def explain(invocation: Invocation, code: int, output: str, log: str) -> str | None:
    """The wrapper's last line for a jflyte run that failed (None when it did not): the cause, ``;``,
    the fix. ``output`` is what jflyte printed (its tail); ``log`` names the file holding all of it."""
    command = subcommand(invocation.args)
    task_failed = command in ("execute", "execute-dynamic-workflow") and bool(_TASK_FAILED.search(output))
    if code == 0 and not task_failed:
        return None
    if code == 128 + signal.SIGINT:
        return "interrupted; jflyte was stopped, run the command again"
    missing = not_found(output)
    if missing:
        return _unknown(invocation, *missing)
    if command == "register":
        return _register_failure(invocation, code, output, log)
    bad_arguments = _BAD_ARGUMENTS.search(output)
    if bad_arguments:
        return (f"jflyte {command} refused its arguments: {bad_arguments.group(0).strip()}; fix them as its usage "
                f"says (in full: {log})")
    if task_failed:
        return f"the task failed: {error_line(output)}; fix the task or its inputs (full output: {log})"
    return f"jflyte {command} failed (exit {code}): {error_line(output)}; see the full output in {log}"


def _folder(invocation: Invocation, value: str) -> Path:
    return Path(value) if Path(value).is_absolute() else invocation.cwd / value


def _unknown(invocation: Invocation, kind: str, name: str, option: str) -> str:
    classpath = classpath_arg(invocation.args)
    if classpath is not None:
        jars, where = sorted(_folder(invocation, classpath).glob("*.jar")), f"the jars of -cp={classpath}"
    else:
        jars, where = template_jars(option_value(invocation.args, ("--taskTemplatePath",)) or ""), \
            "the jars of the task template"
    return unknown_name(kind, name, option, declared_names(jars), where)


def _register_failure(invocation: Invocation, code: int, output: str, log: str) -> str:
    args = invocation.args
    project, domain, version = (option_value(args, names) or "?" for names in
                                (("-p", "--project"), ("-d", "--domain"), ("-v", "--version")))
    if already_registered(output):
        classpath = classpath_arg(args)
        folders = [_folder(invocation, classpath)] if classpath else []
        return registered_differently(project, domain, version, flytekit_java_version([*folders, invocation.lib]))
    outcome = read_outcome(code, output)
    label = f"register failed: {outcome.label()}" + (f" (exit {code})" if outcome.status or outcome.crash else "")
    if outcome.status == "UNAVAILABLE":
        return f"{label}; check that FlyteAdmin at {invocation.env.get('FLYTE_PLATFORM_URL')} runs, then run again"
    unknown_project = _NO_PROJECT.search(output)
    if unknown_project:
        return f"{label}; pass a project admin has as -p, or create {unknown_project.group(1)} there first"
    return f"{label}; see the full output in {log}"


def usage(words: Sequence[str]) -> str | None:
    """jflyte's own usage text for the subcommand ``words`` (or its list of subcommands); None when
    jflyte is not built or java is missing (it is never built for this)."""
    lib = paths.jflyte_lib()
    if not any(lib.glob("jflyte-*.jar")):
        return None
    try:
        java = find_java(os.environ)
    except UsageError:
        return None
    env = {**os.environ, "FLYTE_INTERNAL_MODULE_DIR": str(paths.jflyte_modules())}
    result = launches.run([java, *JVM_FLAGS, *START_FLAGS, "-cp", f"{lib}/*", MAIN_CLASS, "jflyte", *words],
                          timeout=60, env=env, stdin=subprocess.DEVNULL)
    lines = [line for line in (result.stdout + result.stderr).splitlines()
             if not line.startswith(("Unknown option", "Missing required", "Unmatched argument"))]
    text = "\n".join(lines).replace("<main class> jflyte", "jflyte").replace("Usage: jflyte", "Usage: " + WRAPPER)
    return text.strip() or None
