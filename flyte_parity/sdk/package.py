"""Reads serialized Flyte entities from a folder of ``N_name_K.pb`` files or a flyte package
(``.tgz``): K=1 TaskSpec, 2 WorkflowSpec, 3 LaunchPlan (pyflyte) or a bare LaunchPlanSpec
(jflyte, detected by its first field being a workflow id rather than a launch-plan id).

A corrupt or unknown file is a UsageError naming the file.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Iterator

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet

from flyte_parity.base.errors import UsageError
from flyte_parity.idl.entities import EntitySet

FILE_NAME = re.compile(r"^(\d+)_(.+)_([123])\.pb$")


def _parse(cls: type[Message], data: bytes, where: str) -> Message:
    message = cls()
    try:
        message.ParseFromString(data)
    except DecodeError as err:
        raise UsageError(f"{where}: not a valid {cls.DESCRIPTOR.name} ({err}); re-serialize it") from None
    if len(UnknownFieldSet(message)):
        raise UsageError(f"{where}: holds fields unknown to {cls.DESCRIPTOR.full_name}; is it the right file?")
    return message


def add_entity(entities: EntitySet, file_name: str, data: bytes, where: str) -> None:
    """Parse one ``N_name_K.pb`` into ``entities``."""
    match = FILE_NAME.match(file_name)
    if match is None:
        raise UsageError(f"{where}: not a serialized Flyte entity (expected N_name_K.pb with K 1, 2 or 3)")
    name, kind = match.group(2), match.group(3)
    if kind == "1":
        spec = _parse(task_pb2.TaskSpec, data, where)
        if not spec.template.type or not spec.HasField("template"):
            raise UsageError(f"{where}: a TaskSpec without a task template; re-serialize it")
        entities.tasks[spec.template.id.name or name] = spec
    elif kind == "2":
        spec = _parse(workflow_pb2.WorkflowSpec, data, where)
        if not spec.template.nodes and not spec.template.HasField("interface"):
            raise UsageError(f"{where}: a WorkflowSpec without a workflow template; re-serialize it")
        entities.workflows[spec.template.id.name or name] = spec
    else:
        plan = launch_plan_pb2.LaunchPlan()
        try:
            plan.ParseFromString(data)
            is_plan = (
                plan.id.resource_type == identifier_pb2.LAUNCH_PLAN
                and plan.HasField("spec")
                and not len(UnknownFieldSet(plan))
            )
        except DecodeError:
            is_plan = False
        if is_plan:
            spec, form, lp_name = plan.spec, "LaunchPlan", plan.id.name or name
        else:
            spec, form, lp_name = _parse(launch_plan_pb2.LaunchPlanSpec, data, where), "LaunchPlanSpec", name
        if not spec.workflow_id.name:
            raise UsageError(f"{where}: a launch plan without a workflow id; re-serialize it")
        entities.launch_plans[lp_name] = spec
        entities.launch_plan_forms[lp_name] = form


def _members(path: Path) -> Iterator[tuple[str, bytes, str]]:
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.name.startswith("."):
                continue
            if not item.is_file():
                raise UsageError(f"{item}: unexpected folder in a serialized package; remove it")
            yield item.name, item.read_bytes(), str(item)
        return
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive.getmembers():
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                name = Path(member.name).name
                if name.startswith("."):
                    continue
                yield name, handle.read(), f"{path}:{member.name}"
    except (tarfile.TarError, OSError) as err:
        raise UsageError(f"{path}: not a folder or a readable .tgz package ({err})") from None


def load_entities(path: Path) -> EntitySet:
    """Every task, workflow and launch plan in a folder or .tgz."""
    if not path.exists():
        raise UsageError(f"{path} does not exist: pass a folder of .pb files or a .tgz package")
    entities = EntitySet(origin=str(path))
    count = 0
    for name, data, where in _members(path):
        add_entity(entities, name, data, where)
        count += 1
    if count == 0:
        raise UsageError(f"{path} holds no serialized entity: serialize into it first")
    return entities
