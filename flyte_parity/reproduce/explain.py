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

from flyteidl.core import literals_pb2

from flyte_parity.base import paths, versions
from flyte_parity.base.errors import UsageError
from flyte_parity.base.secrets import is_secret
from flyte_parity.data.catalogue import TWINS, Catalogue, Pair, TypeEntry
from flyte_parity.data.ledger import Divergence, Ledger
from flyte_parity.data.version_spec import matches
from flyte_parity.sdk import jflyte
from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.sdk.container import RunFolder, substitute
from flyte_parity.sdk.jvm import JvmDriver, render_input
from flyte_parity.sdk.python import PythonDriver
from flyte_parity.sdk.pyflyte_serialize import IMAGE

# The kinds of entry a reproducer is written for, in order of preference: a type row's value
# through both entrypoints (the same inputs.pb), a pair's execute-local case, a task template's
# field as each SDK serializes it.
MODES = ("types", "execute-local", "idl")
CASE = re.compile(r'^case\["([^"]+)"\]\.')
TASK = re.compile(r'^task\["([^"]+)"\]\.template\.(.+)$')
VALUE = re.compile(r'^value\["([^"]+)"\]\.(outputs|error|outcome)\b')
HERE = "/REPRODUCER_DIR"  # the folder's path in the commands, replaced by "$DIR" (the folder, when run)


@dataclass(frozen=True)
class Choice:
    """The entry a reproducer shows, its pair (or type row) and the kind of reproducer."""

    entry: Divergence
    pair: Pair | TypeEntry
    mode: str


def choose(ledger: Ledger, catalogue: Catalogue, topic: str, java: str) -> Choice:
    """The smallest case that shows ``topic`` at flytekit-java ``java``, in a mode with plain commands."""
    if topic not in ledger.topics:
        raise UsageError(f"no ledger topic {topic!r}; the topics are: {', '.join(sorted(ledger.topics))}")
    pairs = {p.id: p for p in catalogue.pairs if not p.absent}
    pairs.update({t.id: t for t in catalogue.types if not t.unavailable})
    entries = [d for d in ledger.entries if d.topic == topic]
    if not entries:
        raise UsageError(f"topic {topic} has no ledger entries (its evidence is the value rule "
                         f"{ledger.topics[topic].value_rule!r}: see reports/values.md); a reproducer is written for "
                         "entries only")
    candidates = []
    for entry in entries:
        if entry.pair not in pairs or not matches(entry.flytekit_java, java):
            continue
        kind = _kind(entry)
        if kind is None:
            continue
        pair = pairs[entry.pair]
        candidates.append(((MODES.index(kind), pair.source.name.startswith("upstream"), entry.pair, entry.path),
                           Choice(entry, pair, kind)))
    if not candidates:
        seen = sorted({d.mode for d in entries})
        raise UsageError(f"topic {topic} is seen at flytekit-java {java} only in modes {', '.join(seen)}, and "
                         "reproducers are written for type rows' values, execute-local cases and task template "
                         "fields; its ledger entries and reports/parity-matrix.md show the evidence")
    return min(candidates, key=lambda c: c[0])[1]


def _kind(entry: Divergence) -> str | None:
    """The kind of reproducer an entry can have, or None."""
    if entry.mode == "types":
        return "types" if VALUE.match(entry.path) else None
    if entry.mode == "execute-local" and CASE.match(entry.path):
        return "execute-local"
    if entry.mode == "idl" and TASK.match(entry.path):
        return "idl"
    return None


def _jvm_files(class_name: str) -> list[Path]:
    """The JVM source file of a class, and those of the classes of its package it names."""
    package, _, simple = class_name.rpartition(".")
    folder_parts = package.split(".")
    in_package = [p for p in (paths.REPO_ROOT / "jvm").rglob("*.*")
                  if p.suffix in (".java", ".scala") and p.parent.parts[-len(folder_parts):] == tuple(folder_parts)
                  and "target" not in p.parts]
    found = [p for p in in_package if p.stem == simple]
    if not found:  # Scala: a file may hold several classes
        declares = re.compile(rf"\b(?:class|object|trait)\s+{re.escape(simple)}\b")
        found = [p for p in in_package if p.suffix == ".scala" and declares.search(p.read_text(encoding="utf-8"))]
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


def _jflyte_line(args: list[str], cwd: Path, settings: dict[str, str] | None = None,
                 java_options: list[str] | None = None) -> str:
    """The plain command the suite runs for these jflyte arguments (relative paths from ``cwd``;
    ``settings``: FLYTE_* variables it is given; ``java_options``: system properties): java with
    its settings."""
    base = {**{k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}, **(settings or {})}
    invocation = jflyte.prepare(args, base_env=base, cwd=cwd)
    invocation.java_options = list(java_options or [])
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
    if choice.mode == "types":
        jvm, python, show, case_text = _types(choice, out, twin)
    elif choice.mode == "execute-local":
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
                                f"cd \"$(dirname \"$0\")\"\nDIR=\"$(pwd)\"\n{jvm}\n", encoding="utf-8")
    (out / "python.sh").write_text(f"#!/bin/sh\n# flytekit {versions.flytekit()}\ncd \"$(dirname \"$0\")\"\n"
                                   f"DIR=\"$(pwd)\"\nPATH={shlex.quote(str(Path(sys.executable).parent))}:$PATH\n"
                                   f"{python}\n", encoding="utf-8")
    (out / "reproduce.sh").write_text(REPRODUCE.replace("@SHOW@", show), encoding="utf-8")
    for script in ("jvm.sh", "python.sh", "reproduce.sh"):
        (out / script).chmod(0o755)
    (out / "README.md").write_text(_report(choice, ledger, topic, jvm_files, twin, case_text, java), encoding="utf-8")
    return out


def _types(choice: Choice, out: Path, twin: Path) -> tuple[str, str, str, str]:
    """A type row's value: the same inputs.pb to each side's identity task through its own
    entrypoint (``jflyte execute``, ``pyflyte-execute``), with the task template each SDK
    serializes and the placeholders propeller fills in, as the suite runs them."""
    entry: TypeEntry = choice.pair
    name = VALUE.match(choice.entry.path).group(1)
    inputs = literals_pb2.LiteralMap()
    inputs.literals["value"].CopyFrom(literal_from_spec(entry.values[name]))
    with tempfile.TemporaryDirectory(prefix="flyte-parity-explain-") as tmp:
        jvm_spec = _serialized_task(JvmDriver(Path(tmp) / "jvm").serialize(entry.source), entry.jvm)
        python_driver = PythonDriver(Path(tmp) / "python")
        try:
            python_spec = _serialized_task(python_driver.serialize(TWINS), entry.python_entity)
        finally:
            python_driver.close()
    commands = {}
    for side, spec in (("jvm", jvm_spec), ("python", python_spec)):
        RunFolder(out / "run" / side).prepare(spec.template, inputs)
        placed = RunFolder(Path(HERE) / "run" / side)
        commands[side] = substitute(list(spec.template.container.args), placed.values())
    identity = dict(zip(JvmDriver.IMITATION_ENV, ["flyte-parity", "development", "local"] * 2))
    # jflyte copies a task's staged jars into a temporary folder it never removes: the run's own
    jvm = "mkdir -p run/jvm/tmp && " + _jflyte_line(commands["jvm"][1:], out, identity,
                                                    [f"-Djava.io.tmpdir={HERE}/run/jvm/tmp"])
    env = {**{k: v for k, v in spec_env(python_spec).items()}, **dict(entry.python_env), "PYTHONPATH": "."}
    python = "cd python && " + _shell(env, ["pyflyte-execute", *commands["python"][1:]])
    jvm, python = (line.replace(HERE, '"$DIR"') for line in (jvm, python))
    show = f'{shlex.quote(sys.executable)} show.py\n'
    (out / "show.py").write_text(SHOW_ANSWERS, encoding="utf-8")
    package = twin.parent
    (out / "python" / package.name).mkdir()
    shutil.move(str(out / "python" / twin.name), str(out / "python" / package.name / twin.name))
    (out / "python" / package.name / "__init__.py").write_text("", encoding="utf-8")
    text = f"sending the value `{name}` of the type row {entry.id} as the same inputs.pb to each side's identity task"
    return jvm, python, show, text


def spec_env(spec) -> dict[str, str]:
    return {item.key: item.value for item in spec.template.container.env}


def _serialized_task(folder: Path, name: str):
    """The TaskSpec an SDK serialized for a task of that name."""
    from flyteidl.admin import task_pb2
    found = sorted(folder.glob(f"*_{name}_1.pb"))
    if not found:
        raise UsageError(f"no serialized task {name} in {folder}; check the catalogue's task names")
    return task_pb2.TaskSpec.FromString(found[0].read_bytes())


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


SHOW_ANSWERS = '''"""What each side's task wrote: its outputs, or its error document (needs only flyteidl)."""
from pathlib import Path

from flyteidl.core import errors_pb2, literals_pb2

for side in ("jvm", "python"):
    folder = Path("run", side, "outputs")
    if (folder / "outputs.pb").is_file():
        outputs = literals_pb2.LiteralMap.FromString((folder / "outputs.pb").read_bytes())
        print(f"{side}: returned " + " ".join(str(outputs.literals["value"]).split()))
    elif (folder / "error.pb").is_file():
        error = errors_pb2.ErrorDocument.FromString((folder / "error.pb").read_bytes())
        fields = error.error.DESCRIPTOR.fields_by_name
        kind = fields["kind"].enum_type.values_by_number[error.error.kind].name
        origin = fields["origin"].enum_type.values_by_number[error.error.origin].name
        print(f"{side}: failed {error.error.code} (kind {kind}, origin {origin})")
        print("  " + (error.error.message.strip().splitlines() or [""])[-1][:300])
    else:
        print(f"{side}: wrote neither outputs.pb nor error.pb")
'''

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
