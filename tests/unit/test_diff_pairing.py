"""`flyte-parity diff` compares only what it pairs, and says what it left out: a run that leaves an
entity unpaired exits non-zero unless told that is expected; the summary counts both."""

from pathlib import Path

import pytest

from flyte_parity.cli import main
from flyte_parity.idl.pairing import pair

from .idl_factory import build, fibonacci

JVM, JVM_WF, _, JVM_TASKS = build(fibonacci(), "jvm")
PY, PY_WF, _, PY_TASKS = build(fibonacci(), "python", seed=3)


def test_without_a_map_nothing_pairs_and_every_entity_is_named():
    pairing = pair(JVM, PY, {})
    assert pairing.workflows == [] and pairing.launch_plans == []
    assert pairing.unpaired["left"] == [("workflow", JVM_WF), ("launch plan", JVM_WF), ("task", JVM_TASKS["Sum"])]
    assert pairing.unpaired["right"] == [("workflow", PY_WF), ("launch plan", PY_WF), ("task", PY_TASKS["Sum"])]


def test_a_mapped_workflow_brings_its_tasks_and_default_launch_plan():
    pairing = pair(JVM, PY, {JVM_WF: PY_WF})
    assert pairing.workflows == [(JVM_WF, PY_WF)]
    assert pairing.unpaired == {"left": [], "right": []}


def _write(entities, folder: Path) -> Path:
    folder.mkdir()
    kinds = ((entities.tasks, "1"), (entities.workflows, "2"), (entities.launch_plans, "3"))
    for number, (name, spec, kind) in enumerate((n, s, k) for items, k in kinds for n, s in items.items()):
        (folder / f"{number}_{name}_{kind}.pb").write_bytes(spec.SerializeToString())
    return folder


@pytest.fixture
def folders(tmp_path):
    return str(_write(JVM, tmp_path / "jvm")), str(_write(PY, tmp_path / "python"))


def test_diff_without_a_map_exits_1_and_lists_what_it_left_out(folders, capsys):
    assert main(["diff", *folders]) == 1
    out, err = capsys.readouterr()
    assert f"not paired: left workflow {JVM_WF}" in out and f"not paired: right task {PY_TASKS['Sum']}" in out
    assert len(out.strip().splitlines()) == 6
    assert "compared 0 workflow pair(s) and 0 launch plan pair(s); 6 left out" in err
    assert "--allow-unpaired" in err


def test_diff_with_the_map_compares_everything(folders, capsys):
    assert main(["diff", *folders, "--map", f"{JVM_WF}={PY_WF}"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 semantic difference(s)" in err and "compared 1 workflow pair(s)" in err and "nothing left out" in err


def test_allow_unpaired_still_lists_them_but_passes(folders, capsys):
    assert main(["diff", *folders, "--allow-unpaired"]) == 0
    out, err = capsys.readouterr()
    assert "not paired: left workflow" in out and "accepted by --allow-unpaired" in err


def test_json_names_the_unpaired_entities(folders, capsys):
    import json

    assert main(["diff", *folders, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"kind": "workflow", "name": JVM_WF} in data["unpaired"]["left"]
    assert data["pairs"] == {"workflows": [], "launch_plans": []}
