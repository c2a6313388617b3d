"""Every workflow and launch-plan registry the upstream example jars register is in the catalogue:
as a pair of that JVM source, or pending with a reason. Nothing is silently missing, and nothing
is pending that is paired or no longer registered."""

import zipfile

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
