"""Two executions admin created, compared: ids, times and the error message are identity; spec,
phase, error code and kind, and the resolved inputs are compared."""

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core, identifier_pb2, literals_pb2

from flyte_parity.idl.executions import compare_executions


def _execution(name: str, version: str, phase=core.WorkflowExecution.FAILED, kind=core.ExecutionError.SYSTEM,
               seconds: int = 1) -> execution_pb2.Execution:
    ex = execution_pb2.Execution()
    ex.id.project, ex.id.domain, ex.id.name = "p", "d", name
    ex.spec.launch_plan.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name=name,
                                                           version=version))
    ex.spec.metadata.mode = execution_pb2.ExecutionMetadata.MANUAL
    ex.closure.phase = phase
    ex.closure.error.code = "Internal"
    ex.closure.error.kind = kind
    ex.closure.error.message = f"failed to create workflow {name}"
    ex.closure.created_at.seconds = seconds
    ex.closure.workflow_id.name = name
    return ex


def _inputs(n: int) -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals["n"].scalar.primitive.integer = n
    return inputs


def test_ids_times_and_messages_are_identity_only():
    semantic, identity = compare_executions(_execution("a", "v1"), _inputs(1), _execution("b", "v2", seconds=9),
                                            _inputs(1))
    assert semantic == []
    assert {d.path for d in identity} == {"execution.id", "execution.spec.launch_plan", "execution.closure.workflow_id",
                                          "execution.closure.error.message"}


def test_phase_error_kind_and_inputs_are_compared_with_both_values():
    semantic, _ = compare_executions(
        _execution("a", "v"), _inputs(1),
        _execution("b", "v", phase=core.WorkflowExecution.SUCCEEDED, kind=core.ExecutionError.USER), _inputs(2))
    assert sorted((d.path, d.left, d.right) for d in semantic) == [
        ("execution.closure.error.kind", "SYSTEM", "USER"),
        ("execution.closure.phase", "FAILED", "SUCCEEDED"),
        ('inputs.literals["n"].scalar.primitive.integer', "1", "2"),
    ]


def test_leave_to_run_leaves_phase_error_and_outputs_and_compares_the_rest():
    """Phase, error and outputs are the run comparison's to report; any other closure field stays."""
    left, right = _execution("a", "v"), _execution("b", "v", phase=core.WorkflowExecution.SUCCEEDED)
    right.closure.outputs.uri = "s3://bucket/b/outputs.pb"  # the oneof: the error goes
    right.closure.notifications.add(phases=[core.WorkflowExecution.FAILED])
    everything, _ = compare_executions(left, _inputs(1), right, _inputs(1))
    assert {d.path for d in everything} == {"execution.closure.output_result", "execution.closure.phase",
                                            "execution.closure.notifications.length"}
    semantic, _ = compare_executions(left, _inputs(1), right, _inputs(1), leave_to_run=True)
    assert [(d.path, d.left, d.right) for d in semantic] == [("execution.closure.notifications.length", "0", "1")]


def test_leave_to_run_still_compares_an_abort_cause():
    left, right = _execution("a", "v"), _execution("b", "v")
    right.closure.abort_cause = "aborted by a user"
    semantic, _ = compare_executions(left, _inputs(1), right, _inputs(1), leave_to_run=True)
    assert [(d.path, d.right) for d in semantic] == [("execution.closure.output_result", "abort_cause='aborted by a user'")]
