"""The entrypoint contract's pure parts: placeholders, the run folder, binding resolution,
catalogue values as literals."""

import pytest
from flyteidl.core import literals_pb2, tasks_pb2, types_pb2
from flyteidl.core.types_pb2 import OutputReference

from flyte_parity.sdk.container import RunFolder, read_result, substitute
from flyte_parity.idl.bindings import UnresolvedBinding, node_inputs
from flyte_parity.idl.literals import literal_from_value


def test_placeholders_are_replaced_case_and_space_insensitively(tmp_path):
    folder = RunFolder(tmp_path)
    args = ["jflyte", "execute", "--inputs", "{{.input}}", "--outputPrefix", "{{ .OutputPrefix }}",
            "--taskTemplatePath", "{{.taskTemplatePath}}", "--prev", "{{.prevCheckpointPrefix}}", "x{{.inputPrefix}}y"]
    out = substitute(args, folder.values())
    assert out[3] == (tmp_path / "inputs.pb").as_uri()
    assert out[5] == (tmp_path / "outputs").as_uri()
    assert out[7] == (tmp_path / "task.pb").as_uri()
    assert out[9] == '""'  # what propeller gives a first attempt: two quote characters
    assert out[10] == f"x{tmp_path.as_uri()}y"
    assert out[:3] == args[:3]


def test_unknown_placeholder_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown placeholder"):
        substitute(["{{.nope}}"], RunFolder(tmp_path).values())


def test_run_folder_round_trip(tmp_path):
    folder = RunFolder(tmp_path / "run")
    inputs = literals_pb2.LiteralMap()
    inputs.literals["a"].scalar.primitive.integer = 1
    folder.prepare(tasks_pb2.TaskTemplate(type="t"), inputs)
    assert folder.inputs.read_bytes() == inputs.SerializeToString()
    assert tasks_pb2.TaskTemplate.FromString(folder.task_template.read_bytes()).type == "t"
    folder.outputs.write_bytes(inputs.SerializeToString())
    result = read_result(folder, 0, "", "")
    assert result.outputs == inputs and result.error is None


def binding(var, **data):
    return literals_pb2.Binding(var=var, binding=literals_pb2.BindingData(**data))


def promise(node, var):
    return {"promise": OutputReference(node_id=node, var=var)}


def test_bindings_resolve_from_inputs_outputs_constants_and_containers():
    wf_in = literals_pb2.LiteralMap()
    wf_in.literals["x"].scalar.primitive.integer = 5
    up = literals_pb2.LiteralMap()
    up.literals["c"].scalar.primitive.string_value = "hi"
    const = literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=7))
    collection = literals_pb2.BindingDataCollection(bindings=[
        literals_pb2.BindingData(**promise("", "x")), literals_pb2.BindingData(scalar=const)])
    bindings = [
        binding("a", **promise("start-node", "x")),
        binding("b", **promise("", "x")),
        binding("c", **promise("n1", "c")),
        binding("d", scalar=const),
        binding("e", collection=collection),
    ]
    result = node_inputs(bindings, wf_in, {"n1": up})
    assert result.literals["a"].scalar.primitive.integer == 5
    assert result.literals["b"].scalar.primitive.integer == 5
    assert result.literals["c"].scalar.primitive.string_value == "hi"
    assert result.literals["d"].scalar.primitive.integer == 7
    assert [l.scalar.primitive.integer for l in result.literals["e"].collection.literals] == [5, 7]


def test_empty_map_and_collection_bindings_stay_map_and_collection_literals():
    bindings = [binding("m", map=literals_pb2.BindingDataMap()),
                binding("l", collection=literals_pb2.BindingDataCollection())]
    result = node_inputs(bindings, literals_pb2.LiteralMap(), {})
    assert result.literals["m"].WhichOneof("value") == "map" and not result.literals["m"].map.literals
    assert result.literals["l"].WhichOneof("value") == "collection"


def test_unresolved_binding_is_named():
    with pytest.raises(UnresolvedBinding, match="no value for n9.c"):
        node_inputs([binding("a", **promise("n9", "c"))], literals_pb2.LiteralMap(), {})


@pytest.mark.parametrize(
    "value, kind, field, expected",
    [(2**63 - 1, "INTEGER", "integer", 2**63 - 1), (1.5, "FLOAT", "float_value", 1.5),
     ("Zoë", "STRING", "string_value", "Zoë"), (True, "BOOLEAN", "boolean", True)],
)
def test_catalogue_values_as_literals(value, kind, field, expected):
    literal = literal_from_value(value, types_pb2.LiteralType(simple=getattr(types_pb2.SimpleType, kind)))
    assert getattr(literal.scalar.primitive, field) == expected


def test_values_must_fit_their_type():
    with pytest.raises(ValueError):
        literal_from_value(True, types_pb2.LiteralType(simple=types_pb2.SimpleType.INTEGER))


@pytest.mark.parametrize("node_id, shown", [("warjs-n0", "w????-n0"), ("wqzxy-n12", "w????-n12"), ("fib-2", "fib-2"),
                                            ("n0", "n0"), ("wab-n0", "wab-n0")])
def test_random_jvm_node_ids_are_shown_stably(node_id, shown):
    from flyte_parity.modes.entrypoint_walk import stable_node_id

    assert stable_node_id(node_id) == shown
