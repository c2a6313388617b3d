"""``flyte-parity explain TOPIC``: a folder that reproduces one ledger topic without flyte-parity.

The smallest case that shows the topic is chosen from its ledger entries (the project's own JVM
code before upstream examples, a mode this module can write plain commands for: ``execute-local``
and ``idl``). The folder holds the JVM source files and the Python twin, one script per SDK with
the exact ``jflyte`` / ``pyflyte`` command (jflyte as the suite runs it: ``java -cp <jflyte>/*
org.flyte.jflyte.Main jflyte ...`` with its settings, the build's class-data archive aside),
``reproduce.sh`` that runs both and prints what each side gave in the ledger's terms, and
README.md: a draft upstream report (title, versions, steps, expected against actual, the SDK
source the ledger cites, and what each side gave at each flytekit-java version the ledger holds).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flyte_parity.base import paths, versions
from flyte_parity.base.errors import UsageError
from flyte_parity.base.secrets import is_secret
from flyte_parity.data.catalogue import Catalogue, Pair
from flyte_parity.data.ledger import Divergence, Ledger
from flyte_parity.data.version_spec import matches
from flyte_parity.sdk import jflyte
from flyte_parity.sdk.jvm import JvmDriver, render_input
from flyte_parity.sdk.pyflyte_serialize import IMAGE

MODES = ("execute-local", "idl")  # the modes a reproducer is written for, in order of preference
CASE = re.compile(r'^case\["([^"]+)"\]\.')
TASK = re.compile(r'^task\["([^"]+)"\]\.template\.(.+)$')


@dataclass(frozen=True)
class Choice:
    """The entry a reproducer shows, its pair and the mode it is written for."""

    entry: Divergence
    pair: Pair
    mode: str


def choose(ledger: Ledger, catalogue: Catalogue, topic: str, java: str) -> Choice:
    """The smallest case that shows ``topic`` at flytekit-java ``java``, in a mode with plain commands."""
    if topic not in ledger.topics:
        raise UsageError(f"no ledger topic {topic!r}; the topics are: {', '.join(sorted(ledger.topics))}")
    pairs = {p.id: p for p in catalogue.pairs if not p.absent}
    entries = [d for d in ledger.entries if d.topic == topic]
    if not entries:
        raise UsageError(f"topic {topic} has no ledger entries (its evidence is the value rule "
                         f"{ledger.topics[topic].value_rule!r}: see reports/values.md); a reproducer is written for "
                         "entries only")
    candidates = []
    for entry in entries:
        modes = [m for m in MODES if m == entry.mode]
        if not modes or entry.pair not in pairs or not matches(entry.flytekit_java, java):
            continue
        if modes[0] == "execute-local" and not CASE.match(entry.path):
            continue
        if modes[0] == "idl" and not TASK.match(entry.path):
            continue
        pair = pairs[entry.pair]
        candidates.append(((MODES.index(modes[0]), pair.source.name.startswith("upstream"), entry.pair, entry.path),
                           Choice(entry, pair, modes[0])))
    if not candidates:
        seen = sorted({d.mode for d in entries})
        raise UsageError(f"topic {topic} is seen at flytekit-java {java} only in modes {', '.join(seen)}, and "
                         f"reproducers are written for {', '.join(MODES)} (a task's template field); "
                         "its ledger entries and reports/parity-matrix.md show the evidence")
    return min(candidates, key=lambda c: c[0])[1]


def _jvm_files(class_name: str) -> list[Path]:
    """The JVM source file of a class, and those of the classes of its package it names."""
    package, _, simple = class_name.rpartition(".")
    folder_parts = package.split(".")
    found = [p for p in (paths.REPO_ROOT / "jvm").rglob(f"{simple}.*")
             if p.suffix in (".java", ".scala") and p.parent.parts[-len(folder_parts):] == tuple(folder_parts)
             and "target" not in p.parts]
    if not found:
        raise UsageError(f"no source file of {class_name} under jvm/; check the catalogue's class name")
    main = sorted(found)[0]
    text = main.read_text(encoding="utf-8")
    named = [p for p in sorted(main.parent.iterdir()) if p != main and p.suffix == main.suffix and
             re.search(rf"\b{re.escape(p.stem)}\b", text)]
    return [main, *named]


def _shell(env: dict[str, str], command: list[str]) -> str:
    settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
    return f"env {settings} {shlex.join(command)}" if settings else shlex.join(command)


def _jflyte_line(args: list[str], cwd: Path) -> str:
    """The plain command the suite runs for these jflyte arguments (relative paths from ``cwd``):
    java with its settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    invocation = jflyte.prepare(args, base_env=base, cwd=cwd)
    env = {k: v for k, v in invocation.env.items() if k.startswith("FLYTE_") or k == "LC_ALL"}
    if any(is_secret(k) for k in env):
        raise UsageError("jflyte's settings here include a secret; a reproducer never writes one: unset it")
    command = [c for c in invocation.command() if not c.startswith("-XX:SharedArchiveFile=")]
    build = paths.jflyte_lib().parent.parent  # jvm/target/current: the build in use, a link that moves
    pinned = lambda text: text.replace(str(build), str(build.resolve()))  # noqa: E731
    return _shell({k: pinned(v) for k, v in env.items()}, [pinned(c) for c in command])


def write(choice: Choice, ledger: Ledger, out: Path, java: str) -> Path:
    """Write the reproducer folder for ``choice`` into ``out`` (which must not exist yet)."""
    if out.exists():
        raise UsageError(f"{out} exists; name a new folder with --out, or remove it")
    pair, entry = choice.pair, choice.entry
    topic = ledger.topics[entry.topic]
    module, _, python_name = pair.python.partition(":")
    twin = paths.REPO_ROOT / Path(*module.split(".")).with_suffix(".py")
    (out / "jvm").mkdir(parents=True)
    (out / "python").mkdir()
    jvm_files = _jvm_files(pair.jvm)
    for path in jvm_files:
        shutil.copy2(path, out / "jvm" / path.name)
    shutil.copy2(twin, out / "python" / twin.name)
    lib = str(Path(pair.source.lib).resolve())
    stem = twin.stem
    if choice.mode == "execute-local":
        case = CASE.match(entry.path).group(1)
        inputs = pair.inputs[case]
        with tempfile.TemporaryDirectory(prefix="flyte-parity-explain-") as tmp:
            interface = JvmDriver(Path(tmp)).interface(pair.source, pair.jvm)
        arguments = [f"--{k}={render_input(v, interface.inputs.variables[k].type)}" for k, v in inputs.items()]
        jvm = _jflyte_line(["execute-local", f"-cp={lib}", f"--workflow={pair.jvm}", *arguments], out)
        python = shlex.join(["pyflyte", "run", f"python/{twin.name}", python_name,
                             *[a for k, v in inputs.items() for a in (f"--{k}", str(v))]])
        show = ('echo "jvm: $(outcome "$jvm")"; tail -n 3 out/jvm.log\n'
                'echo "python: $(outcome "$python")"; grep -h -o "[A-Za-z]*Error: .*" out/python.log | tail -n 1\n')
        case_text = f"the input case `{case}` ({', '.join(f'{k} = {v}' for k, v in inputs.items())})"
    else:
        task_path = TASK.match(entry.path).group(2)
        (out / "out" / "jvm").mkdir(parents=True)  # jflyte wants the folder it writes into
        jvm = "mkdir -p out/jvm && " + _jflyte_line(["serialize", "workflows", f"-cp={lib}", "-f", "out/jvm"], out)
        python = (f"mkdir -p out/python && (cd python && {shlex.join(['pyflyte', '--pkgs', stem, 'serialize', '--image', IMAGE, 'workflows', '-f', '../out/python'])})")
        jvm_task = TASK.match(entry.path).group(1)
        (out / "show.py").write_text(SHOW.replace("@PATH@", task_path).replace("@JVM_TASK@", jvm_task), encoding="utf-8")
        show = f'{shlex.quote(sys.executable)} show.py\n'
        case_text = f"serializing the pair's workflows (`{pair.jvm}`, `{pair.python}`)"
    (out / "jvm.sh").write_text(f"#!/bin/sh\n# flytekit-java {java}: jflyte from {paths.jflyte_lib().resolve()}\n"
                                f"cd \"$(dirname \"$0\")\"\n{jvm}\n", encoding="utf-8")
    (out / "python.sh").write_text(f"#!/bin/sh\n# flytekit {versions.flytekit()}\ncd \"$(dirname \"$0\")\"\n"
                                   f"PATH={shlex.quote(str(Path(sys.executable).parent))}:$PATH\n{python}\n",
                                   encoding="utf-8")
    (out / "reproduce.sh").write_text(REPRODUCE.replace("@SHOW@", show), encoding="utf-8")
    for script in ("jvm.sh", "python.sh", "reproduce.sh"):
        (out / script).chmod(0o755)
    (out / "README.md").write_text(_report(choice, ledger, topic, jvm_files, twin, case_text, java), encoding="utf-8")
    return out


def _report(choice: Choice, ledger: Ledger, topic, jvm_files, twin: Path, case_text: str, java: str) -> str:
    entry, pair = choice.entry, choice.pair
    seen = [d for d in ledger.entries if d.topic == entry.topic and d.pair == entry.pair and d.path == entry.path
            and d.mode == entry.mode]
    others = sorted({d.pair for d in ledger.entries if d.topic == entry.topic} - {entry.pair})
    lines = [f"# {entry.topic}: {pair.jvm} (flytekit-java) and {pair.python} (flytekit) differ",
             "", "A reproducer written by `flyte-parity explain`; it needs only the two SDKs.", "",
             "## Versions", "", f"- {versions.line()}", f"- Python {sys.version.split()[0]}",
             f"- jflyte: {paths.jflyte_lib().resolve()} (point `jvm.sh` at your own jflyte installation's jars)", "",
             "## Steps", "", f"Run `./reproduce.sh`: it runs `jvm.sh` and `python.sh` ({case_text}) and prints",
             "what each side gave.", "",
             f"- JVM: {', '.join(f'`jvm/{p.name}`' for p in jvm_files)} (the workflow `{pair.jvm}` and the classes it names)",
             f"- Python: `python/{twin.name}` (`{pair.python}`)", "",
             "## Expected and actual", "",
             f"Both SDKs should give the same at `{entry.path}` ({choice.mode}). They do not:", "",
             f"- flytekit-java: `{entry.jvm}`", f"- flytekit: `{entry.python}`", "",
             "## Why", "", topic.why, "", "## Upstream source", "", topic.source, ""]
    if topic.issue:
        lines += ["## Upstream issues", "", topic.issue, ""]
    else:
        lines += ["## Upstream issues", "", "None known: this report is a candidate to file.", ""]
    if getattr(topic, "related", ""):
        lines += ["Related: " + topic.related, ""]
    lines += ["## At each flytekit-java version the suite ran", "",
              "| flytekit-java | flytekit | flytekit-java gave | flytekit gave |", "| --- | --- | --- | --- |"]
    for version in ledger.flytekit_java_versions:
        here = list({(d.flytekit, d.jvm, d.python): d for d in seen if matches(d.flytekit_java, version)}.values())
        for d in here:
            lines.append(f"| {version} | {', '.join(d.flytekit) or 'any'} | `{d.jvm}` | `{d.python}` |")
        if not here:
            lines.append(f"| {version} | | (not seen: the same, or the case does not exist there) | |")
    if others:
        lines += ["", f"The same topic is in the ledger for {len(others)} other pair(s): {', '.join(others)}."]
    return "\n".join(lines) + "\n"


REPRODUCE = """#!/bin/sh
# Runs both SDKs on the same case and prints what each gave.
cd "$(dirname "$0")"
mkdir -p out
outcome() { if [ "$1" -eq 0 ]; then echo succeeded; else echo "failed (exit $1)"; fi; }
./jvm.sh > out/jvm.log 2>&1; jvm=$?
./python.sh > out/python.log 2>&1; python=$?
@SHOW@"""

SHOW = '''"""Each task template's field, as each SDK serialized it (needs only flyteidl)."""
from pathlib import Path

from flyteidl.admin import task_pb2

PATH = "@PATH@"
FILES = {"jvm": "*_@JVM_TASK@_1.pb", "python": "*_1.pb"}  # jflyte writes every task of its jars: the case's one


def value(message, path):
    for name in path.split("."):
        if message.DESCRIPTOR.fields_by_name[name].message_type is not None and not message.HasField(name):
            return "<absent>"
        message = getattr(message, name)
    if hasattr(message, "DESCRIPTOR") and message.DESCRIPTOR.full_name.startswith("google.protobuf.") \\
            and "value" in message.DESCRIPTOR.fields_by_name:
        return f"{message.DESCRIPTOR.name}({message.value!r})"
    return str(message).strip().replace("\\n", " ") if hasattr(message, "DESCRIPTOR") else repr(message)


for side in ("jvm", "python"):
    for path in sorted(Path("out", side).glob(FILES[side])):
        spec = task_pb2.TaskSpec.FromString(path.read_bytes())
        print(f"{side} {spec.template.id.name or path.name}: template.{PATH} = {value(spec.template, PATH)}")
'''
