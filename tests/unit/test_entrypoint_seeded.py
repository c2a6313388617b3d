"""A seeded change in a twin's task body (off by one) makes the entrypoint comparison fail with
both output maps shown. Both sides are real pyflyte-execute runs of the Fibonacci twin: the real
one, and a copy with the seeded change (the real twin is never edited). No JVM is needed."""

from flyte_parity.base import paths
from flyte_parity.base.sides import Sides
from flyte_parity.data.catalogue import PythonSource
from flyte_parity.sdk.python import PythonDriver
from flyte_parity.modes.entrypoint_walk import run_pair
from flyte_parity.data.ledger import check
from flyte_parity.sdk.package import load_entities


def test_off_by_one_twin_is_caught_with_both_outputs(tmp_path):
    real = (paths.REPO_ROOT / "python_wf" / "fibonacci.py").read_text()
    assert "a + b" in real
    seeded_root = tmp_path / "seeded"
    package = seeded_root / "python_wf"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "fibonacci.py").write_text(real.replace("a + b", "a + b + 1"))

    seeded = PythonDriver(tmp_path / "seeded-work", source_root=seeded_root)
    twin = PythonDriver(tmp_path / "twin-work")
    left = load_entities(seeded.serialize(PythonSource("fibonacci", ("python_wf.fibonacci",))))
    right = load_entities(twin.serialize(PythonSource("fibonacci", ("python_wf.fibonacci",))))
    try:
        name = "python_wf.fibonacci.fibonacci_wf"
        result = run_pair(Sides(left, right), Sides(name, name), {"fib0": 0, "fib1": 1}, Sides(seeded, twin),
                          tmp_path / "runs")
    finally:
        seeded.close()
        twin.close()

    verdict = check([], "fibonacci/seeded", "entrypoint", result.found)
    assert not verdict.ok
    first = [f for f in result.found if f.path.startswith('nodes["fib-2"].outputs')]
    assert [(f.path, f.jvm, f.python) for f in first] == [
        ('nodes["fib-2"].outputs.literals["c"].scalar.primitive.integer', "2", "1")]
    shown = result.explain()
    assert 'nodes["fib-2"] jvm->jvm: {literals { key: "c" value { scalar { primitive { integer: 2 } } } }}' in shown
    assert 'nodes["fib-2"] python->python: {literals { key: "c" value { scalar { primitive { integer: 1 } } } }}' in shown
