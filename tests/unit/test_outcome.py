"""Outcomes of a local run on each side, and the difference of outcome when one side fails."""

import pytest
from flyteidl.core import literals_pb2

from flyte_parity.sdk import outcome
from flyte_parity.base.errors import UsageError
from flyte_parity.idl.literal_spec import literal_from_spec


def outputs(**values):
    result = literals_pb2.LiteralMap()
    for name, spec in values.items():
        result.literals[name].CopyFrom(literal_from_spec(spec))
    return result


class RunFailed(RuntimeError):
    def label(self):
        return "jflyte exited 255"


def fail(err):
    def run():
        raise err
    return run


def test_one_side_failing_is_a_difference_of_outcome_with_both_sides():
    jvm = outcome.attempt(lambda: outputs(c={"integer": -9223372036854775808}))
    python = outcome.attempt(fail(ValueError("Value out of range: 9223372036854775808")))
    comparison = outcome.compare(jvm, python)
    assert [(f.path, f.jvm, f.python) for f in comparison.found('case["x"].')] == [
        ('case["x"].outcome', "succeeded", "failed: ValueError")]
    text = comparison.explain()
    assert "-9223372036854775808" in text and "Value out of range: 9223372036854775808" in text


def test_a_driver_error_names_itself_by_its_label():
    jvm = outcome.attempt(fail(RunFailed("jflyte execute-local X exited 255:\njava.lang.ArithmeticException")))
    assert (jvm.ok, jvm.error) == (False, "jflyte exited 255") and "ArithmeticException" in jvm.detail
    comparison = outcome.compare(jvm, outcome.attempt(lambda: outputs()))
    assert [(f.path, f.jvm, f.python) for f in comparison.found()] == [("outcome", "failed: jflyte exited 255", "succeeded")]


def test_both_succeeding_compares_outputs_field_by_field():
    comparison = outcome.compare(outcome.attempt(lambda: outputs(g={"string": "a"})),
                                 outcome.attempt(lambda: outputs(g={"string": "b"})))
    [found] = comparison.found()
    assert found.path.startswith('outputs.literals["g"]') and (found.jvm, found.python) == ("'a'", "'b'")


def test_equal_outputs_and_two_failures_are_no_difference():
    assert outcome.compare(outcome.attempt(lambda: outputs(g={"string": "a"})),
                           outcome.attempt(lambda: outputs(g={"string": "a"}))).found() == []
    both = outcome.compare(outcome.attempt(fail(RunFailed("x"))), outcome.attempt(fail(KeyError("y"))))
    assert both.found() == [] and "failed: KeyError" in both.explain()


def test_bad_input_to_the_harness_is_not_an_outcome():
    with pytest.raises(UsageError):
        outcome.attempt(fail(UsageError("fix the catalogue")))
