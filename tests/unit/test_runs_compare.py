"""Two finished executions compared as trees: the outcome first, then outputs and every node
paired by kind and inputs (never by id), with both values in each difference."""

from dataclasses import replace

from flyteidl.core import literals_pb2
from hypothesis import given, strategies as st

from flyte_parity.idl.runs import Failure, NodeRun, Run, compare_runs, describe, message_class, outcome


def _ints(**values: int) -> literals_pb2.LiteralMap:
    literals = literals_pb2.LiteralMap()
    for name, value in values.items():
        literals.literals[name].scalar.primitive.integer = value
    return literals


def _node(node_id: str, a: int, b: int, **changes) -> NodeRun:
    base = NodeRun(node_id, "task", "SUCCEEDED", _ints(a=a, b=b), _ints(o=a + b), None, "CACHE_DISABLED",
                   ("SUCCEEDED",))
    return replace(base, **changes)


def _fib(ids=("n0", "n1", "n2")) -> Run:
    return Run("SUCCEEDED", _ints(fib=5), None, (_node(ids[0], 0, 1), _node(ids[1], 1, 1), _node(ids[2], 1, 2)),
               name="x")


def test_equal_runs_with_other_node_ids_and_order_differ_only_in_identity():
    renamed = _fib(("fib-4", "fib-2", "fib-3"))
    semantic, identity = compare_runs(_fib(), replace(renamed, nodes=tuple(reversed(renamed.nodes)), name="y"))
    assert semantic == []
    assert {d.path for d in identity} >= {"execution.name"}
    assert all(d.path.endswith(".node_id") or d.path == "execution.name" for d in identity)


def test_a_failed_side_is_one_outcome_difference_with_both_sides():
    failed = Run("FAILED", None, Failure("USER:Unknown", "USER", "java.lang.NullPointerException: Null domain\n\tat x"),
                 (), name="f")
    semantic, identity = compare_runs(failed, _fib())
    assert [(d.path, d.left, d.right) for d in semantic] == [
        ("execution (outcome)", "FAILED: USER: java.lang.NullPointerException", "SUCCEEDED")]


def test_outputs_node_phases_attempts_and_cache_are_compared_with_both_values():
    other = _fib()
    other = replace(other, outputs=_ints(fib=6), nodes=(
        replace(other.nodes[0], attempts=("FAILED", "SUCCEEDED")), replace(other.nodes[1], cache="CACHE_HIT"),
        other.nodes[2]))
    semantic, _ = compare_runs(_fib(), other)
    found = {(d.path, d.left, d.right) for d in semantic}
    assert ('execution.outputs.literals["fib"].scalar.primitive.integer', "5", "6") in found
    assert ("execution.nodes[n0~n0].attempts", "SUCCEEDED", "FAILED, SUCCEEDED") in found
    assert ("execution.nodes[n1~n1].cache", "CACHE_DISABLED", "CACHE_HIT") in found


def test_a_level_with_another_number_of_nodes_is_one_count_difference():
    fewer = replace(_fib(), nodes=_fib().nodes[:2])
    semantic, _ = compare_runs(_fib(), fewer)
    assert [d.path for d in semantic] == ["execution.nodes (count)"]
    assert semantic[0].left == "task SUCCEEDED, task SUCCEEDED, task SUCCEEDED"
    assert semantic[0].right == "task SUCCEEDED, task SUCCEEDED"


def test_children_of_a_branch_or_dynamic_node_are_compared_beneath_it():
    def parent(child_output: int) -> Run:
        child = _node("c", 1, 2, outputs=_ints(o=child_output))
        return Run("SUCCEEDED", None, None, (NodeRun("d", "dynamic", "SUCCEEDED", children=(child,)),))
    semantic, _ = compare_runs(parent(3), parent(4))
    assert [d.path for d in semantic] == ['execution.nodes[d~d].nodes[c~c].outputs.literals["o"].scalar.primitive.integer']


def test_a_launch_plan_nodes_own_execution_is_compared():
    def node(phase: str) -> Run:
        return Run("SUCCEEDED", None, None, (NodeRun("lp", "launch plan", "SUCCEEDED",
                                                      child_execution=Run(phase, name="child")),))
    semantic, _ = compare_runs(node("SUCCEEDED"), node("FAILED"))
    assert [(d.path, d.left, d.right) for d in semantic] == [
        ("execution.nodes[lp~lp].execution (outcome)", "SUCCEEDED", "FAILED")]


def test_failures_compare_by_kind_code_and_message_class_not_text():
    def failing(message: str) -> Run:
        return Run("FAILED", None, Failure("USER:Unknown", "USER", message))
    assert compare_runs(failing("ValueError: at /a/b.py line 3"), failing("ValueError: at /c.py line 9"))[0] == []
    assert outcome(failing("Traceback ...\nValueError: x")) == "FAILED: USER: ValueError"


@given(st.sampled_from(["java.lang.IllegalArgumentException", "ValueError", "RuntimeError", "KeyboardInterrupt",
                        "org.flyte.FooException"]), st.text(alphabet="abc :/.\n", max_size=40))
def test_the_message_class_is_the_first_error_name_whatever_follows(name, rest):
    assert message_class(f"{name}: {rest}") == name


@given(st.permutations(range(3)), st.permutations(range(3)))
def test_node_order_never_matters(left, right):
    nodes = _fib().nodes
    a = replace(_fib(), nodes=tuple(nodes[i] for i in left))
    b = replace(_fib(), nodes=tuple(nodes[i] for i in right))
    assert compare_runs(a, b)[0] == []


def test_describe_names_every_node_with_its_id():
    text = "\n".join(describe(_fib()))
    assert "SUCCEEDED" in text and all(node_id in text for node_id in ("n0", "n1", "n2"))


def test_a_branch_nodes_inputs_compare_by_value_their_names_are_identity():
    def run(name: str, value: int) -> Run:
        inputs = _ints(**{name: value})
        return Run("SUCCEEDED", None, None, (NodeRun("b", "branch", "SUCCEEDED", inputs),))
    semantic, identity = compare_runs(run("$0", 1), run(".name", 1))
    assert semantic == [] and [d.path for d in identity] == ["execution.nodes[b~b].inputs (names)"]
    semantic, _ = compare_runs(run("$0", 1), run(".name", 2))
    assert [d.path for d in semantic] == ["execution.nodes[b~b].inputs (values)"]


def test_random_jvm_node_prefixes_are_written_stably_in_paths():
    left = replace(_fib(("wabcd-n0", "wabcd-n1", "wabcd-n2")), outputs=_ints(fib=5))
    right = replace(_fib(), nodes=(replace(_fib().nodes[0], outputs=_ints(o=9)), *_fib().nodes[1:]))
    assert any(d.path.startswith("execution.nodes[w????-n0~n0]") for d in compare_runs(left, right)[0])
