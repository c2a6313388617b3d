"""The catalogue covers what the upstream example jars register: every workflow and launch-plan
registry is a pair of that JVM source or pending with a reason (nothing silently missing, nothing
pending that is paired or no longer registered); every launch plan and task they serialize is
paired or run by a paired workflow; Welcome and Fibonacci run through execute-local from every
JVM source."""

import zipfile

from flyte_parity.idl.compare import sub_workflows
from flyte_parity.idl.pairing import walk
from flyte_parity.modes.run import load

SERVICES = ("META-INF/services/org.flyte.flytekit.SdkWorkflow",
            "META-INF/services/org.flyte.flytekit.SdkLaunchPlanRegistry")


def registered(lib):
    found = set()
    for jar in sorted(lib.glob("*.jar")):
        with zipfile.ZipFile(jar) as archive:
            for service in SERVICES:
                if service in archive.namelist():
                    lines = archive.read(service).decode("utf-8").splitlines()
                    found |= {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    return found


def test_every_registered_upstream_entity_is_paired_or_pending(parity_catalogue):
    upstream = [s for s in parity_catalogue.sources.values() if s.origin == "upstream"]
    assert upstream, "the catalogue names no upstream source"
    problems = []
    for source in upstream:
        classes = registered(source.lib)
        if not classes:
            problems.append(f"{source.name}: no registered workflows in {source.lib}; build the JVM side (make jvm)")
            continue
        paired = {p.jvm_class for p in parity_catalogue.pairs if p.source.name == source.name}
        pending = {cls for (name, cls) in parity_catalogue.pending if name == source.name}
        problems += [f"{source.name}: {c} is registered but neither paired nor pending" for c in sorted(classes - paired - pending)]
        problems += [f"{source.name}: {c} is pending but no longer registered" for c in sorted(pending - classes)]
        problems += [f"{source.name}: {c} is both paired and pending" for c in sorted(pending & paired)]
    assert not problems, "\n".join(problems)


def _upstream(catalogue, jvm_driver):
    """Each upstream JVM source with what its jflyte serialize wrote."""
    return [(s, load(jvm_driver.serialize(s))) for s in catalogue.sources.values() if s.origin == "upstream"]


def test_every_jvm_launch_plan_is_paired(parity_catalogue, jvm_driver):
    """Each launch plan a JVM source serializes is a workflow's default one or a launch-plan pair."""
    problems = []
    for source, jvm in _upstream(parity_catalogue, jvm_driver):
        paired = {p.jvm for p in parity_catalogue.pairs if p.source == source}
        problems += [f"{source.name}: launch plan {name} is registered but not paired"
                     for name in sorted(jvm.launch_plans) if name not in paired]
    assert not problems, "\n".join(problems)


def test_every_jvm_task_is_paired_or_run_by_a_paired_workflow(parity_catalogue, jvm_driver):
    """Each task an upstream JVM source serializes runs in a paired workflow or is a task pair."""
    problems = []
    for source, jvm in _upstream(parity_catalogue, jvm_driver):
        covered = {p.jvm for p in parity_catalogue.pairs if p.source == source and p.kind == "task"}
        for pair in parity_catalogue.pairs:
            if pair.source == source and pair.kind == "workflow" and pair.jvm in jvm.workflows:
                spec = jvm.workflows[pair.jvm]
                walk(spec.template.nodes, sub_workflows(jvm, spec), covered, set())
        problems += [f"{source.name}: task {name} is registered but neither paired nor run by a paired workflow"
                     for name in sorted(jvm.tasks) if name not in covered]
    assert not problems, "\n".join(problems)


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
