import re
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.data.catalogue import load_catalogue, parse_catalogue
from flyte_parity.base.errors import UsageError

BASE = {
    "not_applicable": {"idl": "not here", "entrypoint": "not here", "bad-inputs": "not here", "register": "not here", "flytectl": "not here", "execution": "not here"},
    "sources": {"s": {"lib": "jvm/x/target/lib"}},
    "inputs": {"i": {"one": {"n": 1}, "two": {"n": 2}}},
    "pairs": [{"name": "p", "jvm_source": "s", "jvm": "a.B", "python": "m:wf", "inputs": "i", "modes": ["execute-local"]}],
}


def with_pair(**changes):
    return {**BASE, "pairs": [{**BASE["pairs"][0], **changes}]}


def test_cases_are_pairs_times_inputs():
    catalogue = parse_catalogue(BASE, Path("/r"))
    cases = catalogue.cases("execute-local")
    assert [c.id for c in cases] == ["p/s/one", "p/s/two"]
    assert cases[1].inputs == {"n": 2}
    assert cases[0].pair.source.lib == Path("/r/jvm/x/target/lib")


@pytest.mark.parametrize(
    "data, words",
    [
        (with_pair(jvm_source="nope"), "unknown jvm_source 'nope'"),
        (with_pair(inputs="nope"), "unknown inputs 'nope'"),
        (with_pair(modes="idl"), "modes must be a list of mode names"),
        (with_pair(features="dynamic"), "features must be a list of names"),
        (with_pair(python="no_colon"), "must be 'module:workflow'"),
        ({**BASE, "pairs": [{"name": "p"}]}, "lacks jvm_source, jvm, python, inputs, modes"),
        ({**BASE, "pairs": BASE["pairs"] * 2}, "listed twice"),
        ({**BASE, "pairs": []}, "lists no pairs"),
    ],
)
def test_bad_catalogue_is_refused(data, words):
    with pytest.raises(UsageError) as err:
        parse_catalogue(data, Path("/r"))
    assert words in str(err.value)


def test_unreadable_catalogue(tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[[pairs]\n")
    with pytest.raises(UsageError, match="cannot read catalogue"):
        load_catalogue(bad, tmp_path)


def test_the_project_catalogue_loads():
    catalogue = load_catalogue(paths.REPO_ROOT / "tests/parity/catalogue.toml", paths.REPO_ROOT)
    assert len(catalogue.cases("execute-local")) >= 20
    for pair in catalogue.pairs:
        assert pair.source.lib.is_relative_to(paths.REPO_ROOT / "jvm")


def test_type_rows_with_tasks_and_unavailable_ones():
    data = {**BASE, "types": [
        {"kind": "integer", "jvm_source": "s", "jvm": "a.Id", "python": "m:id", "values": {"zero": {"integer": 0}}},
        {"kind": "blob", "jvm_source": "s", "unavailable": "no blob type"},
    ]}
    catalogue = parse_catalogue(data, Path("/r"))
    integer, blob = catalogue.types
    assert integer.id == "types/integer/s" and integer.python_entity == "m.id" and integer.unavailable is None
    assert blob.unavailable == "no blob type" and dict(blob.values) == {}
    with pytest.raises(UsageError, match="lacks jvm, python, values"):
        parse_catalogue({**BASE, "types": [{"kind": "x", "jvm_source": "s"}]}, Path("/r"))


def test_a_mode_name_no_mode_has_is_refused_once_the_modes_are_known():
    from flyte_parity.modes import registry

    catalogue = parse_catalogue(with_pair(modes=["teleport"]), Path("/r"))
    with pytest.raises(UsageError) as err:
        registry.resolve(catalogue, "0.4.62", "1.16.31")
    assert "names unknown modes ['teleport']" in str(err.value) and "the pair modes are execute-local, idl" in str(err.value)



def test_the_execution_input_and_setup_are_checked(tmp_path):
    from flyte_parity.base.errors import UsageError
    from flyte_parity.data.catalogue import load_catalogue

    base = """
[sources.s]
lib = "x"
origin = "own"
language = "java"
[inputs.i]
one = { n = 1 }
two = { n = 2 }
[[pairs]]
name = "p"
jvm_source = "s"
jvm = "A"
python = "m:w"
inputs = "i"
modes = ["idl"]
"""
    good = tmp_path / "good.toml"
    good.write_text(base + 'execution_input = "two"\nexecution_setup = ["s@staging"]\n', encoding="utf-8")
    pair = load_catalogue(good, tmp_path).pairs[0]
    assert pair.execution_values == {"n": 2}
    assert [(source.name, domain) for source, domain in pair.execution_setup] == [("s", "staging")]
    for extra, said in (('execution_input = "three"\n', "execution_input 'three' is not in [inputs.i]"),
                        ('execution_setup = ["s@prod"]\n', "execution_setup 's@prod' must be")):
        bad = tmp_path / "bad.toml"
        bad.write_text(base + extra, encoding="utf-8")
        with pytest.raises(UsageError, match=re.escape(said)):
            load_catalogue(bad, tmp_path)
