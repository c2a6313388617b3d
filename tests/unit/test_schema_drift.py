"""The pure schema-drift core (flyte_parity/idl/schema.py) on synthetic descriptor sets."""

from flyteidl.core import literals_pb2, tasks_pb2
from google.protobuf import descriptor_pb2

from flyte_parity.idl.schema import DriftItem, drift, index, set_fields

F = descriptor_pb2.FieldDescriptorProto


def _set(fields: dict[str, tuple[int, int]], enum_values: dict[str, int], package="flyteidl.core"):
    files = descriptor_pb2.FileDescriptorSet()
    file = files.file.add(name="x.proto", package=package)
    message = file.message_type.add(name="TaskMetadata")
    for name, (number, kind) in fields.items():
        message.field.add(name=name, number=number, type=kind, label=F.LABEL_OPTIONAL)
    nested = message.nested_type.add(name="Inner")
    nested.field.add(name="x", number=1, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    enum = file.enum_type.add(name="Kind")
    for name, number in enum_values.items():
        enum.value.add(name=name, number=number)
    return files


def test_identical_sets_have_no_drift():
    one = _set({"retries": (5, F.TYPE_INT64)}, {"A": 0})
    assert drift(one, one) == []


def test_fields_enum_values_and_types_each_side_lacks():
    jvm = _set({"retries": (5, F.TYPE_INT64), "old": (9, F.TYPE_STRING)}, {"A": 0, "GONE": 2})
    python = _set({"retries": (5, F.TYPE_STRING), "generates_deck": (15, F.TYPE_BOOL)}, {"A": 0, "NEW": 1})
    assert drift(jvm, python) == [
        DriftItem("enum value", "flyteidl.core.Kind.GONE", "jvm", "= 2"),
        DriftItem("enum value", "flyteidl.core.Kind.NEW", "python", "= 1"),
        DriftItem("field", "flyteidl.core.TaskMetadata.generates_deck", "python", "bool = 15"),
        DriftItem("field", "flyteidl.core.TaskMetadata.old", "jvm", "string = 9"),
        DriftItem("field type", "flyteidl.core.TaskMetadata.retries", "both", "jvm int64 = 5; python string = 5"),
    ]


def test_whole_messages_nested_ones_and_other_packages():
    jvm = _set({}, {"A": 0})
    python = _set({}, {"A": 0})
    python.file[0].message_type.add(name="Extra")
    python.file[0].message_type[0].nested_type[0].name = "Renamed"
    plugins = _set({"x": (1, F.TYPE_BOOL)}, {}, package="flyteidl.plugins")  # out of scope
    python.file.append(plugins.file[0])
    items = drift(jvm, python)
    assert DriftItem("message", "flyteidl.core.Extra", "python") in items
    assert DriftItem("message", "flyteidl.core.TaskMetadata.Inner", "jvm") in items
    assert DriftItem("message", "flyteidl.core.TaskMetadata.Renamed", "python") in items
    assert not any("plugins" in i.name for i in items)
    assert "flyteidl.core.TaskMetadata.Inner" in index(jvm)[0]


def test_set_fields_walks_nested_repeated_and_map_values():
    template = tasks_pb2.TaskTemplate(type="python-task")
    template.metadata.generates_deck.value = False
    template.interface.inputs.variables["a"].type.simple = 1
    literal = literals_pb2.LiteralMap()
    literal.literals["x"].collection.literals.add().scalar.primitive.integer = 3
    found = set_fields([template, literal])
    assert "flyteidl.core.TaskTemplate.type" in found
    assert "flyteidl.core.TaskMetadata.generates_deck" in found  # a set wrapper, even holding false
    assert "google.protobuf.BoolValue.value" not in found  # false is the default: not set
    assert "flyteidl.core.LiteralType.simple" in found  # inside a map value
    assert "flyteidl.core.Primitive.integer" in found  # inside a repeated field
    assert "flyteidl.core.TaskTemplate.container" not in found


def test_a_field_with_another_number_or_type_that_one_side_writes_is_a_finding():
    from flyte_parity.modes.schema_drift import emitted_note

    moved = DriftItem("field type", "flyteidl.core.TaskMetadata.generates_deck", "both",
                      "jvm bool = 10; python google.protobuf.BoolValue = 15")
    assert moved.values() == ("bool = 10", "google.protobuf.BoolValue = 15")
    assert emitted_note(moved, set(), {moved.name}) == "flytekit writes it; the other side's parser reads another number or type"
    assert emitted_note(moved, set(), set()) == ""
    only = DriftItem("field", "flyteidl.core.TaskMetadata.metadata", "python", "flyteidl.core.K8sObjectMetadata = 16")
    assert only.values() == ("<absent>", "flyteidl.core.K8sObjectMetadata = 16")
