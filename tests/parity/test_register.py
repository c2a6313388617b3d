"""Register parity: each SDK registers through its own real path into a real FlyteAdmin (the
session's backend: by default one started on loopback with PostgreSQL), and what admin stored —
tasks as compiled, workflows with their compiled closures (node connections), launch plans with
the spec and closure admin completed — is compared pair by pair in canonical form.

Semantic differences, and a registration that ended differently on the two sides, must be
exactly the ledger's entries for the pair in mode ``register``; identity differences are written
to reports/register/.
"""

from flyte_parity.ledger import Found, check

from .pair_report import pair_report, write_report

OUTCOME = "registration (outcome)"


def _holds(entities, pair, name) -> bool:
    kind = {"launch-plan": entities.launch_plans, "task": entities.tasks}.get(pair.kind, entities.workflows)
    return name in kind


def test_register_matches_ledger(register_pair, register_run, parity_catalogue, ledger, reports_dir):
    jvm, python = register_run.jvm(register_pair.source), register_run.python()
    found = []
    if jvm.outcome.label() != python.outcome.label():
        found.append(Found(OUTCOME, jvm.outcome.label(), python.outcome.label()))
    held = (_holds(jvm.entities, register_pair, register_pair.jvm),
            _holds(python.entities, register_pair, register_pair.python_entity))
    header = [f"# jvm: {jvm.outcome.label()} ({jvm.target.where()})",
              f"# python: {python.outcome.label()} ({python.target.where()})"]
    out = reports_dir / "register" / f"{register_pair.id.replace('/', '__')}.txt"
    if all(held):
        report = pair_report(register_pair, parity_catalogue, jvm.entities, python.entities)
        write_report(out, report, header)
        found += [Found(d.path, d.left, d.right) for d in report.semantic]
    else:
        found.append(Found(f"{register_pair.kind} (in admin)", "stored" if held[0] else "absent",
                           "stored" if held[1] else "absent"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join([*header, "# jvm log", jvm.outcome.log, "# python log", python.outcome.log]) + "\n",
                       encoding="utf-8")
    result = check(ledger, register_pair.id, "register", found)
    assert result.ok, result.explain(register_pair.id, "register") + f"\n(full report: {out})"
