"""Execute-local parity: each catalogue case runs on jflyte and on flytekit; outputs must be equal
LiteralMaps."""

from flyte_parity.idl.literals import compare_literal_maps


def test_outputs_agree(local_case, jvm_driver, python_driver):
    comparison = compare_literal_maps(jvm_driver.run_local(local_case), python_driver.run_local(local_case))
    assert comparison.equal, comparison.explain()


def test_catalogue_covers_the_six_jvm_sources(parity_catalogue):
    pairs = {(p.name, p.source.name) for p in parity_catalogue.pairs if "execute-local" in p.modes}
    assert pairs >= {
        ("welcome", "own-java"),
        ("fibonacci", "own-scala"),
        ("welcome", "upstream-java"),
        ("fibonacci", "upstream-java"),
        ("welcome", "upstream-scala"),
        ("fibonacci", "upstream-scala"),
    }
    assert len(parity_catalogue.cases("execute-local")) >= 20
