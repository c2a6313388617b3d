"""The entrypoint imitation checked against a pod propeller started: placeholders by the form of
their value, other arguments exactly, FLYTE_* variables by name; known gaps listed per side."""

from flyte_parity.sdk.container import KNOWN_GAPS, contract_gaps, unexplained_gaps, value_form

TEMPLATE = ["pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
            "--prev-checkpoint", "{{.prevCheckpointPrefix}}", "--", "task-module", "m"]
POD = ["pyflyte-execute", "--inputs", "file://flyte/metadata/x/inputs.pb", "--output-prefix", "file://flyte/metadata/x/0",
       "--prev-checkpoint", '""', "--", "task-module", "m"]


def test_locations_compare_by_form_not_by_where_they_point():
    assert value_form("file:///run/inputs.pb") == value_form("file://flyte/a/b/inputs.pb") == "location …/inputs.pb"
    assert value_form("file:///run/outputs") == value_form("s3://bucket/x/0") == "location"
    assert value_form("") != value_form('""')


def test_a_pod_as_the_imitation_would_give_it_has_no_gap():
    assert contract_gaps(TEMPLATE, set(), POD, {"PATH", "FLYTE_PLATFORM_URL"}) == []


def test_each_kind_of_gap_is_one_line_with_both_values():
    pod = list(POD)
    pod[6] = ""  # an empty first-attempt checkpoint, as the imitation once gave it
    pod[9] = "other"
    gaps = contract_gaps(TEMPLATE, {"FLYTE_INTERNAL_DOMAIN"}, pod, {"FLYTE_INTERNAL_TASK_DOMAIN", "FLYTE_PLATFORM_URL"})
    assert gaps == ["args[6] {{.prevCheckpointPrefix}}: imitation '\"\"' != propeller ''",
                    "args[9]: imitation 'm' != propeller 'other'",
                    "env FLYTE_INTERNAL_DOMAIN: set by the imitation only",
                    "env FLYTE_INTERNAL_TASK_DOMAIN: set by propeller only"]


def test_another_number_of_arguments_is_one_gap():
    assert len(contract_gaps(TEMPLATE, set(), POD[:-1], set())) == 1


def test_known_gaps_are_per_side_and_anything_else_is_unexplained():
    jvm_gap = "env FLYTE_INTERNAL_DOMAIN: set by the imitation only"
    assert jvm_gap in KNOWN_GAPS["jvm"] and jvm_gap not in KNOWN_GAPS["python"]
    assert unexplained_gaps("jvm", [jvm_gap]) == []
    assert unexplained_gaps("python", [jvm_gap]) == [jvm_gap]
    assert all(why.strip() for gaps in KNOWN_GAPS.values() for why in gaps.values())


def test_a_first_run_sets_cache_hits_and_misses_alike_and_marks_branches():
    from flyte_parity.idl.runs import NodeRun, Run
    from flyte_parity.modes.execution import first_run_cache, mark_branches

    hit = NodeRun("a", "task", "SUCCEEDED", cache="CACHE_HIT")
    miss = NodeRun("a", "task", "SUCCEEDED", cache="CACHE_POPULATED", attempts=("SUCCEEDED",))
    plain = NodeRun("c", "task", "SUCCEEDED", cache="CACHE_DISABLED", attempts=("SUCCEEDED",))
    assert first_run_cache(Run("SUCCEEDED", nodes=(hit,))) == first_run_cache(Run("SUCCEEDED", nodes=(miss,)))
    assert first_run_cache(Run("SUCCEEDED", nodes=(plain,))).nodes == (plain,)
    parent = NodeRun("n0", "parent", "SUCCEEDED", spec_node_id="n0")
    assert mark_branches(Run("SUCCEEDED", nodes=(parent,)), {"n0"}).nodes[0].kind == "branch"
    assert mark_branches(Run("SUCCEEDED", nodes=(parent,)), {"n1"}).nodes[0].kind == "parent"
