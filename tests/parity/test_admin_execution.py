"""Executions as far as FlyteAdmin goes: for each pair, CreateExecution of what each SDK registered
(register mode) — a workflow's default launch plan, a launch plan, or a task — with the pair's
first input case, and again with its first input mistyped. Admin validates the inputs, applies
defaults and fixed inputs, stores the execution and, with no cluster to run it, fails it. Both
SDKs' answers (created or refused, with status and message) and what admin stored (spec, resolved
inputs, phase, error code and kind) must differ exactly by the ledger's entries for the pair in
mode ``execution``; identity differences go to reports/execution/.
"""

from flyteidl.core.execution_pb2 import ExecutionError, WorkflowExecution

from flyte_parity.data.ledger import Found, check
from flyte_parity.modes.registrations import launch_side
from flyte_parity.idl.executions import compare_executions


def _values(pair):
    return next(iter(pair.inputs.values()), {})


def test_execution_matches_ledger(execution_pair, register_run, ledger, reports_dir):
    pair = execution_pair
    jvm, python = register_run.jvm(pair.source), register_run.python()
    values = _values(pair)
    found, lines = [], []
    launches = (launch_side(jvm, pair.kind, pair.jvm, values), launch_side(python, pair.kind, pair.python_entity, values))
    lines.append(f"# launch: jvm {launches[0].label}; python {launches[1].label}")
    if launches[0].label != launches[1].label:
        found.append(Found("launch (outcome)", launches[0].label, launches[1].label))
    if launches[0].launched and launches[1].launched:
        semantic, identity = compare_executions(launches[0].launched.execution, launches[0].launched.inputs,
                                                launches[1].launched.execution, launches[1].launched.inputs)
        found += [Found(d.path, d.left, d.right) for d in semantic]
        for side, launched in zip(("jvm", "python"), (launches[0].launched, launches[1].launched)):
            closure = launched.execution.closure
            lines.append(f"# {side}: phase {WorkflowExecution.Phase.Name(closure.phase)}, error code "
                         f"{closure.error.code or '-'}, kind {ExecutionError.ErrorKind.Name(closure.error.kind)}")
        lines += ["# semantic", *map(str, semantic), "# identity", *map(str, identity)]
    if values:
        name = sorted(values)[0]
        mistyped = (launch_side(jvm, pair.kind, pair.jvm, values, mistyped=name),
                    launch_side(python, pair.kind, pair.python_entity, values, mistyped=name))
        lines.append(f"# launch with input {name} mistyped: jvm {mistyped[0].label}; python {mistyped[1].label}")
        if mistyped[0].label != mistyped[1].label:
            found.append(Found("launch with a mistyped input (outcome)", mistyped[0].label, mistyped[1].label))
    out = reports_dir / "execution" / f"{pair.id.replace('/', '__')}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check(ledger, pair.id, "execution", found)
    assert result.ok, result.explain(pair.id, "execution") + f"\n(full report: {out})"
