"""Execution mode: each pair's entity, as each SDK registered it (register mode's work), executed
through FlyteAdmin with the pair's first input case and run by the session's data plane to a
terminal phase; compared: the outcome (phase, error kind and message class), the outputs as typed
literals, and every node the data plane ran — its kind, phase, inputs, outputs, error, task
attempts, cache status, and the nodes a branch, sub-workflow or dynamic task ran beneath it, and a
launch plan node's own execution (``idl.runs``). A pair whose tasks are cached is executed a second
time with the same inputs, and the repeat's cache statuses are compared. Admin is also sent the
first input mistyped, and its answers compared.

The executions of every selected pair are created ahead (in the case runner), so the data plane
runs them side by side while the tests wait for theirs in turn. On a backend with no data plane
(``local``) the mode is not run: it says which backend to use.

``--jflyte-legacy-env`` (opt-in, off by default) gives every execution the
``FLYTE_INTERNAL_PROJECT``/``DOMAIN``/``VERSION`` variables FlytePropeller stopped setting in
v1.16.2 and flytekit-java 0.4.62 still reads (a Python workflow may run JVM tasks too); without
it, JVM tasks fail as they do for users.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flyte_parity.base.sides import Sides
from flyte_parity.idl.diff import Difference
from flyte_parity.idl.canonical import copy_message
from flyte_parity.idl.executions import compare_executions
from flyte_parity.idl.runs import Run, compare_runs, describe
from flyte_parity.modes.base import Verdict
from flyte_parity.modes.register import RegisterMode
from flyte_parity.modes.registrations import Launch, launch_side
from flyte_parity.modes.registry import register
from flyte_parity.sdk.container import contract_gaps, unexplained_gaps
from flyte_parity.services.admin_client import finished_run, wait_for

FINISH = 900.0  # seconds an execution may take to reach a terminal phase on the data plane
CACHED = {"CACHE_MISS", "CACHE_POPULATED", "CACHE_HIT", "CACHE_LOOKUP_FAILURE", "CACHE_PUT_FAILURE",
          "CACHE_SKIPPED", "CACHE_EVICTED"}  # a status that says the task is cached (any but DISABLED)


def legacy_env(target) -> dict[str, str]:
    """What FlytePropeller before v1.16.2 also set in every task pod (the opt-in option)."""
    return {"FLYTE_INTERNAL_PROJECT": target.project, "FLYTE_INTERNAL_DOMAIN": target.domain,
            "FLYTE_INTERNAL_VERSION": target.version}


@dataclass(frozen=True)
class Started:
    registered: Sides
    launches: Sides  # Launch per side


def first_run_cache(run: Run) -> Run:
    """The run with each cached node's cache status reduced to "cached" and its attempts set aside:
    whether a first execution misses (one attempt) or hits (none) depends on what ran before it in
    the same session (pairs sharing a task, run side by side). The repeat compares them exactly."""
    def node(n):
        if n.cache in CACHED:
            return replace(n, cache="cached", attempts=(), children=tuple(map(node, n.children)))
        return replace(n, children=tuple(map(node, n.children)))
    return replace(run, nodes=tuple(map(node, run.nodes)))


def branch_ids(registered) -> set[str]:
    """The ids of the branch nodes in every workflow one side registered (its sub-workflows included)."""
    found = set()
    for spec in registered.entities.workflows.values():
        for template in (spec.template, *spec.sub_workflows):
            found.update(node.id for node in template.nodes if node.HasField("branch_node"))
    return found


def mark_branches(run: Run, ids: set[str]) -> Run:
    """The run with each parent node that is a branch in its workflow marked ``branch``."""
    def node(n):
        kind = "branch" if n.kind == "parent" and (n.spec_node_id or n.node_id) in ids else n.kind
        return replace(n, kind=kind, children=tuple(map(node, n.children)))
    return replace(run, nodes=tuple(map(node, run.nodes)))


def has_cached(run: Run) -> bool:
    def any_cached(nodes):
        return any(n.cache in CACHED or any_cached(n.children) for n in nodes)
    return any_cached(run.nodes)


def without_envs(execution):
    clone = copy_message(execution)
    clone.spec.ClearField("envs")
    return clone


def imitation_gaps(driver, registered, finished: Run, execution_env: set[str] = frozenset()) -> list[str]:
    """How the entrypoint mode's imitation differs from each task pod propeller started (sorted, each
    once); ``execution_env``: variables the execution itself asked for (not propeller's doing)."""
    gaps = set()
    for pod in finished.extra.get("pods", []):
        task = registered.entities.tasks.get(pod.env.get("FLYTE_INTERNAL_TASK_NAME", ""))
        if task is None or not task.template.HasField("container"):
            continue
        gaps.update(contract_gaps(list(task.template.container.args), set(driver.IMITATION_ENV), list(pod.args),
                                  set(pod.env) - set(execution_env)))
    return sorted(gaps)


class ExecutionMode(RegisterMode):
    """Its work registers (register mode's) and creates the executions; ``judge`` waits for them."""

    name = "execution"
    summary = "each SDK's entity executed on the data plane to a terminal phase; outcome, outputs and node runs compared"
    needs = ("admin", "cluster")
    ahead = True

    def work(self, subject, run):
        pair = subject.value
        backend = run.backend()
        if not backend.executes:
            from flyte_parity.modes.run import NotAvailable
            raise NotAvailable(f"--flyte-backend={backend.name} runs no execution (an admin without a data plane); "
                               "use --flyte-backend=local-cluster")
        registered = super().work(subject, run)
        for source, domain in pair.execution_setup:
            run.registrations().jvm_in(source, domain)
        values = pair.execution_values
        launches = Sides.of(lambda side: launch_side(registered[side], pair.kind, pair.names[side], values,
                                                     settle=0.0, envs=self._envs(run, registered, side)))
        return Started(registered, launches)

    def judge(self, subject, run, started: Started) -> Verdict:
        pair = subject.value
        registered, launches = started.registered, started.launches
        backend = run.backend()
        found, lines, problems = [], [], []
        lines.append(f"# launch: jvm {launches.jvm.label}; python {launches.python.label}")
        if launches.jvm.label != launches.python.label:
            found.append(Difference("launch (outcome)", launches.jvm.label, launches.python.label))
        if launches.jvm.launched and launches.python.launched:
            runs = Sides.of(lambda side: mark_branches(self._finish(backend, launches[side]),
                                                       branch_ids(registered[side])))
            records = runs.map(lambda r: r.extra["execution"])  # admin's record once finished
            if run.options.get("jflyte_legacy_env"):  # the option's variables: not the SDKs' doing
                records = records.map(without_envs)
            semantic, identity = compare_executions(records.jvm, launches.jvm.launched.inputs,
                                                    records.python, launches.python.launched.inputs,
                                                    leave_to_run=True)
            found += semantic
            ran = compare_runs(*runs.map(first_run_cache))
            found += ran[0]
            for side in ("jvm", "python"):
                lines += [f"# {side}", *describe(runs[side])]
                for pod in runs[side].extra.get("pods", []):
                    flyte_env = {k: v for k, v in sorted(pod.env.items()) if k.upper().startswith("FLYTE")}
                    lines += [f"## pod {pod.name} (node {pod.node}, image {pod.image}, workingDir {pod.working_dir})",
                              f"##   command: {list(pod.args)}", f"##   FLYTE_* env: {flyte_env}"]
            lines += ["# semantic", *map(str, found), "# identity", *map(str, identity + ran[1])]
            contract = Sides.of(lambda side: imitation_gaps(run.sdks[side], registered[side], runs[side],
                                                            set(self._envs(run, registered, side))))
            lines.append("# the entrypoint imitation against the pods propeller started (known gaps: sdk/container.py)")
            for side in ("jvm", "python"):
                lines += [f"## {side}: {gap}" for gap in contract[side]]
                problems += [f"the entrypoint imitation ({side}) differs from what propeller gave its pod, not a "
                             f"known gap: {gap}" for gap in unexplained_gaps(side, contract[side])]
            if any(map(has_cached, runs)) and all(r.phase == "SUCCEEDED" for r in runs):
                again = Sides.of(lambda side: launch_side(registered[side], pair.kind, pair.names[side],
                                                          pair.execution_values, settle=0.0,
                                                          envs=self._envs(run, registered, side)))
                if all(launch.launched for launch in again):
                    repeat = Sides.of(lambda side: mark_branches(self._finish(backend, again[side]),
                                                                 branch_ids(registered[side])))
                    lines.append("# repeat (cached tasks)")
                    for side in ("jvm", "python"):
                        lines += [f"## {side}", *describe(repeat[side])]
                    found += [Difference(f"repeat.{d.path.removeprefix('execution.')}", d.left, d.right)
                              for d in compare_runs(*repeat)[0]]
        values = pair.execution_values
        if values:
            name = sorted(values)[0]
            mistyped = Sides.of(lambda side: launch_side(registered[side], pair.kind, pair.names[side], values,
                                                         mistyped=name, settle=0.0))
            lines.append(f"# launch with input {name} mistyped: jvm {mistyped.jvm.label}; python {mistyped.python.label}")
            if mistyped.jvm.label != mistyped.python.label:
                found.append(Difference("launch with a mistyped input (outcome)", mistyped.jvm.label,
                                        mistyped.python.label))
        out = run.reports.text(self.name, subject.id, lines)
        return Verdict(found, problems=problems, detail=f"(full report: {out})")

    @staticmethod
    def _envs(run, registered, side) -> dict[str, str]:
        """The opt-in variables, for both sides' executions: a Python workflow may run JVM tasks too
        (the dynamic Fibonacci twin runs the JVM's HelloWorldTask), and flytekit reads none of them."""
        return legacy_env(registered[side].target) if run.options.get("jflyte_legacy_env") else {}

    @staticmethod
    def _finish(backend, launch: Launch) -> Run:
        """The finished run, with the task pods propeller started for it when the cluster is ours."""
        execution_id = launch.launched.execution.id
        record = wait_for(backend.address, execution_id, FINISH)
        run = finished_run(backend.address, execution_id)
        run.extra["execution"] = record
        if backend.cluster is not None:
            from flyte_parity.services.flyte_cluster import task_pods
            run.extra["pods"] = task_pods(backend.cluster, execution_id.project, execution_id.domain,
                                          execution_id.name)
        return run


register(ExecutionMode())
