"""Execute-local parity: each catalogue case runs on jflyte and on flytekit. Outputs are compared
as typed LiteralMaps; one side failing where the other succeeds is a difference of outcome. What
differs must be exactly the ledger's entries for that case (paths ``case["<input>"]. ...``)."""

from flyte_parity.sdk import outcome
from flyte_parity.data.ledger import check


def test_outputs_agree(local_case, case_runner, python_driver, ledger):
    jvm = case_runner.result("execute-local", local_case)
    python = outcome.attempt(lambda: python_driver.run_local(local_case))
    comparison = outcome.compare(jvm, python)
    prefix = f'case["{local_case.input_name}"].'
    pair = local_case.pair.id
    verdict = check(ledger, pair, "execute-local", comparison.found(prefix), within=prefix)
    assert verdict.ok, verdict.explain(pair, "execute-local") + "\n" + comparison.explain()


def test_catalogue_covers_the_six_jvm_sources(parity_catalogue):
    """Welcome and Fibonacci run through execute-local from every JVM source (whatever pair holds
    them at this flytekit-java version)."""
    run = {(p.jvm.rsplit(".", 1)[-1], p.source.name) for p in parity_catalogue.pairs if "execute-local" in p.modes}
    assert run >= {
        ("WelcomeWorkflow", "own-java"),
        ("FibonacciWorkflow", "own-scala"),
        ("WelcomeWorkflow", "upstream-java"),
        ("FibonacciWorkflow", "upstream-java"),
        ("WelcomeWorkflow", "upstream-scala"),
        ("FibonacciWorkflow", "upstream-scala"),
    }
    assert len(parity_catalogue.cases("execute-local")) >= 20
