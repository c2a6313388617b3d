"""Schema drift: the Flyte IDL descriptors flytekit sees (flyteidl from PyPI) against those
compiled into the JVM side (the flyteidl-protos jar on jflyte's classpath, dumped by our
jvm/idl-descriptors tool), with what each SDK emits; written as a markdown report."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from google.protobuf import descriptor_pb2
from google.protobuf.message import Message

from flyte_parity.base import paths, versions
from flyte_parity.base.errors import UsageError
from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import TWINS
from flyte_parity.idl.diff import Difference
from flyte_parity.idl.schema import DriftItem, drift, index, set_fields
from flyte_parity.modes.base import SITUATIONS, Mode, Subject, Verdict
from flyte_parity.modes.registry import register

ROW = "schema/flyteidl"  # its one matrix row (and ledger pair)


def _tool_jar() -> Path:
    return paths.jvm_build() / "build" / "idl-descriptors" / "idl-descriptors-0.1.0-SNAPSHOT.jar"


def jvm_descriptors(out: Path) -> descriptor_pb2.FileDescriptorSet:
    """Run our dump tool on jflyte's classpath; returns what it wrote."""
    java = shutil.which("java")
    if java is None or not _tool_jar().is_file() or not any(paths.jflyte_lib().glob("flyteidl-protos-*.jar")):
        raise UsageError("the JVM side is not built (java, jvm/idl-descriptors or jflyte missing); run `make jvm`")
    classpath = f"{_tool_jar()}:{paths.jflyte_lib()}/*"
    result = subprocess.run([java, "-cp", classpath, "dev.flyteparity.idl.DumpDescriptors", str(out)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"DumpDescriptors exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(out.read_bytes())
    return files


def python_descriptors() -> descriptor_pb2.FileDescriptorSet:
    """Every flyteidl *_pb2 module flytekit's flyteidl installs, as a FileDescriptorSet."""
    import flyteidl

    files = descriptor_pb2.FileDescriptorSet()
    seen = set()
    for module in pkgutil.walk_packages(flyteidl.__path__, "flyteidl."):
        if not module.name.endswith("_pb2"):
            continue
        try:
            loaded = importlib.import_module(module.name)
        except ImportError:
            continue  # a module needing an optional package (grpc gateway options, ...)
        descriptor = loaded.DESCRIPTOR
        if descriptor.name not in seen:
            seen.add(descriptor.name)
            descriptor.CopyToProto(files.file.add())
    return files


def emitted(entity_sets: Iterable) -> set[str]:
    """Fields set anywhere in the tasks, workflows and launch plans of these entity sets."""
    messages: list[Message] = []
    for entities in entity_sets:
        messages += [*entities.tasks.values(), *entities.workflows.values(), *entities.launch_plans.values()]
    return set_fields(messages)


def emitted_note(item: DriftItem, jvm_emits: set[str], python_emits: set[str]) -> str:
    if item.kind == "field type":
        writers = [side for side, names in (("jflyte", jvm_emits), ("flytekit", python_emits)) if item.name in names]
        return (f"{' and '.join(writers)} write{'s' if len(writers) == 1 else ''} it; the other side's parser reads "
                "another number or type") if writers else ""
    if item.kind != "field" or item.only_in == "both":
        return ""
    if item.only_in == "python":
        return "flytekit writes it; the JVM parser drops it" if item.name in python_emits else ""
    return "jflyte writes it; flytekit's parser drops it" if item.name in jvm_emits else ""


def render(items: list[DriftItem], jvm_emits: set[str], python_emits: set[str], header: str) -> str:
    lines = ["## Schema drift", "", header, "",
             "Messages, fields and enum values of flyteidl.core, .admin and .event that one side's "
             "compiled IDL has and the other's lacks (`only in`), and fields whose number or type "
             "differs. `emitted` says whether the SDK that knows a field writes it in this run's "
             "serialized entities: such a field is dropped, silently, by the other side's parser.", "",
             "| kind | name | only in | detail | emitted |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {i.kind} | `{i.name}` | {i.only_in} | {i.detail} | {emitted_note(i, jvm_emits, python_emits)} |"
              for i in items]
    counts = {side: sum(1 for i in items if i.only_in == side) for side in ("jvm", "python", "both")}
    risky = sum(1 for i in items if emitted_note(i, jvm_emits, python_emits))
    lines += ["", f"schema drift: {counts['python']} only in flytekit's IDL, {counts['jvm']} only in the JVM's, "
                  f"{counts['both']} differing, {risky} emitted by one side and unknown to the other"]
    return "\n".join(lines) + "\n"


class SchemaDriftMode(Mode):
    """A field that one SDK writes in this run's entities and the other's IDL lacks, or declares
    with another number or type, must be a ledger entry; the full list goes to schema-drift.md."""

    name = "schema-drift"
    summary = "the Flyte IDL each SDK is built with (descriptors), limited to fields the SDKs write"
    table = SITUATIONS

    def subjects(self, catalogue):
        return [Subject(self.name, ROW, ROW)]

    def work(self, subject, run):
        jvm_set, python_set = jvm_descriptors(run.work / "jvm-idl.pb"), python_descriptors()
        for side, files in (("jvm", jvm_set), ("python", python_set)):
            if "flyteidl.core.TaskTemplate" not in index(files)[0]:
                raise RuntimeError(f"{side}: no flyteidl.core descriptors were read")
        items = drift(jvm_set, python_set)
        emits = Sides(emitted(run.serialized("jvm", s) for s in run.catalogue.sources.values()),
                      emitted([run.serialized("python", TWINS)]))
        run.reports.document("schema-drift.md", render(items, emits.jvm, emits.python, versions.line() + "."))
        return [Difference(item.name, *item.values()) for item in items if emitted_note(item, emits.jvm, emits.python)]

    def judge(self, subject, run, found) -> Verdict:
        return Verdict(found, detail=f"(full list: {run.reports.root / 'schema-drift.md'})")


register(SchemaDriftMode())
