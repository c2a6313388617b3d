"""The IDL core on structured workflows: branch nodes (positional inner ids, branch variable
names), raw-container tasks, and sub-workflows with the tasks they and branches run."""

from __future__ import annotations

from flyteidl.admin import task_pb2, workflow_pb2 as admin_wf
from flyteidl.core import condition_pb2, identifier_pb2, interface_pb2, literals_pb2, types_pb2, workflow_pb2

from flyte_parity.idl.canonical import RAW_CONTAINER, Note, canonical_node, canonical_task, canonical_workflow
from flyte_parity.idl.compare import branch_pairs, compare_workflows
from flyte_parity.idl.diff import diff_messages
from flyte_parity.idl.entities import EntitySet

from .idl_factory import INTEGER, build, fibonacci

GT = condition_pb2.ComparisonExpression.GT
GTE = condition_pb2.ComparisonExpression.GTE
LT = condition_pb2.ComparisonExpression.LT
AND = condition_pb2.ConjunctionExpression.AND


# ---------------------------------------------------------------- builders


def promise(node_id: str, var: str) -> literals_pb2.BindingData:
    data = literals_pb2.BindingData()
    data.promise.node_id = node_id
    data.promise.var = var
    return data


def const(value: int) -> literals_pb2.BindingData:
    data = literals_pb2.BindingData()
    data.scalar.primitive.integer = value
    return data


def bind(node: workflow_pb2.Node, inputs: list[tuple[str, literals_pb2.BindingData]]) -> workflow_pb2.Node:
    for var, data in inputs:
        node.inputs.add(var=var).binding.CopyFrom(data)
    return node


def task_node(node_id: str, task: str, inputs: list[tuple[str, literals_pb2.BindingData]]) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id=node_id)
    node.task_node.reference_id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=task))
    return bind(node, inputs)


def sub_node(node_id: str, sub: str, inputs: list[tuple[str, literals_pb2.BindingData]]) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id=node_id)
    node.workflow_node.sub_workflow_ref.CopyFrom(
        identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=sub))
    return bind(node, inputs)


def compare_var(var: str, op, value: int) -> condition_pb2.BooleanExpression:
    expression = condition_pb2.BooleanExpression()
    expression.comparison.operator = op
    expression.comparison.left_value.var = var
    expression.comparison.right_value.primitive.integer = value
    return expression


def conjunction(left, right) -> condition_pb2.BooleanExpression:
    expression = condition_pb2.BooleanExpression()
    expression.conjunction.operator = AND
    expression.conjunction.left_expression.CopyFrom(left)
    expression.conjunction.right_expression.CopyFrom(right)
    return expression


def branch_node(node_id, inputs, cases, else_node=None) -> workflow_pb2.Node:
    """``cases``: [(condition, then node)], the first is ``case``, the rest ``other``."""
    node = bind(workflow_pb2.Node(id=node_id), inputs)
    block = node.branch_node.if_else
    (condition, then), *others = cases
    block.case.condition.CopyFrom(condition)
    block.case.then_node.CopyFrom(then)
    for condition, then in others:
        other = block.other.add()
        other.condition.CopyFrom(condition)
        other.then_node.CopyFrom(then)
    if else_node is not None:
        block.else_node.CopyFrom(else_node)
    return node


def variables(*names: str) -> interface_pb2.VariableMap:
    vm = interface_pb2.VariableMap()
    for name in names:
        vm.variables[name].type.CopyFrom(INTEGER)
    return vm


def template(name: str, inputs: list[str], nodes: list[workflow_pb2.Node], outputs=()) -> workflow_pb2.WorkflowTemplate:
    t = workflow_pb2.WorkflowTemplate()
    t.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name=name))
    t.interface.inputs.CopyFrom(variables(*inputs))
    t.interface.outputs.CopyFrom(variables(*(var for var, _ in outputs)))
    t.nodes.extend(nodes)
    for var, data in outputs:
        t.outputs.add(var=var).binding.CopyFrom(data)
    return t


def task_spec(name: str, inputs: list[str], retries: int = 0, kind: str = "java-task") -> task_pb2.TaskSpec:
    spec = task_pb2.TaskSpec()
    spec.template.id.CopyFrom(identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name=name))
    spec.template.type = kind
    spec.template.metadata.retries.retries = retries
    spec.template.interface.inputs.CopyFrom(variables(*inputs))
    spec.template.interface.outputs.CopyFrom(variables("c"))
    spec.template.container.image = "img"
    return spec


def NO_TASKS(node):
    """Task metadata lookup for canonical_* on bare templates: no task is known."""
    return None


def SAME(node_id: str) -> str:
    """The identity rename: both sides already share node ids."""
    return node_id


# ---------------------------------------------------------------- branches in canonical forms


def jvm_branch(threshold: int = 0, op=GT) -> admin_wf.WorkflowSpec:
    """jflyte style: branch variables $0 (x) and $1 (y); x > threshold and y < 10 -> t, y >= 5 -> u, else v."""
    node = branch_node(
        "decide",
        [("$0", promise("start-node", "x")), ("$1", promise("start-node", "y"))],
        [
            (conjunction(compare_var("$0", op, threshold), compare_var("$1", LT, 10)),
             task_node("then-t", "T", [("a", promise("start-node", "x"))])),
            (compare_var("$1", GTE, 5), task_node("then-u", "U", [("a", promise("start-node", "y"))])),
        ],
        task_node("else-v", "V", [("a", const(1))]),
    )
    return admin_wf.WorkflowSpec(template=template("wf", ["x", "y"], [node], [("out", promise("decide", "c"))]))


def python_branch(threshold: int = 0, op=GT) -> admin_wf.WorkflowSpec:
    """The same branch flytekit style: variables .y and .x, written in the other order, and the
    inner nodes reusing the ids n0, n1, n2; the start node as ""."""
    node = branch_node(
        "decide",
        [(".y", promise("", "y")), (".x", promise("", "x"))],
        [
            (conjunction(compare_var(".x", op, threshold), compare_var(".y", LT, 10)),
             task_node("n0", "T", [("a", promise("", "x"))])),
            (compare_var(".y", GTE, 5), task_node("n1", "U", [("a", promise("", "y"))])),
        ],
        task_node("n2", "V", [("a", const(1))]),
    )
    return admin_wf.WorkflowSpec(template=template("py.wf", ["x", "y"], [node], [("out", promise("decide", "c"))]))


def test_branch_inner_nodes_are_named_by_position_and_written_ids_kept_as_notes():
    notes: list[Note] = []
    node = canonical_node(jvm_branch().template.nodes[0], SAME, NO_TASKS, "here", notes)
    block = node.branch_node.if_else
    assert block.case.then_node.id == "decide/case"
    assert block.other[0].then_node.id == "decide/other[0]"
    assert block.else_node.id == "decide/else"
    assert Note("here.branch_node.if_else.case.then_node.id", "'then-t'") in notes
    assert Note("here.branch_node.if_else.other[0].then_node.id", "'then-u'") in notes
    assert Note("here.branch_node.if_else.else_node.id", "'else-v'") in notes


def test_branch_variables_are_renamed_by_binding_order_and_conditions_follow():
    """.x binds x and .y binds y; x's binding sorts first, so .x -> $0, .y -> $1, also inside the
    conjunction and the other case; the inputs come out sorted by the new names."""
    notes: list[Note] = []
    node = canonical_node(python_branch().template.nodes[0], SAME, NO_TASKS, "here", notes)
    assert [(b.var, b.binding.promise.node_id, b.binding.promise.var) for b in node.inputs] == [
        ("$0", "start-node", "x"), ("$1", "start-node", "y")]
    block = node.branch_node.if_else
    conj = block.case.condition.conjunction
    assert conj.left_expression.comparison.left_value.var == "$0"
    assert conj.right_expression.comparison.left_value.var == "$1"
    assert block.other[0].condition.comparison.left_value.var == "$1"
    assert any(n.path == "here.inputs (branch variable names)" and ".x" in n.value and ".y" in n.value for n in notes)


def test_branch_variables_already_canonical_leave_no_name_note():
    notes: list[Note] = []
    canonical_node(jvm_branch().template.nodes[0], SAME, NO_TASKS, "here", notes)
    assert not any("branch variable names" in n.path for n in notes)


def test_branches_differing_only_in_inner_ids_and_variable_names_canonicalise_equal():
    left, lnotes = canonical_workflow(jvm_branch(), SAME, NO_TASKS)
    right, rnotes = canonical_workflow(python_branch(), SAME, NO_TASKS)
    assert diff_messages(left, right) == []
    assert lnotes != rnotes  # the written ids and names are still reported, as identity


def test_a_different_comparison_constant_still_differs():
    left, _ = canonical_workflow(jvm_branch(threshold=0), SAME, NO_TASKS)
    right, _ = canonical_workflow(python_branch(threshold=3), SAME, NO_TASKS)
    differences = diff_messages(left, right)
    assert [(d.path.endswith("comparison.right_value.primitive.integer"), d.left, d.right)
            for d in differences] == [(True, "0", "3")]
    assert "case.condition.conjunction.left_expression" in differences[0].path


def test_a_different_operator_still_differs():
    left, _ = canonical_workflow(jvm_branch(op=GT), SAME, NO_TASKS)
    right, _ = canonical_workflow(python_branch(op=GTE), SAME, NO_TASKS)
    assert [(d.path.endswith("left_expression.comparison.operator"), d.left, d.right)
            for d in diff_messages(left, right)] == [(True, "GT", "GTE")]


def test_a_condition_reading_the_other_variable_still_differs():
    """Renaming follows what a variable binds: on the right, the first condition reads y
    (.y) where the left reads x ($0), which must stay a difference."""
    right_spec = python_branch()
    conj = right_spec.template.nodes[0].branch_node.if_else.case.condition.conjunction
    conj.left_expression.comparison.left_value.var = ".y"
    left, _ = canonical_workflow(jvm_branch(), SAME, NO_TASKS)
    right, _ = canonical_workflow(right_spec, SAME, NO_TASKS)
    assert [(d.left, d.right) for d in diff_messages(left, right)] == [("'$0'", "'$1'")]


# ---------------------------------------------------------------- raw-container tasks


def _jvm_task(kind: str) -> task_pb2.TaskSpec:
    """The jvm Sum task of the factory (image "img", args ["run", name], type "java-task"),
    given the task type ``kind``."""
    entities, _, _, task_map = build(fibonacci(), "jvm")
    spec = entities.tasks[task_map["Sum"]]
    spec.template.type = kind
    spec.template.container.command.extend(["sh", "-c"])
    return spec


def test_raw_container_keeps_image_command_args_and_type():
    template, notes = canonical_task(_jvm_task(RAW_CONTAINER))
    assert template.type == RAW_CONTAINER
    assert template.container.image == "img"
    assert list(template.container.command) == ["sh", "-c"]
    assert list(template.container.args) == ["run", "org.example.TaskSum"]
    assert not any(n.path in ("template.type", "template.container.image", "template.container.command",
                              "template.container.args") for n in notes)


def test_raw_container_image_is_a_semantic_difference():
    other = _jvm_task(RAW_CONTAINER)
    other.template.container.image = "img:2"
    left, _ = canonical_task(_jvm_task(RAW_CONTAINER))
    right, _ = canonical_task(other)
    assert [(d.path, d.left, d.right) for d in diff_messages(left, right)] == [
        ("container.image", "'img'", "'img:2'")]


def test_other_task_types_set_image_command_args_and_type_aside():
    template, notes = canonical_task(_jvm_task("java-task"))
    assert template.type == ""
    assert not template.container.image and not template.container.command and not template.container.args
    paths = {n.path: n.value for n in notes}
    assert paths["template.type"] == "'java-task'"
    assert paths["template.container.image"] == "'img'"
    assert "template.container.command" in paths and "template.container.args" in paths
    other = _jvm_task("java-task")
    other.template.container.image = "img:2"
    assert diff_messages(template, canonical_task(other)[0]) == []


# ---------------------------------------------------------------- sub-workflows and inner tasks


def sub_entities(side: str, sub_constant: int = 1, task_retries: int = 0, calls: int = 1,
                 branch_retries: int = 0) -> tuple[EntitySet, str]:
    """A main workflow calling a sub-workflow (``calls`` times, on input x, then y), and a branch
    whose then-node runs task B; the sub-workflow runs task T on its input and a constant.
    side "jvm" names things L.*, with ids as written; "python" names them R.* with n-ids."""
    jvm = side == "jvm"
    p = "L." if jvm else "R."
    start = "start-node" if jvm else ""
    entities = EntitySet(origin=side)
    entities.tasks[f"{p}T"] = task_spec(f"{p}T", ["a", "b"], retries=task_retries)
    entities.tasks[f"{p}B"] = task_spec(f"{p}B", ["a"], retries=branch_retries)
    sub = template(f"{p}sub", ["i"], [
        task_node("inner" if jvm else "n0", f"{p}T", [("a", promise(start, "i")), ("b", const(sub_constant))]),
    ], [("o", promise("inner" if jvm else "n0", "c"))])
    nodes = [sub_node(("call-x", "call-y")[k] if jvm else f"n{5 + k}", f"{p}sub",
                      [("i", promise(start, ("x", "y")[k]))]) for k in range(calls)]
    nodes.append(branch_node(
        "decide" if jvm else "n9", [("$0" if jvm else ".x", promise(start, "x"))],
        [(compare_var("$0" if jvm else ".x", GT, 0), task_node("then-b" if jvm else "n9", f"{p}B",
                                                                [("a", promise(start, "y"))]))],
    ))
    spec = admin_wf.WorkflowSpec(template=template(f"{p}main", ["x", "y"], nodes))
    spec.sub_workflows.append(sub)
    entities.workflows[f"{p}main"] = spec
    return entities, f"{p}main"


def compare_sub(left_kwargs=None, right_kwargs=None):
    left, lname = sub_entities("jvm", **(left_kwargs or {}))
    right, rname = sub_entities("python", **(right_kwargs or {}))
    return compare_workflows(left, lname, right, rname)


def test_identical_sub_workflow_pair_has_no_semantic_difference():
    report = compare_sub()
    assert report.semantic == []
    paths = {d.path for d in report.identity}
    assert 'sub_workflows["L.sub"].template.id' in paths  # the sub-workflow was compared
    assert 'workflow.template.nodes["call-x"].workflow_node.sub_workflow_ref' in paths
    assert 'workflow.template.nodes["decide"].branch_node.if_else.case.then_node.id' in paths


def test_a_difference_inside_the_sub_workflow_is_reported_under_its_left_name():
    report = compare_sub(right_kwargs={"sub_constant": 2})
    assert [(d.path, d.left, d.right) for d in report.semantic] == [
        ('sub_workflows["L.sub"].template.nodes["inner"].inputs["b"].binding.scalar.primitive.integer', "1", "2")]
    assert (report.semantic[0].left_entity, report.semantic[0].right_entity) == ("L.main", "R.main")


def test_a_sub_workflow_used_twice_is_compared_once():
    report = compare_sub({"calls": 2}, {"calls": 2, "sub_constant": 2})
    assert len(report.semantic) == 1 and report.semantic[0].path.startswith('sub_workflows["L.sub"].template.')
    assert sum(d.path == 'sub_workflows["L.sub"].template.id' for d in report.identity) == 1


def test_a_task_run_inside_a_sub_workflow_is_compared_once():
    report = compare_sub({"calls": 2}, {"calls": 2, "task_retries": 3})
    assert [(d.left_entity, d.right_entity, d.path, d.left, d.right) for d in report.semantic] == [
        ("L.T", "R.T", 'task["L.T"].template.metadata.retries.retries', "0", "3")]


def test_a_task_run_inside_a_branch_is_compared():
    report = compare_sub(right_kwargs={"branch_retries": 3})
    assert [(d.path, d.left, d.right) for d in report.semantic] == [
        ('task["L.B"].template.metadata.retries.retries', "0", "3")]


def test_a_task_interface_difference_inside_a_sub_workflow_is_reported_once():
    left, lname = sub_entities("jvm", calls=2)
    right, rname = sub_entities("python", calls=2)
    right.tasks["R.T"].template.interface.inputs.variables["b"].type.simple = types_pb2.SimpleType.FLOAT
    report = compare_workflows(left, lname, right, rname)
    task_paths = [d.path for d in report.semantic if d.path.startswith('task["L.T"]')]
    assert task_paths == ['task["L.T"].template.interface.inputs.variables["b"].type.simple']


# ---------------------------------------------------------------- branch_pairs


def _leaf(node_id: str) -> workflow_pb2.Node:
    return task_node(node_id, "T", [])


def test_branch_pairs_pair_inner_nodes_by_position_recursively():
    nested_left = branch_node("inner-l", [], [(compare_var("$0", GT, 0), _leaf("l-deep"))], _leaf("l-deep-else"))
    nested_right = branch_node("inner-r", [], [(compare_var("$0", GT, 0), _leaf("r-deep"))], _leaf("r-deep-else"))
    left = branch_node("b", [], [(compare_var("$0", GT, 0), _leaf("l-case")),
                                 (compare_var("$0", LT, 0), nested_left),
                                 (compare_var("$0", GT, 9), _leaf("l-other1"))], _leaf("l-else"))
    right = branch_node("b", [], [(compare_var("$0", GT, 0), _leaf("r-case")),
                                  (compare_var("$0", LT, 0), nested_right),
                                  (compare_var("$0", GT, 9), _leaf("r-other1"))], _leaf("r-else"))
    assert [(a.id, b.id) for a, b in branch_pairs(left, right)] == [
        ("l-case", "r-case"),
        ("inner-l", "inner-r"), ("l-deep", "r-deep"), ("l-deep-else", "r-deep-else"),
        ("l-other1", "r-other1"),
        ("l-else", "r-else"),
    ]


def test_branch_pairs_skip_what_one_side_lacks_and_non_branches():
    left = branch_node("b", [], [(compare_var("$0", GT, 0), _leaf("l-case")),
                                 (compare_var("$0", LT, 0), _leaf("l-other0"))], _leaf("l-else"))
    right = branch_node("b", [], [(compare_var("$0", GT, 0), _leaf("r-case"))])
    assert [(a.id, b.id) for a, b in branch_pairs(left, right)] == [("l-case", "r-case")]
    assert list(branch_pairs(_leaf("x"), _leaf("y"))) == []
    assert list(branch_pairs(left, _leaf("y"))) == []


def nested_entities(side: str, inner_constant: int = 1, task_retries: int = 0) -> tuple[EntitySet, str]:
    """main runs task T and calls sub-workflow "outer"; outer runs T and calls "inner"; main
    also calls inner directly; inner runs T on a constant. So inner and T are each reached from
    several templates."""
    jvm = side == "jvm"
    p = "L." if jvm else "R."
    start = "start-node" if jvm else ""
    nid = (lambda written, fresh: written if jvm else fresh)
    entities = EntitySet(origin=side)
    entities.tasks[f"{p}T"] = task_spec(f"{p}T", ["a"], retries=task_retries)
    inner = template(f"{p}inner", ["i"], [task_node(nid("t-inner", "n0"), f"{p}T", [("a", const(inner_constant))])])
    outer = template(f"{p}outer", ["i"], [
        task_node(nid("t-outer", "n0"), f"{p}T", [("a", promise(start, "i"))]),
        sub_node(nid("nested", "n1"), f"{p}inner", [("i", promise(start, "i"))]),
    ])
    main = template(f"{p}main", ["x", "y"], [
        task_node(nid("direct", "n2"), f"{p}T", [("a", promise(start, "y"))]),
        sub_node(nid("call-outer", "n0"), f"{p}outer", [("i", promise(start, "x"))]),
        sub_node(nid("call-inner", "n1"), f"{p}inner", [("i", promise(start, "y"))]),
    ])
    spec = admin_wf.WorkflowSpec(template=main)
    spec.sub_workflows.extend([outer, inner])
    entities.workflows[f"{p}main"] = spec
    return entities, f"{p}main"


def test_a_sub_workflow_and_a_task_reached_from_several_templates_are_compared_once():
    left, lname = nested_entities("jvm")
    right, rname = nested_entities("python", inner_constant=2, task_retries=3)
    report = compare_workflows(left, lname, right, rname)
    assert sorted((d.path, d.left, d.right) for d in report.semantic) == [
        ('sub_workflows["L.inner"].template.nodes["t-inner"].inputs["a"].binding.scalar.primitive.integer', "1", "2"),
        ('task["L.T"].template.metadata.retries.retries', "0", "3"),
    ]
    assert sum(d.path == 'sub_workflows["L.inner"].template.id' for d in report.identity) == 1


def test_two_branch_nodes_pair_by_what_they_read_not_by_id_order():
    """Two branches, one on x (> 0) and one on y (> 5), with jflyte ($0) and flytekit (.x, .y)
    variable names. Whatever the ids, the x-branch must pair with the x-branch: identical
    workflows have no semantic difference."""

    def branches(side: str, x_id: str, y_id: str) -> EntitySet:
        jvm = side == "jvm"
        start = "start-node" if jvm else ""
        entities = EntitySet(side)
        entities.tasks["T"] = task_spec("T", ["a"])
        nodes = []
        for node_id, var, threshold in ((x_id, "x", 0), (y_id, "y", 5)):
            name = "$0" if jvm else f".{var}"
            then = task_node(f"t{var}", "T", [("a", promise(start, var))])
            condition = compare_var(name, GT, threshold)
            nodes.append(branch_node(node_id, [(name, promise(start, var))], [(condition, then)]))
        entities.workflows["w"] = admin_wf.WorkflowSpec(template=template("w", ["x", "y"], nodes))
        return entities

    left = branches("jvm", "a-branch", "b-branch")
    for x_id, y_id in (("n0", "n1"), ("n1", "n0")):
        report = compare_workflows(left, "w", branches("python", x_id, y_id), "w")
        assert [str(d) for d in report.semantic] == [], (x_id, y_id)
