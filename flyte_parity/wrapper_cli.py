"""Argument handling of scripts/jflyte_wrapper.py: its own options (``--env-file``, ``--debug``,
``--help``), then jflyte's arguments. jflyte's full output goes to a log file; the console gets the
wrapper's lines and jflyte's results, and every failure ends with one line ``jflyte_wrapper:
<cause>; <fix>``. After ``register``, what FlyteAdmin now holds (read back from admin), one line
per entity kind."""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Sequence

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.sdk import jflyte

PREFIX = "jflyte_wrapper: "
TAIL_LINES = 5  # jflyte's last lines shown on failure
KEEP_LOGS = 20  # log files kept per folder
# Shown without --debug: execute-local's result (jflyte logs it); jflyte's stdout is what tasks print.
_RESULT = re.compile(r"org\.flyte\.jflyte\.ExecuteLocal - Outputs: ")
_CHATTER = re.compile(r"^\[[^\]]*\] (?:INFO|DEBUG|TRACE) ")

HELP = """\
usage: python scripts/jflyte_wrapper.py [--env-file PATH] [--debug] <jflyte subcommand> [its arguments]

Runs flytekit-java's jflyte on the local JVM, without Docker. Every argument but the wrapper's own
options goes to jflyte unchanged; the exit code is jflyte's (1 when a task run through `execute`
failed, 2 when the wrapper refused the call before starting jflyte).

The wrapper's options:
  --env-file PATH  read settings from PATH instead of .env.local in the current folder
  --debug          print the java command, the FLYTE_* settings (secrets as ***) and all of
                   jflyte's output as it comes
  -h, --help       this help, then jflyte's own (for a subcommand: `register workflows --help`)

Settings, from the environment, else .env.local (copy .env.local.example and fill it in):
  FLYTE_PLATFORM_URL         FlyteAdmin's gRPC host:port (register; one TCP connect checks it first)
  FLYTE_PLATFORM_INSECURE    True for plaintext gRPC
  FLYTE_STAGING_LOCATION     where register puts the jars: file:///folder, s3://... (FLYTE_AWS_*),
                             gs://... (FLYTE_GCP_*)
  FLYTE_INTERNAL_IMAGE       the container image registered tasks run in
  FLYTE_AWS_ACCESS_KEY_ID, FLYTE_AWS_SECRET_ACCESS_KEY, FLYTE_AWS_ENDPOINT   S3 staging
  FLYTE_INTERNAL_MODULE_DIR  jflyte's plug-ins (default: the build's)
  FLYTE_PARITY_JVM_BUILD     the JVM build to use (default jvm/target/current, built when missing)
Settings a subcommand does not use get harmless defaults. Values left from .env.local.example
are refused before jflyte starts (execute-local uses none of them). The values of
FLYTE_AWS_ACCESS_KEY_ID, FLYTE_AWS_SECRET_ACCESS_KEY and of any variable whose name contains
SECRET, TOKEN or PASSWORD are never printed, by the wrapper or by jflyte.

Output: the wrapper's own lines (`jflyte_wrapper: ...`), execute-local's Outputs line and what
tasks print. On failure, jflyte's last lines and one line with the cause and the fix. jflyte's
full output goes to a log file in .flyte-parity/logs/ of the current folder, named on failure.
"""


def split_args(argv: Sequence[str]) -> tuple[Path | None, bool, list[str]]:
    """Take ``--env-file PATH``/``--env-file=PATH`` and ``--debug``; the rest goes to jflyte."""
    env_file: Path | None = None
    debug = False
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--env-file":
            if i + 1 >= len(items):
                raise UsageError("--env-file needs a path; pass --env-file PATH")
            env_file = Path(items[i + 1])
            i += 2
            continue
        if arg.startswith("--env-file="):
            env_file = Path(arg.split("=", 1)[1])
        elif arg == "--debug":
            debug = True
        else:
            rest.append(arg)
        i += 1
    return env_file, debug, rest


def wants_help(args: Sequence[str]) -> bool:
    return any(arg in ("-h", "--help") for arg in args)


def help_text(args: Sequence[str]) -> str:
    """The wrapper's help, then jflyte's usage for the subcommand named in ``args`` (or its list)."""
    words = [arg for arg in args if not arg.startswith("-")][:2]
    own = jflyte.usage(words)
    if own is None:
        own = ("(jflyte is not built yet: run `make jvm` to see its options) "
               "execute-local, serialize workflows, register workflows, execute, execute-dynamic-workflow")
    what = (f"jflyte's own `{' '.join(words)}` follows:" if words else
            "jflyte's own subcommands follow (`<subcommand> --help` shows one's options):")
    return f"{HELP}\n{what}\n\n{own}\n"


def say(line: str) -> None:
    print(f"{PREFIX}{line}", file=sys.stderr)


def main(argv: Sequence[str]) -> int:
    debug = "--debug" in argv
    try:
        return _main(argv)
    except Exception as err:  # noqa: BLE001 - the user gets one line; --debug shows the traceback
        if debug:
            traceback.print_exc()
        say(f"internal error: {type(err).__name__}: {err}; run again with --debug for the traceback")
        return 1


def _main(argv: Sequence[str]) -> int:
    try:
        env_file, debug, args = split_args(argv)
        if wants_help(args):
            print(help_text(args), end="")
            return 0
        invocation = jflyte.prepare(args, env_file=env_file)
        jflyte.check_settings(invocation)
    except UsageError as err:
        say(str(err))
        return err.exit_code
    if debug:
        say(invocation.describe())
    log_path, log = open_log(jflyte.subcommand(args) or "jflyte", invocation)
    copies = jflyte.Copies(keep=[], log=log, show=None if debug else shown)
    if jflyte.subcommand(args) == "register" and version_held(invocation):
        # jflyte retries a refusal it reads as RST_STREAM for half a minute; at a version admin
        # already holds, that refusal is the different structure: no retry can change it.
        copies.stop_on = jflyte.STREAM_RESET
    # jflyte copies a task's staged jars into its temporary folder and never removes them: a folder
    # of this run's own, removed after it, as a container's /tmp goes with the container.
    scratch = Path(tempfile.mkdtemp(prefix="jflyte-wrapper-"))
    invocation.java_options = [*invocation.java_options, f"-Djava.io.tmpdir={scratch}"]
    try:
        code = jflyte.run(invocation, copies=copies)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if log is not None:
            log.close()
    code = 1 if copies.stopped.is_set() else code
    printed = "".join(copies.keep or [])
    where = jflyte.display_path(log_path, invocation.cwd) if log_path else "(no log file could be written)"
    failure = jflyte.explain(invocation, code, printed, where)
    if failure is not None:
        if not debug and code != 128 + signal.SIGINT:
            show_tail(copies.keep or [], copies.count, where, sys.stderr)
        say(failure)
        return code or 1
    if jflyte.subcommand(args) == "register":
        for line in register_summary(invocation):
            say(line)
    return code


def shown(stream: str, line: str) -> bool:
    """Whether a line of jflyte's reaches the console without --debug: what tasks print (stdout) and
    execute-local's result; the rest is in the log."""
    return stream == "stdout" or bool(_RESULT.search(line))


def show_tail(lines: Sequence[str], count: int, log: str, out: IO[str]) -> None:
    """jflyte's last few lines (stack frames and INFO lines left out), under a line naming the full log."""
    telling = [line.rstrip("\n") for line in lines if line.strip() and not jflyte.FRAME.match(line)]
    tail = ([line for line in telling if not _CHATTER.search(line)] or telling)[-TAIL_LINES:]
    if not tail:
        return
    out.write(f"jflyte's last lines (all {count} in {log}):\n")
    for line in tail:
        out.write(f"  {line if len(line) <= 300 else line[:299] + '…'}\n")
    out.flush()


def open_log(command: str, invocation: jflyte.Invocation) -> tuple[Path | None, IO[str] | None]:
    """A new log file for this run in .flyte-parity/logs/ of the current folder (else of the user
    cache), headed by the command and settings (secrets masked); the oldest logs beyond
    KEEP_LOGS go."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for folder in (invocation.cwd / ".flyte-parity" / "logs", paths.cache_dir() / "logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"jflyte-{command}-{stamp}-{os.getpid()}.log"
            log = path.open("w", encoding="utf-8")
        except OSError:
            continue
        log.write(f"# {invocation.describe()}\n")
        prune_logs(folder)
        return path, log
    return None, None


def prune_logs(folder: Path, keep: int = KEEP_LOGS) -> None:
    logs = sorted(folder.glob("jflyte-*.log"), key=lambda p: p.stat().st_mtime)
    for old in logs[:-keep]:
        old.unlink(missing_ok=True)


def version_held(invocation: jflyte.Invocation, timeout: float = 5.0) -> bool:
    """Whether admin already holds, at the version ``register`` is given, a workflow the -cp jars
    declare; False when that cannot be read (no gRPC in this Python, admin's error)."""
    args = invocation.args
    project, domain, version, classpath = (jflyte.option_value(args, names) for names in
                                           (("-p", "--project"), ("-d", "--domain"), ("-v", "--version"),
                                            ("-cp", "--classpath")))
    address = invocation.env.get("FLYTE_PLATFORM_URL", "")
    if not (project and domain and version and classpath and address):
        return False
    folder = Path(classpath) if Path(classpath).is_absolute() else invocation.cwd / classpath
    workflows = jflyte.declared_names(sorted(folder.glob("*.jar")))["workflow"]
    try:
        import grpc
        from flyteidl.admin import common_pb2
        from flyte_parity.services.admin_client import admin_stub, identifier
    except ImportError:
        return False
    secure = invocation.env.get("FLYTE_PLATFORM_INSECURE", "").strip().lower() != "true"
    with admin_stub(address, secure) as stub:
        for name in workflows:
            request = common_pb2.ObjectGetRequest(id=identifier("workflow", project, domain, name, version))
            try:
                stub.GetWorkflow(request, timeout=timeout)
                return True
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    return False
    return False


def register_summary(invocation: jflyte.Invocation) -> list[str]:
    """What a successful ``register workflows`` call left in admin, counted from admin's own answers."""
    args = invocation.args
    project, domain, version = (jflyte.option_value(args, names) for names in
                                (("-p", "--project"), ("-d", "--domain"), ("-v", "--version")))
    address = invocation.env.get("FLYTE_PLATFORM_URL", "")
    insecure = invocation.env.get("FLYTE_PLATFORM_INSECURE", "").strip().lower() == "true"
    if not (project and domain and version and address):
        return []
    try:  # gRPC and flyteidl come with the project's virtualenv; the wrapper itself needs neither
        from flyte_parity.services.admin_client import AdminError, count_registered
    except ImportError:
        return ["registered (exit 0); to see what admin now holds, run the wrapper with the project's "
                "virtualenv: .venv/bin/python scripts/jflyte_wrapper.py"]
    try:
        counts = count_registered(address, project, domain, version, secure=not insecure)
    except AdminError as err:
        return [f"registered (exit 0), but admin could not be read back: {err}"]
    return counts.lines()
